package org.conceptsliders.fiji;

import ij.IJ;
import ij.WindowManager;
import ij.macro.Interpreter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real ImageJ 1.x macros, headless and in batch mode, calling each plugins.config entry as a
 * user's macro would: {@code run("Label", "key=value ...")}.
 */
class Ij1MacroTest {

    @TempDir
    Path tmp;
    Fixtures fx;

    /** Installs our plugins.config lines as ImageJ does for a jar in plugins/. */
    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixtures(tmp);
        Fixtures.installImageJ1Commands();
    }

    @AfterEach
    void tearDown() {
        StudioCache.shared().setFactory(StudioFactory.DEFAULT);
        for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
            Interpreter.removeBatchModeImage(WindowManager.getImage(id));
        }
        Interpreter.batchMode = false;
    }

    static String macro(String body) {
        return IJ.runMacro("setBatchMode(true);\n" + body);
    }

    @Test
    void generateFromAMacro() {
        String r = macro("run(\"Generate...\", \"prompt=[a cat] seed=7.0 width=64 height=48 steps=3 slider=age scale=1.5\");\n"
                + "return getTitle() + '|' + bitDepth() + '|' + getWidth() + 'x' + getHeight() + '|' + nSlices + '|'"
                + " + getInfo('slice.label');");
        String[] p = r.split("\\|", 5);
        assertTrue(p[0].startsWith("Generated #"), r);
        assertEquals("24", p[1]);
        assertEquals("64x48", p[2]);
        assertEquals("1", p[3]);
        assertTrue(p[4].startsWith("age 1.5 | seed 7 | a cat"), r);
    }

    @Test
    void sweepFromAMacro() {
        String r = macro("run(\"Slider Sweep...\", \"slider=age scales=[-1, 0, 1] width=32 height=32\");\n"
                + "setSlice(3); return '' + nSlices + '|' + getInfo('slice.label');");
        assertTrue(r.startsWith("3|age 1 | seed 42"), r);
    }

    @Test
    void editEverySliceOfAThreeSliceStackOfEachType() {
        for (String type : new String[] {"8-bit", "16-bit", "32-bit", "RGB"}) {
            String r = macro("newImage(\"in\", \"" + type + " ramp\", 30, 20, 3);\n"
                    + "run(\"Edit Image with Sliders...\", \"slider=age scale=2 steps=3.0 stack\");\n"
                    + "return getTitle() + '|' + bitDepth() + '|' + getWidth() + 'x' + getHeight() + '|' + nSlices;");
            assertEquals("in-sliders|24|30x20|3", r, type);
        }
    }

    @Test
    void trainingAndFoldersFromAMacro() throws Exception {
        macro("newImage(\"lo\", \"8-bit ramp\", 16, 16, 3); newImage(\"hi\", \"8-bit white\", 16, 16, 3);\n"
                + "run(\"Train Slider from Image Pairs...\", \"low=lo high=hi name=bright iterations=2\");\n"
                + "run(\"Train Slider from Prompts...\", \"target=[a car] name=speed\");");
        assertTrue(Files.exists(fx.sliders.resolve("bright.safetensors")));
        assertTrue(Files.exists(fx.sliders.resolve("speed.json")));
        assertTrue(fx.trainer.asked.startsWith("prompts null a car"));
        macro("run(\"Models and Sliders...\", \"models=[" + fx.models + "] sliders=[" + fx.sliders + "]\");");
        assertTrue(IJ.getLog() == null || !IJ.getLog().contains("Exception"));
    }

    @Test
    void aProblemStopsTheMacroWithAMessage() {
        String r = macro("run(\"Edit Image with Sliders...\", \"slider=age\"); return 'went on';");
        assertNotEquals("went on", r, "the macro must not go on as if the image had been made");
        assertTrue(fx.opened.isEmpty());
    }
}
