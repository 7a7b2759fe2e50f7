package org.conceptsliders.shapes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapeScene.Shape;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
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
        assertFalse(full.isEmpty());
        assertEquals("a large red circle on a white background", full.get(0));
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
        assertEquals("attribute 'ring': expected one of outline, blur, position", e.getMessage());
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
            int bg = argb[0];
            for (int i = 0; i < 64; i++) {
                assertEquals(bg, argb[i], scene.toString());
                assertEquals(bg, argb[63 * 64 + i], scene.toString());
                assertEquals(bg, argb[i * 64], scene.toString());
                assertEquals(bg, argb[i * 64 + 63], scene.toString());
            }
        }
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
