package org.conceptsliders.shapes.train;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains (or resumes) the embedded base model from the command line:
 * {@code TrainBaseMain WORK_DIR OUT_MODEL_DIR [RECIPE.json]}. Without a recipe file it resumes
 * with the work folder's {@code recipe.json}, or starts from {@link BaseModelRecipe#defaults()}.
 * Prints one line per {@value #EVERY} steps with the mean seconds per step since the last line.
 *
 * <p>Run it with {@code DNNL_MAX_CPU_ISA=SSE41} in the environment: on the AMD EPYC build machine
 * libtorch 2.7.1's oneDNN (AVX2/AVX-512 kernels) returned NaN convolution input gradients in 10-50 %
 * of VAE steps and once crashed in backward; SSE4.1 kernels gave none in our trials. A step with a
 * non-finite gradient stops the run before the update; rerunning resumes from the last checkpoint.
 */
public final class TrainBaseMain {
    private static final int EVERY = 10;

    private TrainBaseMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: TrainBaseMain WORK_DIR OUT_MODEL_DIR [RECIPE.json]");
            System.exit(2);
        }
        Path work = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path saved = work.resolve("recipe.json");
        BaseModelRecipe recipe = args.length == 3 ? BaseModelRecipe.read(Path.of(args[2]))
                : Files.exists(saved) ? BaseModelRecipe.read(saved) : BaseModelRecipe.defaults();
        System.out.println("recipe: " + recipe.toJson().replaceAll("\\s+", " "));
        long[] last = {System.nanoTime()};
        int[] lastStep = {0};
        BaseModelTrainer.run(work, out, recipe, (Progress p) -> {
            if (p.step() % EVERY == 0 || p.step() == p.total() || p.message().contains("check")) {
                long now = System.nanoTime();
                int steps = p.step() - lastStep[0];
                double perStep = steps > 0 ? (now - last[0]) / 1e9 / steps : Double.NaN;
                System.out.printf(Locale.ROOT, "%tT %d/%d %s · %.2f s/it%n", System.currentTimeMillis(), p.step(), p.total(),
                        p.message(), perStep);
                last[0] = now;
                lastStep[0] = p.step();
            }
        }, CancelToken.none());
        System.out.println("model written to " + out.toAbsolutePath());
    }
}
