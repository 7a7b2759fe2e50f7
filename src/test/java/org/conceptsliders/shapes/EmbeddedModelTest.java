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
import java.util.Arrays;
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
        SliderCard card = SliderCard.of(Path.of("sliders", "size.safetensors"));
        double rho = 0;
        int kept = 0;
        double[] scales = {-2, -1, 0, 1, 2};
        long[] seeds = {1, 2};
        for (long seed : seeds) {
            double[] area = new double[scales.length];
            for (int i = 0; i < scales.length; i++) {
                Measurement m = generate("a red circle on a black background", seed, List.of(card.spec(scales[i])));
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
        // eval's 8 seeds: 90.6 % colour and shape kept at 300 (docs/embedded-model.md)
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
        // measured: 10 of 12 with the card's start, 6 with the file's; area moved in 12 of 12
        assertTrue(keptCard >= 9, "colour and shape kept with the card's start in " + keptCard + " of " + 2 * seeds);
        assertTrue(keptCard > keptFile, "the card keeps more than the file's start: " + keptCard + " vs " + keptFile);
        assertTrue(grows >= 2 * seeds - 1, "area moves with the scale in " + grows + " of " + 2 * seeds);
    }

    @Test
    void theShippedGradientSliderShadesTheBackgroundBothWaysAndLeavesTheShape() {
        // the visual slider of the issue's bars, with its card's start_noise, on both backgrounds
        SliderCard card = SliderCard.of(Path.of("sliders", "gradient.safetensors"));
        String[] prompts = {"a red circle on a white background", "a blue square on a black background"};
        int apart = 0;
        double rise = 0;
        int kept = 0;
        int seeds = 4;
        for (long seed = 0; seed < seeds; seed++) {
            String prompt = prompts[(int) seed % prompts.length];
            Measurement low = generate(prompt, seed, List.of(card.spec(-2)));
            Measurement zero = generate(prompt, seed, List.of());
            Measurement high = generate(prompt, seed, List.of(card.spec(2)));
            // measured: +2 above -2 by 0.07-0.23 in 4 of 4, mean change 0 -> +2 0.100
            System.out.printf("gradient slider, seed %d: %.3f at -2, %.3f at 0, %.3f at +2%n", seed,
                    low.gradient(), zero.gradient(), high.gradient());
            apart += high.gradient() - low.gradient() > 0.05 ? 1 : 0;
            rise += (high.gradient() - zero.gradient()) / seeds;
            for (Measurement m : new Measurement[] {low, high}) {
                kept += m.colour() == zero.colour() && ShapeMeasurer.iou(m.mask(), zero.mask()) >= 0.8 ? 1 : 0;
            }
        }
        // the eval's Spearman over -2..2 is in docs/eval
        assertTrue(apart >= 3, "gradient at +2 above -2 by 0.05 in " + apart + " of " + seeds + " seeds");
        assertTrue(rise > 0.03, "mean gradient change 0 -> +2 " + rise);
        assertTrue(kept >= 7, "colour and mask (IoU >= 0.8) kept in " + kept + " of " + 2 * seeds + " images");
    }

    @Test
    void anInvertedDrawingEditedWithTheGradientSliderKeepsItsMask() {
        // the issue's edit bar for a non-geometric attribute: 2 of the shapes eval's scenes drawn
        // flat, shaded by the edit towards the bottom at +2 and the top at -2
        SliderCard card = SliderCard.of(Path.of("sliders", "gradient.safetensors"));
        ShapesWorld world = new ShapesWorld(64, 64);
        Random random = new Random(0);
        double[] scales = {-2, 0, 2};
        double iou = 0;
        int n = 2;
        for (int k = 0; k < n; k++) {
            ShapeScene scene = world.random(random).with(VisualAttribute.GRADIENT, 0);
            int[] drawn = world.render(scene);
            String prompt = prompt(scene);
            GenerateRequest r = new GenerateRequest(prompt, "", k, 20, 1.0, 64, 64, "ddim", List.of(card.spec(0)));
            List<RgbImage> out = studio.edit(new RgbImage(64, 64, drawn, prompt, Map.of()), r, scales,
                    new Inversion(300, 1), ProgressListener.NONE, CancelToken.none());
            Measurement original = ShapeMeasurer.measure(drawn, 64, 64);
            double[] g = new double[scales.length];
            for (int i = 0; i < scales.length; i++) {
                Measurement m = ShapeMeasurer.measure(out.get(i).argb(), 64, 64);
                g[i] = m.gradient();
                iou += ShapeMeasurer.iou(original.mask(), m.mask()) / (n * scales.length);
                assertEquals(scene.colour(), m.colour(), "scene " + k + ", scale " + scales[i]);
            }
            System.out.printf("gradient edit, scene %d: %.3f / %.3f / %.3f%n", k, g[0], g[1], g[2]);
            // measured -2 / 0 / +2: -0.141 / -0.003 / 0.132 and -0.039 / -0.005 / 0.033
            assertTrue(g[2] - g[1] > 0.02 && g[1] - g[0] > 0.02, "scene " + k + ": gradient at -2, 0, +2: "
                    + Arrays.toString(g));
        }
        assertTrue(iou >= 0.8, "mean mask IoU of the edits with the drawing " + iou);
    }

    private static String prompt(ShapeScene scene) {
        return "a " + scene.sizeClass().word() + " " + scene.colour().word() + " " + scene.shape().word()
                + " on a " + scene.backgroundClass().word() + " background";
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
        // session 5's slider, trained on the base model, on the fine-tuned one: 4 of 5, +0.0011 (on
        // the base model: 4 of 5, +0.0007); a slider that does not move the ring (session 2's): 2 of 5, -0.0001
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
        // VAE round trip of 16 drawn scenes of the gradient world: 27.7 dB with the decoder tuned on it (the
        // flat world with the VAE stage's own decoder: 21.6 dB, with its tuned one 27.1; 64 scenes)
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
            String prompt = prompt(scene);
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
