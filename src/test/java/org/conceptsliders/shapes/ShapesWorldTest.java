package org.conceptsliders.shapes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapeScene.Shape;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesWorldTest {

    private final ShapesWorld world = new ShapesWorld();

    @Test
    void theFlatWorldDrawsWhatTheBaseModelWasTrainedOn() throws Exception {
        // SHA-256 of 50 scenes' captions and pictures as session 5's code drew them (commit 52f0102):
        // the embedded model's base stage rebuilds only if the flat world draws exactly these
        ShapesWorld flat = new ShapesWorld(64, 64, ShapesWorld.Version.FLAT);
        Random r = new Random(42);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 50; i++) {
            ShapeScene s = flat.random(r);
            assertEquals(0, s.gradient());
            md.update(flat.caption(s, r).getBytes(StandardCharsets.UTF_8));
            for (int v : flat.render(s)) {
                md.update(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16)});
            }
        }
        assertEquals("947dbdb768b9d94a5cb221adabc015d8a3b97d416c9483f1023959a209f619e9",
                HexFormat.of().formatHex(md.digest()));
    }

    @Test
    void captionsUseOnlyTheVocabularyAndAboutOneInTenIsEmpty() {
        Random random = new Random(5);
        int empty = 0;
        int draws = 2000;
        for (int k = 0; k < draws; k++) {
            String caption = world.caption(world.random(random), random);
            if (caption.isEmpty()) {
                empty++;
                continue;
            }
            assertTrue(caption.startsWith("a "), caption);
            for (String word : caption.split(" ")) {
                assertTrue(ShapesWorld.VOCABULARY.contains(word), "'" + word + "' in '" + caption + "'");
            }
        }
        // binomial(2000, 0.1): mean 200, sd 13.4
        assertTrue(empty > 150 && empty < 250, empty + " empty captions of " + draws);
    }

    @Test
    void captionNamesTheSceneAttributes() {
        ShapeScene scene = new ShapeScene(Shape.CIRCLE, 0.18, Colour.RED, 0.5, 0.5, 0.95, 0, 0);
        Random random = new Random(6);
        List<String> full = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            String caption = world.caption(scene, random);
            if (caption.split(" ").length == 8) {
                full.add(caption);
            }
            assertFalse(caption.contains("square") || caption.contains("black") || caption.contains("small"), caption);
        }
        assertTrue(full.contains("a large red circle on a white background"), full.toString());
        assertTrue(full.stream().allMatch(c -> c.matches("a large red (circle|shape) on a white background")), full.toString());
    }

    @Test
    void everyWordIsOneTokenOfClipsVocabulary() throws IOException {
        JsonNode vocab = new ObjectMapper().readTree(Reference.path("tokenizer/vocab.json").toFile());
        List<String> words = new ArrayList<>(ShapesWorld.VOCABULARY);
        for (VisualAttribute a : VisualAttribute.values()) {
            words.add(a.lowWord());
            words.add(a.highWord());
        }
        for (String word : words) {
            assertTrue(vocab.has(word + "</w>"), word);
        }
    }

    @Test
    void attributesAreNamedInLowerCaseAndAWrongNameListsTheRight() {
        assertEquals(VisualAttribute.OUTLINE, VisualAttribute.parse("outline"));
        assertEquals(VisualAttribute.POSITION, VisualAttribute.parse("Position"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VisualAttribute.parse("ring"));
        assertEquals("attribute 'ring': expected one of outline, blur, position, gradient", e.getMessage());
    }

    @Test
    void samplesAreReproducibleFromTheSeed() {
        ShapesWorld.Sample a = world.sample(new Random(7));
        ShapesWorld.Sample b = world.sample(new Random(7));
        assertEquals(a.scene(), b.scene());
        assertEquals(a.caption(), b.caption());
        assertArrayEquals(a.argb(), b.argb());
        assertEquals(64 * 64, a.argb().length);
    }

    @Test
    void randomShapesStayInsideThePicture() {
        Random random = new Random(8);
        for (int k = 0; k < 300; k++) {
            ShapeScene scene = world.random(random);
            scene = scene.with(VisualAttribute.BLUR, 0);
            int[] argb = world.render(scene);
            // the same background (gradient included) with a vanishing shape
            int[] bg = world.render(new ShapeScene(scene.shape(), 1e-9, scene.colour(), scene.x(), scene.y(),
                    scene.background(), 0, 0, scene.gradient()));
            for (int i = 0; i < 64; i++) {
                for (int border : new int[] {i, 63 * 64 + i, i * 64, i * 64 + 63}) {
                    assertEquals(bg[border], argb[border], scene.toString());
                }
            }
        }
    }

    @Test
    void theGradientShadesTheBackgroundTowardsTheOtherExtremeAndLeavesTheShape() {
        ShapeScene light = new ShapeScene(ShapeScene.Shape.CIRCLE, 0.1, ShapeScene.Colour.RED, 0.5, 0.5, 0.95, 0, 0, 0.2);
        int[] argb = world.render(light);
        // bottom row darker by 0.2 of the grey scale (less half a row), top row as drawn, the centre red
        assertEquals(Math.round((0.95 - 0.2 * 63.5 / 64) * 255), argb[63 * 64] & 0xFF);
        assertEquals(Math.round((0.95 - 0.2 * 0.5 / 64) * 255), argb[0] & 0xFF);
        assertEquals(0xFFFF0000, argb[32 * 64 + 32]);
        ShapeScene dark = new ShapeScene(ShapeScene.Shape.CIRCLE, 0.1, ShapeScene.Colour.RED, 0.5, 0.5, 0.05, 0, 0, -0.2);
        argb = world.render(dark);
        assertEquals(Math.round((0.05 + 0.2 * 63.5 / 64) * 255), argb[0] & 0xFF, "lighter at the top");
        for (ShapeScene s : new ShapeScene[] {light, dark, light.with(VisualAttribute.GRADIENT, -0.2)}) {
            Measurement m = ShapeMeasurer.measure(world.render(s), 64, 64);
            Measurement flat = ShapeMeasurer.measure(world.render(s.with(VisualAttribute.GRADIENT, 0)), 64, 64);
            assertEquals(s.gradient(), m.gradient(), 0.02, s.toString());
            assertEquals(0, flat.gradient(), 1e-9);
            assertEquals(1.0, ShapeMeasurer.iou(m.mask(), flat.mask()), 1e-9, "the same silhouette");
            assertEquals(flat.areaFraction(), m.areaFraction(), 0.02 * flat.areaFraction());
        }
        assertThrows(IllegalArgumentException.class, () -> light.with(VisualAttribute.GRADIENT, 0.6));
    }

    @Test
    void pairDiffersOnlyInTheAttribute() {
        ShapeScene scene = world.random(new Random(9));
        ShapesWorld.Pair pair = world.pair(scene, VisualAttribute.BLUR, 0, VisualAttribute.BLUR.high());
        assertEquals(scene.with(VisualAttribute.BLUR, 0), pair.low());
        assertEquals(VisualAttribute.BLUR.high(), pair.high().blur());
        assertEquals(pair.low(), pair.high().with(VisualAttribute.BLUR, 0));
        assertNotEquals(ShapeMeasurer.psnr(pair.lowArgb(), pair.highArgb()), Double.POSITIVE_INFINITY);
        // same silhouette: the masks nearly coincide
        Measurement lo = ShapeMeasurer.measure(pair.lowArgb(), 64, 64);
        Measurement hi = ShapeMeasurer.measure(pair.highArgb(), 64, 64);
        assertTrue(ShapeMeasurer.iou(lo.mask(), hi.mask()) > 0.8);
        assertTrue(hi.edgeBlur() > lo.edgeBlur());
    }

    @Test
    void rendersAnySize() {
        ShapeScene scene = new ShapeScene(Shape.DIAMOND, 0.15, Colour.GREEN, 0.5, 0.5, 0.05, 0.01, 0);
        int[] argb = ShapesWorld.render(scene, 100, 40);
        assertEquals(4000, argb.length);
        assertEquals(0xFF00FF00, argb[20 * 100 + 50]);
    }

    @Test
    void sceneRejectsValuesOutOfRange() {
        assertThrows(IllegalArgumentException.class,
                () -> new ShapeScene(Shape.CIRCLE, 0.8, Colour.RED, 0.5, 0.5, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new ShapeScene(Shape.CIRCLE, 0.1, Colour.RED, 1.5, 0.5, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new ShapeScene(Shape.CIRCLE, 0.1, Colour.RED, 0.5, 0.5, 0, -0.01, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new ShapeScene(null, 0.1, Colour.RED, 0.5, 0.5, 0, 0, Double.NaN));
    }
}
