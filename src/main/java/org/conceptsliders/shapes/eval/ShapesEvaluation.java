package org.conceptsliders.shapes.eval;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.shapes.Measurement;
import org.conceptsliders.shapes.ShapeMeasurer;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapeScene.Background;
import org.conceptsliders.shapes.ShapeScene.Colour;
import org.conceptsliders.shapes.ShapeScene.Shape;
import org.conceptsliders.shapes.ShapeScene.Size;
import org.conceptsliders.shapes.ShapesWorld;
import org.conceptsliders.shapes.VisualAttribute;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Inversion;
import org.conceptsliders.sliders.SliderCard;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.sliders.Studio;
import org.conceptsliders.sliders.Labels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Measures how well a model of the shapes world follows prompts and how well its sliders work,
 * with {@link ShapeMeasurer} reading every generated picture back. Thresholds are reported in
 * the {@link EvalReport}, not asserted. Everything is seeded: the same options give the same
 * numbers.
 *
 * <ul>
 * <li>Prompt following: six prompts "a [size] colour shape on a background-word background", one
 *     per colour (shapes and backgrounds cycling), each at the three size words, over
 *     {@code samples} seeds. Colour, shape and background: the share of pictures measured as
 *     prompted. Size: the share of pairs of size words (same prompt otherwise, same seed) whose
 *     measured areas are in the order the words name.</li>
 * <li>Text slider (size): {@code sliderSeeds} sweeps over scales -2..2 of the same prompts without
 *     the size word; Spearman's rho between scale and area, averaged over seeds; the share of
 *     slid pictures whose colour and shape stay those of the seed's scale-0 picture.</li>
 * <li>Visual slider: the same for the measured outline or edge blur, and, with both sliders, the
 *     change of each attribute at (+2, +2) over its change alone (1 ± 25 %).</li>
 * <li>Inversion: pictures drawn by {@link ShapesWorld}, DDIM-inverted under their full caption
 *     with guidance 1 and regenerated ({@link Studio#edit}, slider at scale 0): PSNR and mask IoU
 *     with the drawing; with the visual slider at -2 and +2: rho of the attribute, mask IoU with
 *     the drawing, colour kept.</li>
 * </ul>
 * Sliders run with the start_noise of their files.
 */
public final class ShapesEvaluation {

    /**
     * @param samples      seeds per prompt for prompt following (0 skips it)
     * @param sliderSeeds  seeds of each slider sweep
     * @param inversions   drawn pictures to invert (0 skips it)
     * @param inversion    how drawn pictures are inverted ({@link Studio#edit})
     * @param steps        DDIM steps of every generation and inversion
     * @param guidance     classifier-free guidance of generations (inversions use 1)
     * @param seed         first seed; scenes to invert are drawn from it too
     * @param sizeSlider   a text slider for size, or null
     * @param visualSlider a visual slider for {@code attribute}, or null
     */
    public record Options(int samples, int sliderSeeds, int inversions, Inversion inversion, int steps, double guidance,
                          long seed, Path sizeSlider, Path visualSlider, VisualAttribute attribute) {
        public Options {
            if (samples < 0 || sliderSeeds < 1 || inversions < 0 || steps < 1) {
                throw new IllegalArgumentException("samples and inversions must be >= 0, slider seeds and steps >= 1; got "
                        + samples + ", " + inversions + ", " + sliderSeeds + ", " + steps);
            }
            if (visualSlider != null && attribute == null) {
                throw new IllegalArgumentException("a visual slider needs its attribute (outline, blur, position or gradient)");
            }
        }
    }

    /** Slider scales of the sweeps. */
    public static final double[] SCALES = {-2, -1, 0, 1, 2};
    /** Slider scales of the edits of inverted pictures; 0 is the plain reconstruction. */
    public static final double[] EDIT_SCALES = {-2, 0, 2};
    /** Scale of each slider in the composition test. */
    private static final double COMPOSED = 2;
    private static final int PROMPTS = Colour.values().length;
    /** Grids show at most this many seeds. */
    private static final int GRID_ROWS = 8;

    private static final String PROMPT = "prompt following";
    private static final String TEXT = "text slider (size)";
    private static final String COMPOSE = "composition";
    private static final String INVERT = "inversion";

    private final Studio studio;
    private final Options options;
    private final ProgressListener progress;
    private final CancelToken cancel;
    private final EvalReport report = new EvalReport();
    private final int size;
    private final int total;
    private final long started = System.nanoTime();
    private int done;

    private ShapesEvaluation(Studio studio, Options options, ProgressListener progress, CancelToken cancel) {
        this.studio = studio;
        this.options = options;
        this.progress = progress;
        this.cancel = cancel;
        this.size = studio.nativeSize();
        int sweeps = (options.sizeSlider() != null ? 1 : 0) + (options.visualSlider() != null ? 1 : 0);
        int edits = options.visualSlider() != null ? EDIT_SCALES.length : 1;
        this.total = PROMPTS * Size.values().length * options.samples()
                + options.sliderSeeds() * (sweeps * SCALES.length + (sweeps == 2 ? 1 : 0))
                + options.inversions() * edits;
    }

    /** Runs every part the options ask for; {@code progress} counts pictures. */
    public static EvalReport run(Studio studio, Options options, ProgressListener progress, CancelToken cancel) {
        return new ShapesEvaluation(studio, options, progress, cancel).run();
    }

    private EvalReport run() {
        report.setting("model", studio.describe());
        report.setting("size", size + "x" + size);
        report.setting("steps", options.steps());
        report.setting("guidance", options.guidance());
        report.setting("seed", options.seed());
        report.setting("samples per prompt", options.samples());
        report.setting("slider seeds", options.sliderSeeds());
        report.setting("inversions", options.inversions());
        report.setting("inversion: latent fit steps", options.inversion().fitSteps());
        report.setting("inversion: fixed-point iterations", options.inversion().iterations());
        if (options.samples() > 0) {
            promptFollowing();
        }
        Sweeps text = null;
        Sweeps visual = null;
        if (options.sizeSlider() != null) {
            report.setting("size slider", options.sizeSlider().getFileName().toString());
            text = sweep(TEXT, "area", "size_slider", options.sizeSlider(), "area (fraction of the picture)", Measurement::areaFraction);
        }
        if (options.visualSlider() != null) {
            report.setting("visual slider", options.visualSlider().getFileName().toString() + " ("
                    + attributeName() + ")");
            visual = sweep(visualSection(), attributeName(), attributeName() + "_slider",
                    options.visualSlider(), attributeLabel(), attribute());
        }
        if (text != null && visual != null) {
            composition(text, visual);
        }
        if (options.inversions() > 0) {
            inversion();
        }
        return report;
    }

    private void promptFollowing() {
        int n = options.samples();
        Size[] sizes = Size.values();
        double[][] areas = new double[PROMPTS * n][sizes.length];
        int colour = 0;
        int shape = 0;
        int background = 0;
        int sizeClass = 0;
        List<List<int[]>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int p = 0; p < PROMPTS; p++) {
            for (int k = 0; k < n; k++) {
                long seed = options.seed() + k;
                List<int[]> row = new ArrayList<>();
                for (Size s : sizes) {
                    String prompt = prompt(s, colour(p), shape(p), background(p));
                    int[] argb = generate(request(prompt, seed, options.guidance(), List.of()), PROMPT);
                    Measurement m = measure(argb);
                    colour += m.colour() == colour(p) ? 1 : 0;
                    shape += m.shape() == shape(p) ? 1 : 0;
                    background += m.background() == background(p) ? 1 : 0;
                    sizeClass += m.sizeClass() == s ? 1 : 0;
                    areas[p * n + k][s.ordinal()] = m.areaFraction();
                    row.add(argb);
                }
                if (k == 0) {
                    rows.add(row);
                    labels.add(colour(p).word() + " " + shape(p).word());
                }
            }
        }
        double images = PROMPTS * n * sizes.length;
        report.add(Metric.atLeast(PROMPT, "colour as prompted", 100 * colour / images, "%", 90));
        report.add(Metric.atLeast(PROMPT, "size order: pairs of size words in order", 100 * EvalStats.orderedPairs(areas),
                "%", 90));
        report.add(Metric.info(PROMPT, "size order: small < medium < large", 100 * EvalStats.fullyOrdered(areas), "%"));
        report.add(Metric.atLeast(PROMPT, "shape as prompted", 100 * shape / images, "%", 75));
        report.add(Metric.atLeast(PROMPT, "background as prompted", 100 * background / images, "%", 95));
        report.add(Metric.info(PROMPT, "size class as prompted", 100 * sizeClass / images, "%"));
        report.detail("prompt following areas [prompt x seed][small, medium, large]", areas);
        report.grid("prompts", new EvalReport.Grid(rows, size, size,
                Arrays.stream(sizes).map(Size::word).toList(), labels));
    }

    /** One sweep per seed over {@link #SCALES}; measurements at every scale, by seed. */
    private record Sweeps(int[][][] pictures, Measurement[][] measured) {
        Measurement at(int seed, double scale) {
            return measured[seed][indexOf(SCALES, scale)];
        }

        int[] picture(int seed, double scale) {
            return pictures[seed][indexOf(SCALES, scale)];
        }
    }

    private Sweeps sweep(String section, String name, String file, Path slider, String yLabel, ToDoubleFunction<Measurement> attribute) {
        int n = options.sliderSeeds();
        int[][][] pictures = new int[n][SCALES.length][];
        Measurement[][] measured = new Measurement[n][SCALES.length];
        double[][] values = new double[n][SCALES.length];
        int zero = indexOf(SCALES, 0);
        int kept = 0;
        int colourKept = 0;
        int shapeKept = 0;
        int slid = 0;
        List<List<int[]>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            long seed = options.seed() + k;
            List<int[]> row = new ArrayList<>();
            for (int i = 0; i < SCALES.length; i++) {
                int[] argb = generate(request(sliderPrompt(k), seed, options.guidance(),
                        List.of(spec(slider, SCALES[i]))), section);
                pictures[k][i] = argb;
                measured[k][i] = measure(argb);
                values[k][i] = attribute.applyAsDouble(measured[k][i]);
                row.add(argb);
            }
            for (int i = 0; i < SCALES.length; i++) {
                if (i != zero) {
                    Measurement m = measured[k][i];
                    boolean colour = m.colour() == measured[k][zero].colour();
                    boolean shape = m.shape() == measured[k][zero].shape();
                    kept += colour && shape ? 1 : 0;
                    colourKept += colour ? 1 : 0;
                    shapeKept += shape ? 1 : 0;
                    slid++;
                }
            }
            if (k < GRID_ROWS) {
                rows.add(row);
                labels.add("seed " + seed);
            }
        }
        report.add(Metric.atLeast(section, "Spearman rho, scale vs " + name + " (mean over seeds)",
                EvalStats.meanSpearman(SCALES, values), "", 0.9));
        report.add(Metric.atLeast(section, "colour and shape kept from scale 0", 100.0 * kept / slid, "%", 90));
        // apart, to tell a changed colour from a blob whose measured shape class flips as it grows
        report.add(Metric.info(section, "colour kept from scale 0", 100.0 * colourKept / slid, "%"));
        report.add(Metric.info(section, "shape kept from scale 0", 100.0 * shapeKept / slid, "%"));
        report.add(Metric.info(section, name + " change from scale 0 to +2 (mean)",
                EvalStats.mean(column(values, indexOf(SCALES, 2))) - EvalStats.mean(column(values, zero)), ""));
        report.detail(section + " " + name + " [seed][scale -2..2]", values);
        report.plot(file + "_plot", new EvalReport.Plot(section + ": " + name + " vs scale", yLabel, SCALES, values));
        report.grid(file + "_grid", new EvalReport.Grid(rows, size, size,
                Arrays.stream(SCALES).mapToObj(Labels::scale).toList(), labels));
        return new Sweeps(pictures, measured);
    }

    /**
     * Both sliders at +2: each attribute's change from the scale-0 picture over its change with
     * its own slider alone. The sweeps' scale-0 pictures are the same request for both sliders.
     */
    private void composition(Sweeps text, Sweeps visual) {
        int n = options.sliderSeeds();
        // [scale 0, own slider +2, both +2, the other slider +2]
        double[][] area = new double[4][n];
        double[][] attr = new double[4][n];
        ToDoubleFunction<Measurement> attribute = attribute();
        List<List<int[]>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            long seed = options.seed() + k;
            int[] argb = generate(request(sliderPrompt(k), seed, options.guidance(),
                    List.of(spec(options.sizeSlider(), COMPOSED), spec(options.visualSlider(), COMPOSED))),
                    COMPOSE);
            Measurement both = measure(argb);
            area[0][k] = text.at(k, 0).areaFraction();
            area[1][k] = text.at(k, COMPOSED).areaFraction();
            area[2][k] = both.areaFraction();
            attr[0][k] = attribute.applyAsDouble(visual.at(k, 0));
            attr[1][k] = attribute.applyAsDouble(visual.at(k, COMPOSED));
            attr[2][k] = attribute.applyAsDouble(both);
            area[3][k] = visual.at(k, COMPOSED).areaFraction();
            attr[3][k] = attribute.applyAsDouble(text.at(k, COMPOSED));
            if (k < GRID_ROWS) {
                rows.add(List.of(text.picture(k, 0), text.picture(k, COMPOSED), visual.picture(k, COMPOSED), argb));
                labels.add("seed " + seed);
            }
        }
        String name = attributeName();
        report.add(Metric.within(COMPOSE, "size change at (+2, +2) / alone", EvalStats.changeRatio(area[0], area[1], area[2]),
                1, 0.25));
        report.add(Metric.within(COMPOSE, name + " change at (+2, +2) / alone",
                EvalStats.changeRatio(attr[0], attr[1], attr[2]), 1, 0.25));
        // the same without what the other slider does to the attribute by itself (a bigger blob's measured ring changes)
        report.add(Metric.info(COMPOSE, "size slider's own effect with " + name + " at +2 / alone",
                EvalStats.effectRatio(area[0], area[1], area[3], area[2]), ""));
        report.add(Metric.info(COMPOSE, name + " slider's own effect with size at +2 / alone",
                EvalStats.effectRatio(attr[0], attr[1], attr[3], attr[2]), ""));
        report.detail("composition area [scale 0, size +2, both +2, " + name + " +2][seed]", area);
        report.detail("composition " + name + " [scale 0, " + name + " +2, both +2, size +2][seed]", attr);
        report.grid("composition_grid", new EvalReport.Grid(rows, size, size,
                List.of("0, 0", "size +2", name + " +2", "both +2"), labels));
    }

    private void inversion() {
        Random random = new Random(options.seed());
        ShapesWorld world = new ShapesWorld(size, size);
        Path visual = options.visualSlider();
        double[] scales = visual != null ? EDIT_SCALES : new double[] {0};
        int zero = indexOf(scales, 0);
        ToDoubleFunction<Measurement> attribute = visual != null ? attribute() : Measurement::areaFraction;
        int n = options.inversions();
        double[] psnr = new double[n];
        double[] iou = new double[n];
        double[][] values = new double[n][scales.length];
        double editIou = 0;
        int colourKept = 0;
        int edits = 0;
        List<List<int[]>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            ShapeScene scene = world.random(random);
            int[] drawn = world.render(scene);
            Measurement original = measure(drawn);
            String prompt = prompt(scene.sizeClass(), scene.colour(), scene.shape(), scene.backgroundClass());
            List<SliderSpec> sliders = visual != null ? List.of(spec(visual, 0)) : List.of();
            GenerateRequest r = request(prompt, options.seed() + k, 1, sliders);
            List<RgbImage> out = studio.edit(new RgbImage(size, size, drawn, prompt, Map.of()), r,
                    visual != null ? scales : null, options.inversion(), ProgressListener.NONE, cancel);
            List<int[]> row = new ArrayList<>(List.of(drawn));
            for (int i = 0; i < scales.length; i++) {
                int[] argb = out.get(i).argb();
                Measurement m = measure(argb);
                values[k][i] = attribute.applyAsDouble(m);
                if (i == zero) {
                    psnr[k] = ShapeMeasurer.psnr(drawn, argb);
                    iou[k] = ShapeMeasurer.iou(original.mask(), m.mask());
                } else {
                    editIou += ShapeMeasurer.iou(original.mask(), m.mask());
                    colourKept += m.colour() == scene.colour() ? 1 : 0;
                    edits++;
                }
                row.add(argb);
                tick(INVERT);
            }
            if (k < GRID_ROWS) {
                rows.add(row);
                labels.add("scene " + k);
            }
        }
        report.add(Metric.atLeast(INVERT, "PSNR of the reconstruction (mean)", EvalStats.mean(psnr), "dB", 25));
        report.add(Metric.atLeast(INVERT, "mask IoU, reconstruction vs drawing (mean)", EvalStats.mean(iou), "", 0.9));
        report.detail("inversion PSNR [scene]", psnr);
        report.detail("inversion mask IoU [scene]", iou);
        List<String> columns = new ArrayList<>(List.of("drawn"));
        if (visual != null) {
            String name = attributeName();
            report.add(Metric.atLeast(INVERT, "edit: Spearman rho, scale vs " + name + " (mean)",
                    EvalStats.meanSpearman(scales, values), "", 0.9));
            report.add(Metric.info(INVERT, "edit: " + name + " change from scale 0 to +2 (mean)",
                    EvalStats.mean(column(values, indexOf(scales, 2))) - EvalStats.mean(column(values, zero)), ""));
            // the bar for an attribute that is not geometric
            report.add(Metric.atLeast(INVERT, "edit: mask IoU with the drawing (mean)", editIou / edits, "", 0.8));
            report.add(Metric.atLeast(INVERT, "edit: colour kept", 100.0 * colourKept / edits, "%", 90));
            report.detail("edit " + name + " [scene][scale -2, 0, +2]", values);
            Arrays.stream(scales).mapToObj(s -> s == 0 ? "rebuilt" : "edit " + Labels.scale(s)).forEach(columns::add);
        } else {
            columns.add("rebuilt");
        }
        report.grid("inversion_grid", new EvalReport.Grid(rows, size, size, columns, labels));
    }

    /** A slider at {@code scale} with its card's start_noise, as the CLI and Fiji use it. */
    private static SliderSpec spec(Path slider, double scale) {
        return SliderCard.of(slider).spec(scale);
    }

    private int[] generate(GenerateRequest r, String what) {
        int[] argb = studio.generate(r, ProgressListener.NONE, cancel).argb();
        tick(what);
        return argb;
    }

    private void tick(String what) {
        done++;
        progress.onProgress(new Progress(done, total, Double.NaN, System.nanoTime() - started, what));
    }

    private GenerateRequest request(String prompt, long seed, double guidance, List<SliderSpec> sliders) {
        return new GenerateRequest(prompt, "", seed, options.steps(), guidance, size, size, "ddim", sliders);
    }

    private Measurement measure(int[] argb) {
        return ShapeMeasurer.measure(argb, size, size);
    }

    private String visualSection() {
        return "visual slider (" + attributeName() + ")";
    }

    private String attributeName() {
        return options.attribute().name().toLowerCase(Locale.ROOT);
    }

    private ToDoubleFunction<Measurement> attribute() {
        return switch (options.attribute()) {
            case OUTLINE -> Measurement::outline;
            case BLUR -> Measurement::edgeBlur;
            case POSITION -> Measurement::x;
            case GRADIENT -> Measurement::gradient;
        };
    }

    private String attributeLabel() {
        return switch (options.attribute()) {
            case OUTLINE -> "outline (fraction of the side)";
            case BLUR -> "edge blur sigma (fraction of the side)";
            case POSITION -> "centre x (fraction of the width)";
            case GRADIENT -> "background gradient (fraction of the grey scale)";
        };
    }

    /** The caption form of {@link ShapesWorld}: "a [size] colour shape on a black|white background". */
    static String prompt(Size size, Colour colour, Shape shape, Background background) {
        return "a " + (size == null ? "" : size.word() + " ") + colour.word() + " " + shape.word() + " on a "
                + background.word() + " background";
    }

    /** The k-th slider sweep's prompt: no size word, colours, shapes and backgrounds cycling. */
    private static String sliderPrompt(int k) {
        int p = k % PROMPTS;
        return prompt(null, colour(p), shape(p), background(p));
    }

    private static Colour colour(int p) {
        return Colour.values()[p % Colour.values().length];
    }

    private static Shape shape(int p) {
        return Shape.values()[p % Shape.values().length];
    }

    private static Background background(int p) {
        return Background.values()[p % Background.values().length];
    }

    private static double[] column(double[][] rows, int i) {
        return Arrays.stream(rows).mapToDouble(r -> r[i]).toArray();
    }

    private static int indexOf(double[] values, double v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        throw new IllegalArgumentException(v + " is not among " + Arrays.toString(values));
    }
}
