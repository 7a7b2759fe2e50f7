package org.conceptsliders.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Prefs;
import ij.WindowManager;
import ij.macro.Interpreter;
import ij.process.ColorProcessor;
import org.conceptsliders.fiji.command.EditCommand;
import org.conceptsliders.fiji.command.GenerateCommand;
import org.conceptsliders.fiji.command.ModelsAndSlidersCommand;
import org.conceptsliders.fiji.command.SweepCommand;
import org.conceptsliders.fiji.command.TrainFromPairsCommand;
import org.conceptsliders.fiji.command.TrainFromPromptsCommand;
import org.conceptsliders.shapes.Measurement;
import org.conceptsliders.shapes.ShapeMeasurer;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapesWorld;
import org.conceptsliders.shapes.VisualAttribute;
import org.conceptsliders.sliders.Slider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every command through the CommandService (and one macro) on the real runtime: the embedded
 * default model (no {@code model} given) and the shipped size slider, measured with the shapes
 * world's measurer.
 */
class EmbeddedCommandsTest {
    private static final String PROMPT = "a red circle on a black background";
    private static final Object[] GENERATION = {"prompt", PROMPT, "seed", 3.0, "steps", 10.0, "guidance", 5.0, "device", "cpu"};

    @TempDir
    static Path tmp;
    static Path sliders;
    static Context context;
    static CommandService commands;

    @BeforeAll
    static void setUp() throws Exception {
        sliders = Files.createDirectories(tmp.resolve("sliders"));
        for (String f : new String[] {"size.safetensors", "size.json"}) {
            Files.copy(Path.of("sliders", f), sliders.resolve(f));
        }
        Prefs.set(Folders.SLIDERS_KEY, sliders.toString());
        Prefs.set(Folders.MODELS_KEY, Files.createDirectories(tmp.resolve("models")).toString());
        StudioCache.shared().setFactory(StudioFactory.DEFAULT);
        context = new Context(CommandService.class, ConceptSlidersService.class);
        commands = context.getService(CommandService.class);
        Interpreter.batchMode = true;
        Fixtures.installImageJ1Commands();
    }

    @AfterAll
    static void tearDown() {
        context.dispose();
        StudioCache.shared().release();
        Interpreter.batchMode = false;
    }

    @AfterEach
    void closeImages() {
        for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
            Interpreter.removeBatchModeImage(WindowManager.getImage(id));
        }
        WindowManager.setTempCurrentImage(null);
    }

    static CommandModule run(Class<? extends Command> c, Object... inputs) throws Exception {
        CommandModule m = commands.run(c, false, inputs).get();
        assertFalse(m.isCanceled(), () -> c.getSimpleName() + " cancelled: " + m.getCancelReason());
        return m;
    }

    static ImagePlus image(Class<? extends Command> c, Object... inputs) throws Exception {
        return (ImagePlus) run(c, inputs).getOutput("result");
    }

    static Object[] with(Object[] base, Object... more) {
        Object[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    static int[] pixels(ImagePlus imp, int slice) {
        return (int[]) imp.getStack().getPixels(slice);
    }

    static Measurement measure(ImagePlus imp, int slice) {
        return ShapeMeasurer.measure(pixels(imp, slice), imp.getWidth(), imp.getHeight());
    }

    static double meanAbsDifference(int[] a, int[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int shift = 0; shift < 24; shift += 8) {
                sum += Math.abs(((a[i] >> shift) & 0xff) - ((b[i] >> shift) & 0xff));
            }
        }
        return sum / (3.0 * a.length);
    }

    /** A stack of {@code n} 64x64 RGB slices drawn by {@code draw}, open in the editor. */
    static ImagePlus openStack(String title, int n, IntFunction<int[]> draw) {
        ImageStack stack = new ImageStack(64, 64);
        for (int i = 0; i < n; i++) {
            stack.addSlice("s" + i, new ColorProcessor(64, 64, draw.apply(i)));
        }
        ImagePlus imp = new ImagePlus(title, stack);
        Interpreter.addBatchModeImage(imp);
        WindowManager.setTempCurrentImage(imp);
        return imp;
    }

    @Test
    void sweepSliceAtScaleZeroIsThePlainGenerationAndTheSizeGrowsWithTheScale() throws Exception {
        ImagePlus plain = image(GenerateCommand.class, GENERATION);
        assertEquals(64, plain.getWidth(), "the embedded model's native size");
        assertEquals(ImagePlus.COLOR_RGB, plain.getType());
        ImagePlus sweep = image(SweepCommand.class, with(GENERATION, "slider", "size", "scales", "-2, -1, 0, 1, 2"));
        assertEquals(5, sweep.getStackSize());
        assertTrue(sweep.getStack().getSliceLabel(1).startsWith("size -2 | seed 3 | " + PROMPT), sweep.getStack().getSliceLabel(1));
        assertArrayEquals(pixels(plain, 1), pixels(sweep, 3), "scale 0 is the generation without the slider");

        double[] area = new double[5];
        double[] distance = new double[5];
        for (int i = 0; i < 5; i++) {
            area[i] = measure(sweep, i + 1).areaFraction();
            distance[i] = meanAbsDifference(pixels(sweep, i + 1), pixels(sweep, 3));
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(area[i] < area[i + 1], () -> "shape area rises with the scale: " + java.util.Arrays.toString(area));
        }
        assertTrue(distance[0] > distance[1] && distance[1] > 0, () -> "negative side: " + java.util.Arrays.toString(distance));
        assertTrue(distance[4] > distance[3] && distance[3] > 0, () -> "positive side: " + java.util.Arrays.toString(distance));
    }

    @Test
    void editSweepsEverySliceOfAStackOfDrawnShapes() throws Exception {
        ShapesWorld world = new ShapesWorld(64, 64);
        ShapeScene.Size medium = ShapeScene.Size.MEDIUM;
        List<ShapeScene> scenes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            scenes.add(new ShapeScene(ShapeScene.Shape.CIRCLE, (medium.min() + medium.max()) / 2, ShapeScene.Colour.values()[i],
                    0.3 + 0.2 * i, 0.5, 0.0, 0, 0));
        }
        openStack("drawn", 3, i -> world.render(scenes.get(i)));
        ImagePlus edited = image(EditCommand.class, "prompt", PROMPT, "steps", 10.0, "guidance", 1.0, "device", "cpu",
                "slider", "size", "scales", "-2, 0, 2", "stack", true);
        assertEquals(9, edited.getStackSize(), "a sweep of three scales per slice");
        assertEquals(64, edited.getWidth());
        assertTrue(edited.getTitle().startsWith("drawn"), edited.getTitle());
        for (int s = 0; s < 3; s++) {
            int[] rebuilt = pixels(edited, 3 * s + 2);
            assertEquals(scenes.get(s).colour(), measure(edited, 3 * s + 2).colour(), "slice " + (s + 1) + " keeps its colour");
            assertTrue(edited.getStack().getSliceLabel(3 * s + 3).contains("size 2 | "), edited.getStack().getSliceLabel(3 * s + 3));
            for (int edit : new int[] {3 * s + 1, 3 * s + 3}) {
                double d = meanAbsDifference(pixels(edited, edit), rebuilt);
                assertTrue(d > 0.5, "slice " + (s + 1) + ": the slider at +-2 changes the reconstruction (" + d + " grey levels)");
            }
        }
    }

    @Test
    void trainingCommandsWriteSlidersThatGenerateUses() throws Exception {
        run(TrainFromPromptsCommand.class, "target", "a circle", "enhance", "a large circle", "suppress", "a small circle",
                "iterations", 2.0, "name", "bigger", "device", "cpu");
        ShapesWorld world = new ShapesWorld(64, 64);
        Random random = new Random(5);
        List<ShapesWorld.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pairs.add(world.pair(world.random(random), VisualAttribute.OUTLINE, 0, VisualAttribute.OUTLINE.high()));
        }
        openStack("thin", 2, i -> pairs.get(i).lowArgb());
        openStack("thick", 2, i -> pairs.get(i).highArgb());
        run(TrainFromPairsCommand.class, "low", "thin", "high", "thick", "iterations", 2.0, "name", "ring", "device", "cpu");
        for (String name : new String[] {"bigger", "ring"}) {
            Path file = sliders.resolve(name + ".safetensors");
            assertTrue(Files.exists(file), file + " written");
            assertTrue(Files.exists(sliders.resolve(name + ".json")), name + "'s card written");
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(); Slider s = Slider.load(file, m)) {
                assertEquals(4, s.rank());
            }
            ImagePlus imp = image(GenerateCommand.class, with(GENERATION, "slider", name, "scale", 1.0, "steps", 3.0));
            assertTrue(imp.getStack().getSliceLabel(1).startsWith(name + " 1 | seed 3"), imp.getStack().getSliceLabel(1));
        }
        String listing = (String) run(ModelsAndSlidersCommand.class).getOutput("listing");
        assertTrue(listing.contains("size  (size.safetensors; concept: "), listing);
        assertTrue(listing.contains("ring  (ring.safetensors"), listing);
    }

    @Test
    void sweepFromAnImageJMacro() {
        String r = IJ.runMacro("setBatchMode(true);\n"
                + "run(\"Slider Sweep...\", \"prompt=[" + PROMPT + "] seed=3 steps=6 guidance=5 device=cpu slider=size scales=[-1, 0, 1]\");\n"
                + "setSlice(3); return '' + nSlices + '|' + getWidth() + '|' + getInfo('slice.label');");
        assertTrue(r != null && r.startsWith("3|64|size 1 | seed 3 | " + PROMPT), r + "\n" + IJ.getLog());
    }
}
