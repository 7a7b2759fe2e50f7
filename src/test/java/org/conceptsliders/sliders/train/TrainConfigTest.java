package org.conceptsliders.sliders.train;

import org.conceptsliders.runtime.pipeline.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Config and input errors are clear and raised before training; the paper's YAML loads as it is. */
class TrainConfigTest {
    @TempDir
    Path dir;

    @Test
    void paperPromptsFileLoadsWithItsDefaults() throws Exception {
        Path f = dir.resolve("prompts.yaml");
        Files.writeString(f, """
                - target: male white person
                  positive: male white person, very old, wrinkly, gray hair, aged skin
                  unconditional: male white person, very young, smooth skin, youthful
                  neutral: male white person
                  guidance: 4
                  rank: 4
                  action: enhance
                  resolution: 512
                  dynamic_resolution: false
                  batch_size: 1
                - target: car
                """);
        TextSliderConfig c = TextSliderConfig.load(f, List.of());
        assertEquals(2, c.prompts().size());
        PromptSet a = c.prompts().get(0);
        assertEquals(PromptSet.Action.ENHANCE, a.action());
        assertEquals(1.0, a.guidanceScale(), "'guidance' is not a PromptSettings field: the paper's code ignores it");
        PromptSet b = c.prompts().get(1);
        assertEquals("car", b.positive());
        assertEquals("", b.unconditional());
        assertEquals("", b.neutral());
        assertEquals(PromptSet.Action.ERASE, b.action());
        assertEquals(512, b.resolution());
        assertEquals(TrainMethod.NOXATTN, c.method());
        assertEquals(4, c.rank());
        assertEquals(1f, c.alpha());
        assertEquals(2e-4, c.learningRate());
        assertEquals(1000, c.iterations());
        assertEquals(50, c.maxDenoisingSteps());
    }

    @Test
    void trainingConfigWithPromptsFileAndAttributes() throws Exception {
        Files.writeString(dir.resolve("p.yaml"), """
                - target: person
                  positive: person, old
                  unconditional: person, young
                  neutral: person
                  action: enhance
                  guidance_scale: 4
                """);
        Path cfg = dir.resolve("config.yaml");
        Files.writeString(cfg, """
                prompts_file: "p.yaml"
                network:
                  type: "c3lier"
                  rank: 8
                  alpha: 1.0
                  training_method: "xattn"
                train:
                  precision: "bfloat16"
                  iterations: 500
                  lr: 0.0002
                  max_denoising_steps: 50
                attributes: "male, female"
                """);
        TextSliderConfig c = TextSliderConfig.load(cfg, List.of());
        assertEquals(TrainMethod.XATTN, c.method());
        assertEquals(8, c.rank());
        assertEquals(500, c.iterations());
        assertEquals(2, c.prompts().size());
        PromptSet m = c.prompts().get(0);
        assertEquals("male person", m.target());
        assertEquals("male person, old", m.positive());
        assertEquals("male person, young", m.unconditional());
        assertEquals("male person", m.neutral());
        assertEquals("female person", c.prompts().get(1).target());
        assertEquals(4.0, m.guidanceScale());
    }

    @Test
    void configErrorsNameTheField() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "- positive: old\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextSliderConfig.load(f, List.of()));
        assertTrue(e.getMessage().contains("target"), e.getMessage());

        Files.writeString(f, "prompts:\n  - target: a\nnetwork:\n  training_method: everything\n");
        e = assertThrows(IllegalArgumentException.class, () -> TextSliderConfig.load(f, List.of()));
        assertTrue(e.getMessage().contains("training_method") && e.getMessage().contains("xattn-strict"), e.getMessage());

        Files.writeString(f, "- target: a\n  acton: enhance\n");
        e = assertThrows(IllegalArgumentException.class, () -> TextSliderConfig.load(f, List.of()));
        assertTrue(e.getMessage().contains("acton"), e.getMessage());

        Files.writeString(f, "- target: a\n  action: amplify\n");
        e = assertThrows(IllegalArgumentException.class, () -> TextSliderConfig.load(f, List.of()));
        assertTrue(e.getMessage().contains("action"), e.getMessage());

        Files.writeString(f, "[]\n");
        assertThrows(IllegalArgumentException.class, () -> TextSliderConfig.load(f, List.of()));
    }

    @Test
    void pairFoldersMatchByNameWhateverTheExtensionCase() throws Exception {
        Path low = Files.createDirectories(dir.resolve("low"));
        Path high = Files.createDirectories(dir.resolve("high"));
        write(low.resolve("a.png"), 40, 24, "png");
        write(high.resolve("a.PNG"), 40, 24, "png");
        write(low.resolve("b.bmp"), 16, 16, "bmp");
        write(high.resolve("b.jpg"), 16, 16, "jpg");
        List<ImagePairs.Pair> pairs = ImagePairs.fromFolders(low, high);
        assertEquals(2, pairs.size());
        assertEquals(40, pairs.get(0).low().width());
        // aspect kept: shorter side to 64, cropped to multiples of 8
        int[] s = ImagePairs.trainingSize(40, 24, 64);
        assertEquals(104, s[0]);
        assertEquals(64, s[1]);
    }

    @Test
    void pairErrorsNameTheFile() throws Exception {
        Path low = Files.createDirectories(dir.resolve("low"));
        Path high = Files.createDirectories(dir.resolve("high"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImagePairs.fromFolders(low, high));
        assertTrue(e.getMessage().contains("no image pair"), e.getMessage());
        write(low.resolve("a.png"), 16, 16, "png");
        write(high.resolve("x.png"), 16, 16, "png");
        e = assertThrows(IllegalArgumentException.class, () -> ImagePairs.fromFolders(low, high));
        assertTrue(e.getMessage().contains("a.png") && e.getMessage().contains("x.png"), e.getMessage());
        Files.delete(high.resolve("x.png"));
        write(high.resolve("a.png"), 24, 16, "png");
        e = assertThrows(IllegalArgumentException.class, () -> ImagePairs.fromFolders(low, high));
        assertTrue(e.getMessage().contains("a.png") && e.getMessage().contains("differ in size"), e.getMessage());

        RgbImage one = new RgbImage(8, 8, new int[64], "", Map.of());
        assertThrows(IllegalArgumentException.class, () -> ImagePairs.of(List.of(one), List.of()));
        assertThrows(IllegalArgumentException.class, () -> ImagePairs.of(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> ImagePairs.parseLevel("folder"));
        assertFalse(ImagePairs.parseLevel("C:/x:2").getKey().toString().endsWith("2"));
    }

    static void write(Path file, int w, int h, String format) throws Exception {
        write(file, w, h, format, 0);
    }

    /** A red-green ramp, XORed with {@code tint} (another picture of the same size). */
    static void write(Path file, int w, int h, String format, int tint) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 255 / w) << 16 | (y * 255 / h) << 8 | 128) ^ tint);
            }
        }
        assertTrue(ImageIO.write(img, format, file.toFile()));
    }
}
