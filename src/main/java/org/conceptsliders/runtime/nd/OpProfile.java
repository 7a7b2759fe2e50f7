package org.conceptsliders.runtime.nd;

import ai.djl.pytorch.jni.JniUtils;
import org.conceptsliders.runtime.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records what libtorch itself runs (every operator of a forward and of autograd's backward,
 * with its CPU time and shapes) while a piece of work runs, and writes it as a Chrome trace
 * (open it in ui.perfetto.dev or chrome://tracing). It is libtorch's own profiler, the one
 * behind {@code torch.autograd.profiler} in Python, so a trace of ours and one of PyTorch's
 * name the same operators and can be compared op by op.
 */
public final class OpProfile {
    private OpProfile() {
    }

    /** Runs {@code work} under the profiler and writes the trace to {@code trace} (atomically). */
    public static void record(Path trace, boolean cuda, Runnable work) throws IOException {
        JniUtils.startProfile(cuda, true, false);
        try {
            work.run();
        } finally {
            AtomicFiles.write(trace, tmp -> {
                JniUtils.stopProfile(tmp.toString());
                if (!Files.isRegularFile(tmp)) {
                    throw new IOException("libtorch's profiler wrote no trace to " + tmp);
                }
            });
        }
    }
}
