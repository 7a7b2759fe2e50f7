package org.conceptsliders.fiji;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.NewImage;
import ij.macro.Interpreter;
import ij.process.ImageProcessor;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.ARGBType;
import org.conceptsliders.fiji.command.EditCommand;
import org.conceptsliders.fiji.command.GenerateCommand;
import org.conceptsliders.fiji.command.ModelsAndSlidersCommand;
import org.conceptsliders.fiji.command.SweepCommand;
import org.conceptsliders.fiji.command.TrainFromPairsCommand;
import org.conceptsliders.fiji.command.TrainFromPromptsCommand;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Inversion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Each SciJava command run through the CommandService against the fake model. */
class CommandsTest {

    @TempDir
    Path tmp;
    Fixtures fx;
    Context context;
    CommandService commands;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixtures(tmp);
        context = new Context(CommandService.class, ConceptSlidersService.class);
        commands = context.getService(CommandService.class);
        Interpreter.batchMode = true;
    }

    @AfterEach
    void tearDown() {
        context.dispose();
        StudioCache.shared().setFactory(StudioFactory.DEFAULT);
        for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
            Interpreter.removeBatchModeImage(WindowManager.getImage(id));
        }
        WindowManager.setTempCurrentImage(null);
        Interpreter.batchMode = false;
    }

    CommandModule run(Class<? extends Command> c, Object... inputs) throws Exception {
        return commands.run(c, false, inputs).get();
    }

    ImagePlus image(Class<? extends Command> c, Object... inputs) throws Exception {
        CommandModule m = run(c, inputs);
        assertFalse(m.isCanceled(), () -> "cancelled: " + m.getCancelReason());
        return (ImagePlus) m.getOutput("result");
    }

    String problem(Class<? extends Command> c, Object... inputs) throws Exception {
        CommandModule m = run(c, inputs);
        assertTrue(m.isCanceled(), "expected a message");
        return m.getCancelReason();
    }

    static ImagePlus open(ImagePlus imp) {
        Interpreter.addBatchModeImage(imp);
        WindowManager.setTempCurrentImage(imp);
        return imp;
    }

    @Test
    void generateMakesOneLabelledRgbImageWithItsSettings() throws Exception {
        ImagePlus imp = image(GenerateCommand.class, "prompt", "a cat", "seed", 7.0, "width", 64.0, "height", 48.0,
                "steps", 3.0, "slider", "age", "scale", 1.5);
        assertEquals(ImagePlus.COLOR_RGB, imp.getType());
        assertArrayEquals(new int[] {64, 48, 1, 1, 1}, imp.getDimensions());
        assertTrue(imp.getTitle().startsWith("Generated #"), imp.getTitle());
        assertEquals("age 1.5 | seed 7 | a cat", imp.getStack().getShortSliceLabel(1));
        String info = (String) imp.getProperty("Info");
        assertTrue(info.contains("run(\"Generate...\", \"model=[] device=auto prompt=[a cat] negative=[] steps=3 guidance=7.5 scheduler=[] seed=7"), info);
        assertTrue(info.contains("fake model embedded on auto"), info);
        assertEquals(750, fx.last().lastRequest.sliders().get(0).startNoise().getAsInt(), "the card's start_noise when none is given");
    }

    @Test
    void firstGenerateUsesTheModelsNativeSizeAndScheduler() throws Exception {
        ImagePlus imp = image(GenerateCommand.class, "seed", 1.0, "steps", 2.0);
        assertArrayEquals(new int[] {64, 64, 1, 1, 1}, imp.getDimensions(), "width/height 0: the model's native size");
        assertEquals(fx.last().defaultScheduler(), fx.last().lastRequest.scheduler());
        image(GenerateCommand.class, "width", 16.0, "height", 16.0, "steps", 2.0, "scheduler", "euler");
        assertEquals("euler", fx.last().lastRequest.scheduler(), "a chosen scheduler wins");
    }

    @Test
    void scaleZeroEqualsPlainGeneration() throws Exception {
        ImagePlus zero = image(GenerateCommand.class, "seed", 3.0, "width", 32.0, "height", 32.0, "slider", "age", "scale", 0.0);
        ImagePlus plain = image(GenerateCommand.class, "seed", 3.0, "width", 32.0, "height", 32.0, "slider", "");
        assertArrayEquals((int[]) plain.getProcessor().getPixels(), (int[]) zero.getProcessor().getPixels());
    }

    @Test
    void sweepSlicesGrowMonotonicallyAroundTheScaleZeroSlice() throws Exception {
        ImagePlus plain = image(GenerateCommand.class, "seed", 7.0, "width", 64.0, "height", 64.0, "slider", "");
        ImagePlus sweep = image(SweepCommand.class, "seed", 7.0, "width", 64.0, "height", 64.0, "slider", "age",
                "scales", "-2, -1, 0, 1, 2", "prompt", "a dog");
        assertEquals(5, sweep.getStackSize());
        assertEquals("age -2 | seed 7 | a dog", sweep.getStack().getShortSliceLabel(1));
        assertEquals("age 2 | seed 7 | a dog", sweep.getStack().getShortSliceLabel(5));
        assertArrayEquals((int[]) plain.getProcessor().getPixels(), (int[]) sweep.getStack().getPixels(3));
        for (int i = 1; i < 5; i++) {
            assertTrue(FakeStudio.white((int[]) sweep.getStack().getPixels(i)) < FakeStudio.white((int[]) sweep.getStack().getPixels(i + 1)));
        }
        assertTrue(sweep.getTitle().startsWith("Sweep age #"));
    }

    @Test
    void sweepWithASecondSliderMakesAGrid() throws Exception {
        ImagePlus grid = image(SweepCommand.class, "width", 32.0, "height", 32.0, "slider", "age", "scales", "0 2",
                "second", "smile", "secondscales", "-1, 1");
        assertEquals(4, grid.getStackSize());
        assertTrue(grid.getStack().getSliceLabel(1).startsWith("age 0, smile -1 | seed 42 | a photo of a person, high quality\n"));
        assertTrue(grid.getStack().getSliceLabel(4).startsWith("age 2, smile 1 | seed 42"));
    }

    ImagePlus stack16() {
        ImagePlus imp = NewImage.createShortImage("cells.tif", 30, 20, 3, NewImage.FILL_RAMP);
        imp.setDisplayRange(0, 65535);
        imp.getCalibration().pixelWidth = 0.25;
        imp.getCalibration().setUnit("um");
        return open(imp);
    }

    @Test
    void editProcessesEverySliceKeepingSizeTitleAndCalibration() throws Exception {
        ImagePlus in = stack16();
        ImagePlus out = image(EditCommand.class, "slider", "age", "scale", 0.0, "image", "cells.tif");
        assertEquals(3, out.getStackSize());
        assertEquals(30, out.getWidth());
        assertEquals(20, out.getHeight());
        assertEquals("cells-sliders", out.getTitle());
        assertEquals(0.25, out.getCalibration().pixelWidth);
        assertEquals("\u00b5m", out.getCalibration().getUnit());
        for (int n = 1; n <= 3; n++) {
            assertArrayEquals(ImagePlusConversion.slice(in, n).argb(), (int[]) out.getStack().getPixels(n), "scale 0 gives the input back");
        }
        assertTrue(out.getStack().getShortSliceLabel(2).startsWith("slice 2 | age 0"));
    }

    @Test
    void editWithScalesSweepsEachSlice() throws Exception {
        stack16();
        ImagePlus out = image(EditCommand.class, "slider", "age", "scales", "0, 2");
        assertEquals(6, out.getStackSize());
        assertTrue(out.getStack().getShortSliceLabel(4).startsWith("slice 2 | age 2"), out.getStack().getShortSliceLabel(4));
    }

    @Test
    void editOfTheCurrentSliceOnly() throws Exception {
        stack16().setSlice(2);
        ImagePlus out = image(EditCommand.class, "slider", "age", "stack", false, "image", "cells.tif");
        assertEquals(1, out.getStackSize());
    }

    @Test
    void editInvertsAsTheDialogSays() throws Exception {
        stack16();
        image(EditCommand.class, "slider", "age", "image", "cells.tif");
        FakeStudio fake = (FakeStudio) StudioCache.shared().studio(null, "auto");
        assertEquals(new Inversion(0, 1), fake.lastInversion, "defaults");
        image(EditCommand.class, "slider", "age", "image", "cells.tif", "latent_fit", 40, "fixed_point", 3);
        assertEquals(new Inversion(40, 3), fake.lastInversion);
    }

    @Test
    void cancelKeepsTheSlicesAlreadyDone() throws Exception {
        stack16();
        ((FakeStudio) StudioCache.shared().studio(null, "auto")).cancelAfter = 2;
        ImagePlus out = image(EditCommand.class, "slider", "age", "image", "cells.tif");
        assertEquals(2, out.getStackSize());
    }

    @Test
    void trainFromPromptsWritesTheSliderAndItsCard() throws Exception {
        CommandModule m = run(TrainFromPromptsCommand.class, "target", "car", "enhance", "fast car", "suppress", "slow car",
                "iterations", 10.0, "rank", 2.0, "name", "speed");
        assertFalse(m.isCanceled(), m::getCancelReason);
        assertEquals(fx.sliders.resolve("speed.safetensors").toString(), m.getOutput("file"));
        assertEquals("prompts null car / fast car / slow car 10 2", fx.trainer.asked);
        assertEquals("speed", org.conceptsliders.sliders.SliderCard.of(fx.sliders.resolve("speed.safetensors")).name());
    }

    @Test
    void failedTrainingLeavesNothingBehind() throws Exception {
        fx.trainer.fail = true;
        assertEquals("training diverged", problem(TrainFromPromptsCommand.class, "name", "broken"));
        try (var files = Files.list(fx.sliders)) {
            assertEquals(List.of("age_slider.json", "age_slider.safetensors", "smile.safetensors", "smile.yaml"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void trainFromPairsOfStacks() throws Exception {
        open(NewImage.createByteImage("young", 20, 20, 3, NewImage.FILL_RAMP));
        open(NewImage.createRGBImage("old", 20, 20, 3, NewImage.FILL_WHITE));
        CommandModule m = run(TrainFromPairsCommand.class, "low", "young", "high", "old", "name", "aged", "iterations", 5.0,
                "symmetry", 100.0);
        assertFalse(m.isCanceled(), m::getCancelReason);
        assertEquals("pairs 3 24x24 5 4 100.0", fx.trainer.asked);
    }

    @Test
    void problemsTheUserCanFixAreClearMessages() throws Exception {
        assertTrue(problem(EditCommand.class, "slider", "age").contains("No image is open"));
        assertTrue(problem(GenerateCommand.class, "model", "nope").contains("model 'nope': no such folder"));
        Files.write(fx.sliders.resolve("broken.safetensors"), new byte[] {1, 2, 3});
        assertTrue(problem(GenerateCommand.class, "slider", "broken").contains("is not a readable safetensors file"));
        assertTrue(problem(GenerateCommand.class, "slider", "nobody").contains("there: age, broken, smile"));
        assertTrue(problem(GenerateCommand.class, "width", 50.0).contains("multiples of 8"));
        assertTrue(problem(GenerateCommand.class, "steps", 2.5).contains("steps: expected an integer"));
        open(NewImage.createByteImage("a", 20, 20, 3, NewImage.FILL_RAMP));
        open(NewImage.createByteImage("b", 20, 20, 2, NewImage.FILL_RAMP));
        assertEquals("low has 3 images and high has 2: each image needs its partner, in the same order.",
                problem(TrainFromPairsCommand.class, "low", "a", "high", "b"));
        ImagePlus two = NewImage.createByteImage("two", 20, 20, 2, NewImage.FILL_RAMP);
        two.setDimensions(2, 1, 1);
        open(new ij.CompositeImage(two));
        assertTrue(problem(EditCommand.class, "slider", "age", "image", "two").contains("Stack to RGB"));
        assertTrue(fx.opened.isEmpty(), "no model is loaded for a bad input");
    }

    @Test
    void theDefaultFactoryRunsTheRealRuntime() throws Exception {
        StudioCache.shared().setFactory(StudioFactory.DEFAULT);
        ImagePlus imp = image(GenerateCommand.class, "model", org.conceptsliders.testing.Reference.path("model_sd1").toString(),
                "device", "cpu", "width", 32.0, "height", 24.0, "steps", 2.0, "seed", 3.0);
        assertEquals(32, imp.getWidth());
        assertEquals(24, imp.getHeight());
        assertEquals(ImagePlus.COLOR_RGB, imp.getType());
        StudioCache.shared().release();
        // the real trainer, two iterations on the fixture model: a slider file that loads
        run(TrainFromPromptsCommand.class, "model", org.conceptsliders.testing.Reference.path("model_sd1").toString(),
                "device", "cpu", "iterations", 2.0, "name", "real");
        Path trained = fx.sliders.resolve("real.safetensors");
        assertTrue(Files.exists(trained), "trained slider written");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
             org.conceptsliders.sliders.Slider s = org.conceptsliders.sliders.Slider.load(trained, m)) {
            assertEquals(4, s.rank());
        }
        StudioCache.shared().release();
    }

    @Test
    void modelsAndSlidersListsFoldersAndCards() throws Exception {
        CommandModule m = run(ModelsAndSlidersCommand.class, "models", fx.models.toString(), "sliders", fx.sliders.toString());
        String listing = (String) m.getOutput("listing");
        assertTrue(listing.contains("  tiny"), listing);
        assertTrue(listing.contains("age  (age_slider.safetensors; concept: old age; base: sd-1.5; scales: -3, 0, 3; start_noise: 750)"), listing);
        assertTrue(listing.contains("smile  (smile.safetensors; concept: smiling; scales: -1, 1)"), listing);
        assertTrue(problem(ModelsAndSlidersCommand.class, "models", tmp.resolve("none").toString()).contains("no such folder"));
    }

    @Test
    void modelsAreCachedByFolderAndDeviceAndReleased() throws Exception {
        image(GenerateCommand.class, "width", 16.0, "height", 16.0);
        image(GenerateCommand.class, "width", 16.0, "height", 16.0, "seed", 1.0);
        assertEquals(1, fx.opened.size());
        image(GenerateCommand.class, "width", 16.0, "height", 16.0, "model", "tiny", "device", "cpu");
        assertEquals(2, fx.opened.size());
        assertTrue(fx.opened.get(0).closed, "opening another model frees the first");
        assertEquals(fx.models.resolve("tiny"), fx.last().model);
        context.getService(ConceptSlidersService.class).release();
        assertTrue(fx.last().closed);
    }

    @Test
    void javaApiReturnsImgOverTheGeneratedPixels() {
        ConceptSlidersService service = context.getService(ConceptSlidersService.class);
        Img<ARGBType> img = service.generate(null, "cpu", new GenerateRequest("x", "", 1, 2, 7, 24, 16, "ddim", List.of()));
        assertArrayEquals(new long[] {24, 16}, img.dimensionsAsLongArray());
        ImagePlus imp = ImagePlusConversion.stack("t", List.of(new org.conceptsliders.runtime.pipeline.RgbImage(2, 1,
                new int[] {1, 2}, "", java.util.Map.of()), new org.conceptsliders.runtime.pipeline.RgbImage(2, 1,
                new int[] {3, 4}, "", java.util.Map.of())), List.of("a", "b"), "");
        Img<ARGBType> shared = ArgbImgs.wrap(List.of(ImagePlusConversion.slice(imp, 1), ImagePlusConversion.slice(imp, 2)));
        assertArrayEquals(new long[] {2, 1, 2}, shared.dimensionsAsLongArray());
        ImageProcessor ip = imp.getStack().getProcessor(2);
        assertEquals(4, ip.get(1, 0) & 0xffffff);
    }
}
