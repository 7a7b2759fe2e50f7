package org.conceptsliders.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ij.IJ;
import ij.ImagePlus;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.io.TensorFiles;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.shapes.ShapeMeasurer;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapesWorld;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as users and the conformance checks call it. */
class CliTest {
    @TempDir
    Path tmp;

    @Test
    void forwardRunsTheUnetWithSlidersAsTheConformanceRunner() throws Exception {
        Path out = tmp.resolve("out.safetensors");
        assertEquals(0, Main.execute("forward", "--component", Reference.path("unet_sd1").toString(),
                "--inputs", Reference.path("lora_sd1_noxattn_conv/io.safetensors").toString(),
                "--slider", Reference.path("lora_sd1_noxattn_conv/slider.pt") + ":-2.5", "--out", out.toString()));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = TensorFiles.loadAll(Reference.path("lora_sd1_noxattn_conv/io.safetensors"), m);
            Map<String, NDArray> got = TensorFiles.loadAll(out, m);
            Reference.assertClose(got.get("sample"), io.get("expected_scale_-2.5"), Reference.MODULE_TOL, "forward");
        }
    }

    @Test
    void forwardWithStartNoiseGatesEachSampleByItsOwnTimestep() throws Exception {
        // the fixture's timesteps are 981 and 1: with start_noise 500 only the second sample has the slider
        Path out = tmp.resolve("gated.safetensors");
        assertEquals(0, Main.execute("forward", "--component", Reference.path("unet_sd1").toString(),
                "--inputs", Reference.path("lora_sd1_xattn/io.safetensors").toString(),
                "--slider", Reference.path("lora_sd1_xattn/slider.safetensors") + ":1.0:500", "--out", out.toString()));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray got = TensorFiles.loadAll(out, m).get("sample");
            NDArray plain = TensorFiles.loadAll(Reference.path("unet_sd1/io.safetensors"), m).get("expected");
            NDArray slid = TensorFiles.loadAll(Reference.path("lora_sd1_xattn/io.safetensors"), m).get("expected_scale_+1.0");
            Reference.assertClose(got.get("0:1"), plain.get("0:1"), Reference.MODULE_TOL, "t=981: slider off");
            Reference.assertClose(got.get("1:2"), slid.get("1:2"), Reference.MODULE_TOL, "t=1: slider on");
        }
    }

    @Test
    void forwardRunsTextEncoderAndVae() throws Exception {
        Path out = tmp.resolve("te.safetensors");
        assertEquals(0, Main.execute("forward", "--component", Reference.path("clip_text_sdxl_2").toString(),
                "--inputs", Reference.path("clip_text_sdxl_2/io.safetensors").toString(), "--out", out.toString()));
        Path vae = tmp.resolve("vae.safetensors");
        assertEquals(0, Main.execute("forward", "--component", Reference.path("vae").toString(),
                "--inputs", Reference.path("vae/io.safetensors").toString(), "--out", vae.toString()));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = TensorFiles.loadAll(Reference.path("clip_text_sdxl_2/io.safetensors"), m);
            Map<String, NDArray> got = TensorFiles.loadAll(out, m);
            for (String k : new String[] {"last_hidden_state", "penultimate_hidden_state", "pooler_output", "text_embeds"}) {
                Reference.assertClose(got.get(k), io.get(k), Reference.MODULE_TOL, k);
            }
            Map<String, NDArray> vio = TensorFiles.loadAll(Reference.path("vae/io.safetensors"), m);
            Map<String, NDArray> vgot = TensorFiles.loadAll(vae, m);
            for (String k : new String[] {"latent_mean", "latent_std", "decoded"}) {
                Reference.assertClose(vgot.get(k), vio.get(k), Reference.MODULE_TOL, k);
            }
        }
    }

    @Test
    void forwardNamesAMissingInput() throws Exception {
        Path in = tmp.resolve("in.safetensors");
        Files.copy(Reference.path("vae/io.safetensors"), in);
        String err = run("forward", "--component", Reference.path("unet_sd1").toString(), "--inputs", in.toString(),
                "--out", tmp.resolve("o.safetensors").toString());
        assertTrue(err.contains("missing input tensor 'sample'"), err);
        assertFalse(Files.exists(tmp.resolve("o.safetensors")));
    }

    @Test
    void tokenizePrintsOneLineOfIdsPerPrompt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes));
        try {
            assertEquals(0, Main.execute("tokenize", "--tokenizer", Reference.path("tokenizer").toString(), "--pad", "zero",
                    "a photo of a cat", "hello"));
        } finally {
            System.setOut(old);
        }
        String[] lines = bytes.toString().trim().split("\n");
        assertEquals(2, lines.length);
        assertEquals(77, lines[0].split(" ").length);
        assertTrue(lines[1].startsWith("49406 "), lines[1]);
        assertTrue(lines[1].endsWith(" 0"), "zero padding");
    }

    @Test
    void benchPipelineReportsEachPhaseAndThePeakMemoryOfAGeneration() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes));
        try {
            assertEquals(0, Main.execute("bench-pipeline", "--prompt", "a red circle on a white background", "--steps", "3",
                    "--device", "cpu"));
        } finally {
            System.setOut(old);
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bytes.toString().trim());
        assertEquals(64, json.get("width").asInt(), "the embedded model's native size");
        assertEquals(3, json.get("steps").asInt());
        for (String key : new String[] {"load_s", "encode_and_first_step_s", "step_median_s", "decode_s", "generate_s"}) {
            assertTrue(json.get(key).asDouble() > 0, key + " in " + json);
        }
        // the peak counts the loaded weights at least (8 MB of fp16 files, float32 in memory)
        assertTrue(json.get("peak_rss_steps_mb").asLong() > 16, json.toString());
        assertTrue(json.get("peak_rss_decode_mb").asLong() > 16, json.toString());
    }

    @Test
    void benchTimesAUnetAndWritesLibtorchsOperatorTrace() throws Exception {
        Path trace = tmp.resolve("trace.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes));
        try {
            assertEquals(0, Main.execute("bench", "--config", Reference.path("unet_sd1/config.json").toString(),
                    "--latent", "8", "--runs", "2", "--device", "cpu", "--profile", trace.toString()));
        } finally {
            System.setOut(old);
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bytes.toString().trim());
        for (String key : new String[] {"forward", "forward_backward"}) {
            var t = json.get(key);
            assertTrue(t.get("min_s").asDouble() > 0 && t.get("min_s").asDouble() <= t.get("median_s").asDouble()
                    && t.get("median_s").asDouble() <= t.get("max_s").asDouble(), key + " in " + json);
        }
        // the trace holds the forward's and autograd's backward operators under libtorch's own names
        var events = new com.fasterxml.jackson.databind.ObjectMapper().readTree(trace.toFile());
        java.util.Set<String> names = new java.util.HashSet<>();
        (events.isArray() ? events : events.get("traceEvents")).forEach(e -> names.add(e.path("name").asText()));
        assertTrue(names.contains("aten::convolution"), "forward convolutions in the trace");
        assertTrue(names.stream().anyMatch(n -> n.contains("ConvolutionBackward")), "backward in the trace: " + names.size());
    }

    @Test
    void benchPipelineRefusesARandomModelAndAModelTogether() {
        assertTrue(run("bench-pipeline", "--prompt", "x", "--random-sd15", "--model", tmp.toString())
                .contains("--random-sd15 and --model"));
    }

    @Test
    void generateWritesAPngWithParametersAndSweepATiffStack() throws Exception {
        Path png = tmp.resolve("a.png");
        String model = Reference.path("model_sd1").toString();
        assertEquals(0, Main.execute("generate", "--model", model, "--prompt", "a cat", "--seed", "5", "--steps", "3",
                "--width", "32", "--height", "32", "--device", "cpu", "--out", png.toString()));
        String params = ImageFiles.readPngParameters(png);
        assertNotNull(params);
        assertTrue(params.startsWith("a cat\n"), params);
        assertTrue(params.contains("Seed: 5") && params.contains("Steps: 3") && params.contains("Size: 32x32"), params);

        Path tif = tmp.resolve("s.tif");
        assertEquals(0, Main.execute("sweep", "--model", model, "--prompt", "a cat", "--steps", "2", "--width", "32",
                "--height", "32", "--device", "cpu", "--slider", Reference.path("lora_sd1_xattn/slider.safetensors").toString(),
                "--scales", "-1,0,1", "--out", tif.toString()));
        ImagePlus imp = IJ.openImage(tif.toString());
        assertEquals(3, imp.getStackSize());
        assertTrue(imp.getStack().getSliceLabel(1).startsWith("slider -1 | seed 0 | a cat"), imp.getStack().getSliceLabel(1));
        assertEquals(ImagePlus.COLOR_RGB, imp.getType());
    }

    @Test
    void imageToImageReadsTheInitImage() throws Exception {
        String model = Reference.path("model_sd1").toString();
        Path init = tmp.resolve("init.png");
        assertEquals(0, Main.execute("generate", "--model", model, "--prompt", "a cat", "--seed", "1", "--steps", "2",
                "--width", "32", "--height", "32", "--device", "cpu", "--out", init.toString()));
        Path out = tmp.resolve("i2i.png");
        assertEquals(0, Main.execute("generate", "--model", model, "--prompt", "a dog", "--steps", "4", "--width", "32",
                "--height", "32", "--device", "cpu", "--init-image", init.toString(), "--strength", "0.5", "--out", out.toString()));
        String params = ImageFiles.readPngParameters(out);
        assertTrue(params.startsWith("a dog") && params.contains("Denoising strength: 0.5"), params);
        assertTrue(run("generate", "--model", model, "--prompt", "x", "--width", "32", "--height", "32", "--device", "cpu",
                "--init-image", tmp.resolve("none.png").toString(), "--out", out.toString()).contains("none.png"));
    }

    @Test
    void editInvertsADrawnPictureAndSweepsTheSliderOverIt() throws Exception {
        ShapesWorld world = new ShapesWorld(64, 64);
        ShapeScene scene = new ShapeScene(ShapeScene.Shape.SQUARE, 0.2, ShapeScene.Colour.RED, 0.5, 0.5, 0.05, 0, 0);
        int[] drawn = world.render(scene);
        Path in = tmp.resolve("drawn.png");
        ImageFiles.writePng(new RgbImage(64, 64, drawn, "drawn", Map.of()), in);
        Path out = tmp.resolve("edit.tif");
        assertEquals(0, Main.execute("edit", "--image", in.toString(), "--prompt", "a medium red square on a black background",
                "--slider", "sliders/size.safetensors", "--scales", "0,2", "--steps", "10", "--fit-steps", "100",
                "--device", "cpu", "--out", out.toString()));
        ImagePlus imp = IJ.openImage(out.toString());
        assertEquals(2, imp.getStackSize());
        String label = imp.getStack().getSliceLabel(2);
        assertTrue(label.startsWith("size 2 | a medium red square"), label);
        assertTrue(label.contains("latent fit steps: 100") && label.contains("inversion iterations: 1")
                && label.contains("Sampler: ddim") && label.contains("CFG scale: 1.0"), label);
        int[] rebuilt = (int[]) imp.getStack().getPixels(1);
        double psnr = ShapeMeasurer.psnr(drawn, rebuilt);
        System.out.printf("edit: scale 0 rebuilds the drawn square at %.1f dB%n", psnr);
        assertTrue(psnr > 22, "PSNR " + psnr);
        double area0 = ShapeMeasurer.measure(rebuilt, 64, 64).areaFraction();
        double area2 = ShapeMeasurer.measure((int[]) imp.getStack().getPixels(2), 64, 64).areaFraction();
        assertTrue(area2 > area0, area0 + " -> " + area2);

        assertTrue(run("edit", "--image", in.toString(), "--prompt", "x", "--scales", "0,1", "--out", out.toString())
                .contains("--scales: needs a --slider"));
    }

    @Test
    void shapesPairsDrawsFromTheWorldItIsGiven() throws Exception {
        for (String world : new String[] {"flat", "gradient"}) {
            Path out = tmp.resolve("pairs-" + world);
            assertEquals(0, Main.execute("shapes", "pairs", "--attribute", "outline", "--count", "6", "--seed", "3",
                    "--world", world, "--out", out.toString()));
            double steepest = 0;
            for (int i = 0; i < 6; i++) {
                ImagePlus low = IJ.openImage(out.resolve("low").resolve(String.format("%03d.png", i)).toString());
                int[] argb = (int[]) low.getProcessor().convertToRGB().getPixels();
                steepest = Math.max(steepest, Math.abs(ShapeMeasurer.measure(argb, 64, 64).gradient()));
            }
            // the gradient world draws |gradient| uniform in [0, 0.2]: one of 6 below 0.03 has odds 0.15^6
            assertEquals("flat".equals(world), steepest < 0.03, world + ": steepest gradient " + steepest);
        }
    }

    @Test
    void shapesCurvesPlotsLossLogs() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.loss.csv"), "step,loss,lr,seconds\n1,0.5,0,0\n2,0.4,0,0\n3,0.3,0,0\n4,0.2,0,0\n");
        Path png = tmp.resolve("curves.png");
        assertEquals(0, Main.execute("shapes", "curves", "--window", "2", "--out", png.toString(), "vae=" + a));
        assertEquals(560, IJ.openImage(png.toString()).getWidth());
        assertTrue(run("shapes", "curves", "--window", "2", "--out", png.toString(), "x=" + tmp.resolve("none.csv"))
                .contains("none.csv"));
    }

    @Test
    void generateRejectsSizesThatAreNotMultiplesOfEight() throws Exception {
        String err = run("generate", "--model", Reference.path("model_sd1").toString(), "--prompt", "x", "--width", "30",
                "--height", "32", "--device", "cpu", "--out", tmp.resolve("x.png").toString());
        assertTrue(err.contains("multiples of 8"), err);
    }

    @Test
    void convertTurnsThePapersPtIntoKohyaSafetensors() throws Exception {
        Path out = tmp.resolve("conv.safetensors");
        assertEquals(0, Main.execute("convert", Reference.path("lora_sd1_xattn/slider.pt").toString(), "--model",
                Reference.path("model_sd1").toString(), "--out", out.toString()));
        try (SafeTensors st = SafeTensors.open(out)) {
            assertEquals("networks.lora", st.metadata().get("ss_network_module"));
            assertEquals("8", st.metadata().get("ss_network_dim"));
            assertTrue(st.keys().stream().allMatch(k -> k.startsWith("lora_unet_")), st.keys().toString());
        }
    }

    /** Runs the CLI and returns what it printed on stderr; asserts a non-zero exit. */
    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(bytes));
        int rc;
        try {
            rc = Main.execute(args);
        } finally {
            System.setErr(old);
        }
        assertTrue(rc != 0, "expected a failure exit code");
        return bytes.toString();
    }
}
