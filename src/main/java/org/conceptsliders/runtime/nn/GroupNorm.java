package org.conceptsliders.runtime.nn;

import org.conceptsliders.runtime.nd.Owned;
import org.conceptsliders.runtime.nd.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * torch.nn.GroupNorm over [N, C, ...]: statistics per sample and group of C/groups channels,
 * biased variance, then a per-channel affine; {@link #forwardSilu} adds the SiLU that follows
 * every group norm of a ResNet block.
 *
 * <p>Both run libtorch's own {@code group_norm} and {@code silu} kernels, which DJL 0.36's JNI
 * does not bind, through a two-line TorchScript function ({@code group_norm.pt}, written by
 * {@code src/main/torchscript/group_norm.py}). The composite that DJL's API allows (layer norm
 * over the flattened group, then multiply and add; sigmoid times x) records two or three ops
 * per norm that each keep a full-size tensor for the backward pass where the fused kernels keep
 * the input only: training an SD 1.5 UNet at a 64x64 latent held 3.6 GB more and ran 1.35x
 * slower than PyTorch eager (docs/benchmarks.md).
 */
public final class GroupNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int groups;
    private final float eps;

    public GroupNorm(int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        this.weight = param("weight", Parameter.Init.ONES, 0, channels);
        this.bias = param("bias", Parameter.Init.ZEROS, 0, channels);
    }

    public NDArray forward(NDArray x) {
        return apply(x, false);
    }

    /** {@code silu(forward(x))} in one kernel call. */
    public NDArray forwardSilu(NDArray x) {
        return apply(x, true);
    }

    private NDArray apply(NDArray x, boolean silu) {
        NDManager m = x.getManager();
        // unnamed views: DJL's TorchScript call reads a dotted array name (every weight's) as a map key
        NDArray w = unnamedLike(weight.value(), x);
        NDArray b = unnamedLike(bias.value(), x);
        NDArray setting = Owned.doubles(m, new double[] {groups, eps, silu ? 1 : 0}, new Shape(3));
        try {
            return Kernel.call(new NDList(x, w, b, setting));
        } finally {
            w.close();
            b.close();
            setting.close();
        }
    }

    /** A view of a weight in x's manager and type (the kernel takes no mixed types). */
    private static NDArray unnamedLike(NDArray weight, NDArray x) {
        NDArray view = weight.reshape(-1);
        view.attach(x.getManager());
        if (view.getDataType() == x.getDataType()) {
            return view;
        }
        NDArray cast = view.toType(x.getDataType(), true);
        view.close();
        return cast;
    }

    /** The TorchScript module, loaded once per process; it has no weights, so one serves every device. */
    private static final class Kernel {
        private static final PtSymbolBlock MODULE = load();

        private static PtSymbolBlock load() {
            try (InputStream in = GroupNorm.class.getResourceAsStream("group_norm.pt")) {
                if (in == null) {
                    throw new IllegalStateException("group_norm.pt is missing from the jar (org/conceptsliders/runtime/nn)");
                }
                // the module outlives every caller's manager, so it gets a manager of its own, never closed
                return JniUtils.loadModule((PtNDManager) NDManager.newBaseManager("PyTorch"), in, true, false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read group_norm.pt from the jar", e);
            }
        }

        static NDArray call(NDList inputs) {
            // the plain interpreter runs exactly the two eager kernels; the profiling executor
            // (on by default, per thread) would specialise and re-specialise on every new shape
            JniUtils.setGraphExecutorOptimize(false);
            // under autograd the call must record (DJL's "train" flag), otherwise it runs without grad
            return IValueUtils.forward(MODULE, inputs, Scopes.recording()).singletonOrThrow();
        }
    }
}
