package org.conceptsliders.shapes;

import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Images;
import org.conceptsliders.runtime.pipeline.ModelKind;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.runtime.pipeline.StableDiffusionPipeline;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.sliders.DiffusionStudio;
import org.conceptsliders.sliders.EmbeddedModel;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Inversion;
import org.conceptsliders.sliders.SliderCard;
import org.conceptsliders.sliders.SliderSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped default model and sliders, measured with the shapes world's measurer. Thresholds
 * are what this model reaches with margin (docs/embedded-model.md has the full evaluation); the
 * issue's own bars are reported there by `shapes eval`, not asserted here.
 */
class EmbeddedModelTest {
    private static DiffusionStudio studio;
    private static Path folder;

    @BeforeAll
    static void open() throws Exception {
        folder = EmbeddedModel.folder();
        studio = DiffusionStudio.open(folder, Compute.cpu());
    }

    @AfterAll
    static void close() {
        studio.close();
    }

    private static Measurement generate(String prompt, long seed, List<SliderSpec> sliders) {
        GenerateRequest r = new GenerateRequest(prompt, "", seed, 20, 5.0, 64, 64, "ddim", sliders);
        RgbImage im = studio.generate(r, ProgressListener.NONE, CancelToken.none());
        return ShapeMeasurer.measure(im.argb(), im.width(), im.height());
    }

    @Test
    void isASmallSd1FolderAtItsNativeSize() throws Exception {
        assertEquals(ModelKind.SD1, studio.model().kind());
        assertEquals(64, studio.nativeSize());
        long bytes;
        try (Stream<Path> files = Files.walk(folder)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(bytes < 25L << 20, "embedded model is " + bytes + " bytes");
    }

    @Test
    void theShippedSizeSliderGrowsTheShapeOnBothSidesAndKeepsItsColour() {
        Path slider = Path.of("sliders", "size.safetensors");
        double rho = 0;
        int kept = 0;
        double[] scales = {-2, -1, 0, 1, 2};
        long[] seeds = {1, 2};
        for (long seed : seeds) {
            double[] area = new double[scales.length];
            for (int i = 0; i < scales.length; i++) {
                Measurement m = generate("a red circle on a black background", seed, List.of(new SliderSpec(slider, scales[i])));
                area[i] = m.areaFraction();
                kept += m.colour() == ShapeScene.Colour.RED ? 1 : 0;
            }
            rho += ShapeMeasurer.spearman(scales, area) / seeds.length;
        }
        assertTrue(rho >= 0.8, "mean Spearman of area vs scale " + rho);
        assertTrue(kept >= 9, "colour kept in " + kept + " of 10 images");
    }

    @Test
    void theSizeSlidersCardStartKeepsTheShapeWhereTheFileStartFlipsIt() {
        // the card's start_noise (300) against the file's (800) on the eval's kind of prompt; the
        // eval's 8 seeds: 93.8 % against 71.9 % colour and shape kept (docs/embedded-model.md)
        Path slider = Path.of("sliders", "size.safetensors");
        SliderCard card = SliderCard.of(slider);
        int keptCard = 0;
        int keptFile = 0;
        int grows = 0;
        int seeds = 6;
        for (long seed = 0; seed < seeds; seed++) {
            String prompt = "a green triangle on a white background";
            Measurement zero = generate(prompt, seed, List.of());
            for (double scale : new double[] {-2, 2}) {
                Measurement withCard = generate(prompt, seed, List.of(card.spec(scale)));
                Measurement withFile = generate(prompt, seed, List.of(new SliderSpec(slider, scale)));
                keptCard += withCard.shape() == zero.shape() && withCard.colour() == zero.colour() ? 1 : 0;
                keptFile += withFile.shape() == zero.shape() && withFile.colour() == zero.colour() ? 1 : 0;
                grows += Math.signum(withCard.areaFraction() - zero.areaFraction()) == Math.signum(scale) ? 1 : 0;
            }
        }
        System.out.printf("size slider: kept %d (card start) and %d (file start) of %d; area moves with the scale in %d%n",
                keptCard, keptFile, 2 * seeds, grows);
        // measured: 10 of 12 with the card's start, 7 with the file's; area moved in 12 of 12
        assertTrue(keptCard >= 9, "colour and shape kept with the card's start in " + keptCard + " of " + 2 * seeds);
        assertTrue(keptCard > keptFile, "the card keeps more than the file's start: " + keptCard + " vs " + keptFile);
        assertTrue(grows >= 2 * seeds - 1, "area moves with the scale in " + grows + " of " + 2 * seeds);
    }

    @Test
    void theShippedOutlineSliderThickensTheRing() {
        // the decoder draws the ring faintly (docs/embedded-model.md): the test asks for the
        // direction on large shapes, not for the issue's Spearman, which is reported by the eval
        Path slider = Path.of("sliders", "outline.safetensors");
        int thicker = 0;
        double change = 0;
        int seeds = 5;
        for (long seed = 0; seed < seeds; seed++) {
            String prompt = "a large yellow square on a black background";
            double low = generate(prompt, seed, List.of(new SliderSpec(slider, -2))).outline();
            double high = generate(prompt, seed, List.of(new SliderSpec(slider, 2))).outline();
            System.out.printf("outline slider, seed %d: %.4f at -2, %.4f at +2%n", seed, low, high);
            thicker += high > low ? 1 : 0;
            change += (high - low) / seeds;
        }
        assertTrue(thicker >= 4, "thicker at +2 than at -2 in " + thicker + " of " + seeds + " seeds");
        // session 5's slider: 4 of 5, +0.0007 (session 4's on its model: 5 of 5, +0.0028); a slider
        // that does not move the ring (session 2's): 2 of 5, -0.0001
        assertTrue(change > 0.0005, "mean outline change " + change);
    }

    @Test
    void followsColourAndSizeOfItsPrompt() {
        int colour = 0;
        int ordered = 0;
        int seeds = 4;
        for (long seed = 0; seed < seeds; seed++) {
            Measurement large = generate("a large red circle on a black background", seed, List.of());
            Measurement small = generate("a small red circle on a black background", seed, List.of());
            colour += (large.colour() == ShapeScene.Colour.RED ? 1 : 0) + (small.colour() == ShapeScene.Colour.RED ? 1 : 0);
            ordered += large.areaFraction() > small.areaFraction() ? 1 : 0;
        }
        assertTrue(colour >= 7, "red measured in " + colour + " of 8 images");
        assertTrue(ordered >= 3, "large > small in " + ordered + " of 4 seeds");
    }

    @Test
    void theTunedDecoderDrawsWhatTheEncoderKeeps() {
        // VAE round trip of 16 drawn scenes; the VAE stage's own decoder measured 21.6 dB, the tuned one 27.1 (64 scenes)
        ShapesWorld world = new ShapesWorld(64, 64);
        Random random = new Random(1);
        StableDiffusionPipeline pipeline = new StableDiffusionPipeline(studio.model());
        double psnr = 0;
        int n = 16;
        try (NoGrad ignored = NoGrad.enter(); NDManager m = studio.model().manager().newSubManager()) {
            for (int k = 0; k < n; k++) {
                int[] drawn = world.render(world.random(random));
                int[] rebuilt = Images.toArgb(pipeline.decode(pipeline.encodeImage(Images.fromArgb(drawn, 64, 64, m))), 0);
                psnr += ShapeMeasurer.psnr(drawn, rebuilt) / n;
            }
        }
        System.out.printf("VAE round trip of %d drawings: PSNR %.2f dB%n", n, psnr);
        assertTrue(psnr >= 25, "mean PSNR " + psnr);
    }

    @Test
    void anInvertedDrawingComesBackAtTheIssuesPsnrAndKeepsItsMask() {
        // the shapes eval's scenes (seed 0), 4 of its 8; the eval's mean over 8 is in docs/eval
        ShapesWorld world = new ShapesWorld(64, 64);
        Random random = new Random(0);
        double psnr = 0;
        double iou = 0;
        int n = 4;
        for (int k = 0; k < n; k++) {
            ShapeScene scene = world.random(random);
            int[] drawn = world.render(scene);
            String prompt = "a " + scene.sizeClass().word() + " " + scene.colour().word() + " " + scene.shape().word()
                    + " on a " + scene.backgroundClass().word() + " background";
            GenerateRequest r = new GenerateRequest(prompt, "", k, 20, 1.0, 64, 64, "ddim", List.of());
            int[] rebuilt = studio.edit(new RgbImage(64, 64, drawn, prompt, Map.of()), r, null,
                    new Inversion(300, 1), ProgressListener.NONE, CancelToken.none()).get(0).argb();
            psnr += ShapeMeasurer.psnr(drawn, rebuilt) / n;
            iou += ShapeMeasurer.iou(ShapeMeasurer.measure(drawn, 64, 64).mask(), ShapeMeasurer.measure(rebuilt, 64, 64).mask()) / n;
        }
        System.out.printf("inversion of %d drawings: PSNR %.2f dB, mask IoU %.3f%n", n, psnr, iou);
        assertTrue(psnr >= 25, "mean PSNR " + psnr);
        assertTrue(iou >= 0.8, "mean mask IoU " + iou);
    }
}
