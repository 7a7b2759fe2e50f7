package org.conceptsliders.runtime.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * torch.no_grad() for the current thread: in-place updates of trainable weights and forward
 * passes that need no gradient run inside it.
 *
 * <p>The pitfall: libtorch's grad mode is thread-local and on by default. DJL switches it off
 * only on the thread that loaded the engine (and a GradientCollector switches it on), so on
 * any other thread (a Fiji worker, an executor) a forward pass through weights that require a
 * gradient records a graph, and an in-place update of such a weight throws "a leaf Variable
 * that requires grad is being used in an in-place operation".
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
