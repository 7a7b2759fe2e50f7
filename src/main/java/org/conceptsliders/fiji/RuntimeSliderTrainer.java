package org.conceptsliders.fiji;

import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.sliders.EmbeddedModel;
import org.conceptsliders.sliders.train.ImagePairs;
import org.conceptsliders.sliders.train.PairSliderConfig;
import org.conceptsliders.sliders.train.PairSliderTrainer;
import org.conceptsliders.sliders.train.TextSliderConfig;
import org.conceptsliders.sliders.train.TextSliderTrainer;
import org.conceptsliders.sliders.train.TrainingOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@link SliderTrainer} of this build: the text and image-pair trainers of
 * {@code sliders.train} on a model folder (or the embedded model), opened per run and closed
 * after it so that training memory is returned to Fiji.
 */
final class RuntimeSliderTrainer implements SliderTrainer {
    private final Path model;
    private final String device;

    RuntimeSliderTrainer(Path model, String device) {
        this.model = model;
        this.device = device;
    }

    private StableDiffusionModel open() throws IOException {
        return StableDiffusionModel.load(model == null ? EmbeddedModel.folder() : model, Compute.parse(device));
    }

    @Override
    public void trainFromPrompts(Path config, String target, String positive, String negative, int iterations, int rank,
                                 Path output, ProgressListener progress, CancelToken cancel) {
        try (StableDiffusionModel m = open()) {
            TextSliderConfig c = config != null ? TextSliderConfig.load(config, List.of())
                    : TextSliderConfig.of(List.of(TextSliderConfig.simple(target, positive, negative, 4.0,
                            Math.min(512, m.unet().config().sampleSize() * 8))));
            new TextSliderTrainer(m).train(c.withIterations(iterations).withRank(rank), output,
                    TrainingOptions.defaults().withProgress(progress, cancel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void trainFromPairs(List<RgbImage> low, List<RgbImage> high, String prompt, int iterations, int rank,
                               double symmetry, Path output, ProgressListener progress, CancelToken cancel) {
        PairSliderConfig c = PairSliderConfig.of(ImagePairs.of(low, high), prompt).withIterations(iterations).withRank(rank)
                .withSymmetry(symmetry);
        try (StableDiffusionModel m = open()) {
            new PairSliderTrainer(m).train(c, output, TrainingOptions.defaults().withProgress(progress, cancel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
