package org.conceptsliders.shapes.eval;

import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.shapes.VisualAttribute;
import org.conceptsliders.sliders.DiffusionStudio;
import org.conceptsliders.sliders.Inversion;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The evaluation's statistics and figures, and one tiny run on the fixture model. */
class ShapesEvaluationTest {
    @TempDir
    Path tmp;

    @Test
    void orderedPairsCountsEachPairOfSizeWordsPerSeed() {
        double[][] rows = {{1, 2, 3}, {2, 1, 3}, {3, 2, 1}};
        // in order: row 1 all 3 pairs, row 2 two of 3 (2<3, 1<3), row 3 none
        assertEquals(5.0 / 9, EvalStats.orderedPairs(rows), 1e-12);
        assertEquals(1.0 / 3, EvalStats.fullyOrdered(rows), 1e-12);
        // ties are not in order
        assertEquals(0, EvalStats.orderedPairs(new double[][] {{1, 1}}));
    }

    @Test
    void meanSpearmanCountsAConstantRowAsZero() {
        double[] xs = {-2, -1, 0, 1, 2};
        double[][] rows = {{0.1, 0.2, 0.3, 0.4, 0.9}, {5, 5, 5, 5, 5}, {4, 3, 2, 1, 0}};
        assertEquals((1 + 0 - 1) / 3.0, EvalStats.meanSpearman(xs, rows), 1e-12);
    }

    @Test
    void changeRatioIsOneWhenCompositionMovesTheAttributeAsMuchAsAlone() {
        assertEquals(1, EvalStats.changeRatio(new double[] {1, 2}, new double[] {2, 4}, new double[] {2, 4}), 1e-12);
        assertEquals(0.5, EvalStats.changeRatio(new double[] {0, 0}, new double[] {2, 2}, new double[] {1, 1}), 1e-12);
    }

    @Test
    void effectRatioLeavesOutWhatTheOtherSliderDoesAlone() {
        // the other slider alone lowers the attribute by 3; with both on, this slider still adds its 2
        double[] base = {5, 5};
        double[] alone = {7, 7};
        double[] other = {2, 2};
        double[] both = {4, 4};
        assertEquals(-0.5, EvalStats.changeRatio(base, alone, both), 1e-12);
        assertEquals(1, EvalStats.effectRatio(base, alone, other, both), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> EvalStats.effectRatio(base, alone, new double[] {1}, both));
    }

    @Test
    void metricsJudgeTheirThresholds() {
        assertTrue(Metric.atLeast("s", "n", 90, "%", 90).passed());
        assertFalse(Metric.within("s", "n", 1.3, 1, 0.25).passed());
        assertTrue(Metric.within("s", "n", 0.8, 1, 0.25).passed());
        assertEquals(null, Metric.info("s", "n", 3, "").passed());
        assertEquals("0.123", Metric.format(0.12345));
    }

    @Test
    void figuresAreWrittenAsPngsOfTheExpectedSize() throws Exception {
        Path plot = tmp.resolve("plot.png");
        EvalFigures.plot(plot, "area vs scale", "slider scale", "area", new double[] {-2, -1, 0, 1, 2},
                new double[][] {{0.02, 0.03, 0.05, 0.07, 0.1}, {0.03, 0.03, 0.04, 0.06, 0.08}});
        BufferedImage p = ImageIO.read(plot.toFile());
        assertEquals(560, p.getWidth());
        assertEquals(380, p.getHeight());

        Path grid = tmp.resolve("grid.png");
        int[] red = new int[8 * 8];
        java.util.Arrays.fill(red, 0xFFFF0000);
        EvalFigures.grid(grid, List.of(List.of(red, red, red), List.of(red)), 8, 8, 3, List.of("-1", "0", "+1"),
                List.of("seed 0", "seed 1"));
        BufferedImage g = ImageIO.read(grid.toFile());
        int left = g.getWidth() - 3 * (24 + 4);
        assertTrue(left > 12, "room for the row labels");
        assertEquals(20 + 2 * (24 + 4), g.getHeight());
        // nearest-neighbour zoom: a picture's pixels stay exactly its colour
        assertEquals(0xFFFF0000, g.getRGB(left + 23, 20));
    }

    @Test
    void aTinyRunOnTheFixtureModelWritesEveryOutput() throws Exception {
        // no prompt following (18 pictures a seed): one size sweep (5 pictures) and one inversion keep it fast
        ShapesEvaluation.Options o = new ShapesEvaluation.Options(0, 1, 1, new Inversion(2, 1), 1, 7.5, 0,
                Reference.path("lora_sd1_xattn/slider.safetensors"), null, VisualAttribute.OUTLINE);
        EvalReport report;
        try (DiffusionStudio studio = DiffusionStudio.open(Reference.path("model_sd1"), Compute.cpu())) {
            report = ShapesEvaluation.run(studio, o, ProgressListener.NONE, CancelToken.none());
        }
        Map<String, List<Metric>> bySection = report.metrics().stream().collect(Collectors.groupingBy(Metric::section));
        assertEquals(2, bySection.size(), bySection.keySet().toString());
        Path out = tmp.resolve("eval");
        List<Path> files = report.write(out);
        for (String f : List.of("eval.json", "eval.md", "size_slider_plot.png", "size_slider_grid.png",
                "inversion_grid.png")) {
            assertTrue(files.contains(out.resolve(f)), f + " in " + files);
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(out.resolve("eval.md")).contains("| inversion | PSNR of the reconstruction (mean) |"));
    }
}
