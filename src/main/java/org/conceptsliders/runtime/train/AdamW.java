package org.conceptsliders.runtime.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.nn.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.AdamW (Loshchilov &amp; Hutter, decoupled weight decay), with optional clipping of
 * the global gradient norm (torch.nn.utils.clip_grad_norm_) before the update:
 * <pre>
 *   t += 1
 *   w  = w * (1 - lr * weight_decay)
 *   m  = beta1 * m + (1 - beta1) * g
 *   v  = beta2 * v + (1 - beta2) * g^2
 *   w  = w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * State (m, v) is float32 in the optimizer's own manager. A parameter stored in fp16/bf16 gets
 * a float32 master copy that the update is applied to and then cast back, since an fp16
 * weight cannot absorb updates smaller than its rounding step.
 */
public final class AdamW implements AutoCloseable {
    private final TrainableSet params;
    private final LrSchedule schedule;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double maxGradNorm;
    private final NDManager manager;
    private final List<Slot> slots = new ArrayList<>();
    private int step;

    /** State of one parameter; {@code master} is null when the parameter itself is float32. */
    private record Slot(String name, Parameter param, NDArray m, NDArray v, NDArray master) {
        NDArray weights32() {
            return master != null ? master : param.value();
        }
    }

    private AdamW(Builder b, TrainableSet params) {
        this.params = params;
        this.schedule = b.schedule;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.maxGradNorm = b.maxGradNorm;
        Parameter first = params.parameters().values().iterator().next();
        this.manager = NDManager.newBaseManager(first.value().getDevice());
        this.manager.setName("AdamW");
        params.parameters().forEach((name, p) -> {
            NDArray w = p.value();
            NDArray m = manager.zeros(w.getShape(), DataType.FLOAT32);
            NDArray v = manager.zeros(w.getShape(), DataType.FLOAT32);
            NDArray master = w.getDataType() == DataType.FLOAT32 ? null : InPlace.float32Copy(w, manager);
            slots.add(new Slot(name, p, m, v, master));
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    public TrainableSet parameters() {
        return params;
    }

    /** Number of updates applied so far (torch's {@code state["step"]}). */
    public int stepCount() {
        return step;
    }

    /** The rate the next update will use. */
    public double learningRate() {
        return schedule.lr(step);
    }

    /** Non-finite steps in a row after which training is taken to have diverged. */
    static final int MAX_CONSECUTIVE_SKIPS = 10;
    private int skipped;
    private int consecutiveSkips;

    /**
     * Skips this step: the gradients are dropped and the weights stay; more than
     * {@value #MAX_CONSECUTIVE_SKIPS} skips in a row throw {@link ArithmeticException}.
     */
    public void skip() {
        skipped++;
        consecutiveSkips++;
        params.zeroGradients();
        if (consecutiveSkips > MAX_CONSECUTIVE_SKIPS) {
            throw new ArithmeticException(consecutiveSkips + " optimizer steps in a row had a non-finite loss or"
                    + " gradients: training diverged (try a lower learning rate)");
        }
    }

    /** Steps skipped so far because their loss or gradients were not finite. */
    public int skippedSteps() {
        return skipped;
    }

    /**
     * Applies one update from the accumulated gradients, then zeroes them; skips the update (and
     * counts it) when the gradients are not finite, and throws after too many such steps in a row.
     *
     * @return the global L2 norm of the gradients before clipping (NaN or infinite when skipped)
     */
    public double step() {
        double lr = learningRate();
        double norm;
        try (NoGrad ignored = NoGrad.enter(); NDScope scope = new NDScope()) {
            List<NDArray> grads = new ArrayList<>(slots.size());
            NDArray sumSq = null;
            for (Slot s : slots) {
                NDArray g = TrainableSet.gradient(s.param).toType(DataType.FLOAT32, false);
                grads.add(g);
                NDArray sq = g.square().sum();
                sumSq = sumSq == null ? sq : sumSq.add(sq);
            }
            norm = Math.sqrt(sumSq.getFloat());
            if (!Double.isFinite(norm)) {
                // As torch.cuda.amp.GradScaler does: a step whose gradients are not finite is
                // skipped, not applied. libtorch's CPU backward has produced NaN gradients at
                // random on this project's machines (docs/embedded-model.md).
                skip();
                return norm;
            }
            consecutiveSkips = 0;
            double clip = maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1.0;
            step++;
            double bc1 = 1 - Math.pow(beta1, step);
            double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
            for (int i = 0; i < slots.size(); i++) {
                Slot s = slots.get(i);
                NDArray g = clip < 1.0 ? Owned.mul(grads.get(i), (float) clip) : grads.get(i);
                NDArray w = s.weights32();
                Owned.muli(w, (float) (1 - lr * weightDecay));
                Owned.muli(s.m, (float) beta1).addi(Owned.mul(g, (float) (1 - beta1)));
                Owned.muli(s.v, (float) beta2).addi(Owned.muli(g.square(), (float) (1 - beta2)));
                NDArray denom = Owned.addi(Owned.divi(s.v.sqrt(), (float) bc2Sqrt), (float) eps);
                w.subi(Owned.muli(s.m.div(denom), (float) (lr / bc1)));
                if (s.master != null) {
                    InPlace.copy(s.param.value(), s.master);
                }
            }
        }
        params.zeroGradients();
        return norm;
    }

    /**
     * Adds this optimizer's tensors and counters to a checkpoint under "adamw."; the same map
     * names the arrays a restore writes into.
     */
    void exportState(Map<String, NDArray> tensors, Map<String, String> metadata) {
        for (Slot s : slots) {
            tensors.put("adamw.exp_avg." + s.name, s.m);
            tensors.put("adamw.exp_avg_sq." + s.name, s.v);
            if (s.master != null) {
                tensors.put("adamw.master." + s.name, s.master);
            }
        }
        metadata.put("adamw.step", Integer.toString(step));
    }

    void restoreState(Map<String, String> metadata) {
        this.step = Integer.parseInt(metadata.get("adamw.step"));
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Settings as in torch.optim.AdamW; only the learning rate schedule is required. */
    public static final class Builder {
        private LrSchedule schedule;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay = 0.01;
        private double maxGradNorm;

        public Builder setLearningRate(LrSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        public Builder optBetas(double beta1, double beta2) {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must lie in [0, 1), got (" + beta1 + ", " + beta2 + ")");
            }
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Clips the global gradient norm to this value before each update; 0 (default) disables. */
        public Builder optMaxGradNorm(double maxGradNorm) {
            this.maxGradNorm = maxGradNorm;
            return this;
        }

        public AdamW build(TrainableSet params) {
            if (schedule == null) {
                throw new IllegalArgumentException("AdamW needs a learning rate (setLearningRate)");
            }
            return new AdamW(this, params);
        }
    }
}
