package org.conceptsliders.runtime.nd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;

import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Frees a block's intermediate arrays as soon as the block returns. A DJL array lives until its
 * Java handle closes, so without this every intermediate of a whole UNet forward stayed alive
 * until the caller's manager closed (an SD 1.5 forward at a 64x64 latent peaked at 21.7 GB).
 * Closing a handle is safe under autograd: libtorch counts the references the graph keeps.
 */
public final class Scopes {
    private Scopes() {
    }

    /** Runs {@code block} and closes every array it made except the one it returns. */
    public static NDArray keep(Supplier<NDArray> block) {
        try (NDScope scope = new NDScope()) {
            NDArray out = block.get();
            NDScope.unregister(out);
            return out;
        }
    }

    /**
     * Applies {@code steps} in order, closing each intermediate result once the next step has
     * made its own (never {@code input}, which is the caller's): a chain of blocks then holds two
     * of its activations at once instead of all of them. The VAE decoder at 512x512 needed this
     * (each up block's outputs are hundreds of MB).
     */
    public static NDArray chain(NDArray input, List<UnaryOperator<NDArray>> steps) {
        NDArray h = input;
        for (UnaryOperator<NDArray> step : steps) {
            NDArray next = step.apply(h);
            if (h != input && h != next) {
                h.close();
            }
            h = next;
        }
        return h;
    }

    /**
     * Whether libtorch is recording a graph on this thread. When it is not (inference), a block
     * may update its own fresh intermediates in place, which saves an allocation and a pass over
     * memory per op; under autograd it must not, the backward pass may need them.
     */
    public static boolean recording() {
        return JniUtils.isGradMode();
    }
}
