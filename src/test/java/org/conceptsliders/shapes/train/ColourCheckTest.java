package org.conceptsliders.shapes.train;

import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapesWorld;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColourCheckTest {
    private final ShapesWorld world = new ShapesWorld();

    @Test
    void identityReconstructionKeepsEveryColour() {
        List<ShapeScene> scenes = ColourCheck.scenes(world, 8, 42);
        assertEquals(ShapeScene.Colour.values().length * ShapeScene.Background.values().length * 8, scenes.size());
        ColourCheck.Result r = ColourCheck.check(world, scenes, pictures -> pictures);
        System.out.println("identity: " + r);
        assertEquals(1.0, r.rate(), r.toString());
        assertTrue(r.failures().isEmpty());
        assertTrue(r.shapesKept() >= 0.95 * r.total(), "the measurer reads drawn shapes: " + r);
    }

    @Test
    void greyReconstructionFailsEveryCombination() {
        List<ShapeScene> scenes = ColourCheck.scenes(world, 2, 42);
        ColourCheck.Result r = ColourCheck.check(world, scenes, pictures -> Arrays.stream(pictures)
                .map(p -> Arrays.stream(p).map(c -> {
                    int grey = (((c >> 16) & 0xFF) + ((c >> 8) & 0xFF) + (c & 0xFF)) / 3;
                    return 0xFF000000 | grey << 16 | grey << 8 | grey;
                }).toArray()).toArray(int[][]::new));
        assertEquals(0, r.passed(), r.toString());
        assertEquals(12, r.failures().size(), "every colour on every background is named: " + r.failures());
        assertTrue(r.shapesKept() >= 0.9 * r.total(), "grey keeps the outline of the shape: " + r);
    }

    @Test
    void blankReconstructionKeepsNoShape() {
        List<ShapeScene> scenes = ColourCheck.scenes(world, 1, 42);
        ColourCheck.Result r = ColourCheck.check(world, scenes, pictures -> Arrays.stream(pictures)
                .map(p -> Arrays.stream(p).map(c -> p[0]).toArray()).toArray(int[][]::new));
        assertEquals(0, r.shapesKept(), r.toString());
    }

    @Test
    void scenesAreFixedBySeed() {
        assertEquals(ColourCheck.scenes(world, 3, 5), ColourCheck.scenes(world, 3, 5));
    }
}
