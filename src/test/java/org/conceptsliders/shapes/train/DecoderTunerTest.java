package org.conceptsliders.shapes.train;

import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.vae.AutoencoderKL;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapesWorld;
import org.conceptsliders.sliders.EmbeddedModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A few decoder-tuning steps on the embedded model: what changes, what must not, and an exact resume. */
class DecoderTunerTest {
    private static final DecoderRecipe FEW = new DecoderRecipe(3, 4, 2, 1e-4, 1, 1.0, 8.0, 0.5, 1.0, 1,
            ShapesWorld.Version.GRADIENT);
    private static final String VAE = "vae/diffusion_pytorch_model.safetensors";

    @TempDir
    static Path dir;
    private static Path model;
    private static Path full;

    @BeforeAll
    static void tuneUninterrupted() throws Exception {
        model = EmbeddedModel.folder();
        full = dir.resolve("full-model");
        DecoderTuner.run(model, dir.resolve("full"), full, FEW, ProgressListener.NONE, CancelToken.none());
    }

    @Test
    void theShippedVaeReconstructsEveryColourOnEveryBackground() throws Exception {
        // the VAE bar (>= 99 %) on the decoder stage's own check: 12 scenes per colour x
        // background of the gradient world; measured 144/144 when the model was built
        ShapesWorld world = new ShapesWorld(64, 64, ShapesWorld.Version.GRADIENT);
        List<ShapeScene> scenes = ColourCheck.scenes(world, 12, Seeds.of(DecoderRecipe.defaults().seed(), Seeds.COLOUR_SCENES));
        try (NDManager manager = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.load(model.resolve("vae"), manager, Compute.cpu());
            ColourCheck.Result r = ColourCheck.check(world, scenes, pictures -> BaseModelTrainer.reconstruct(vae, pictures));
            System.out.println("shipped VAE: " + r);
            assertEquals(144, r.total());
            assertTrue(r.rate() >= 0.99, r.toString());
        }
    }

    @Test
    void aRecipeWrittenBeforeTheSquaredErrorTermReadsWithoutIt() throws Exception {
        String older = DecoderRecipe.defaults().toJson().replaceAll("\\s*\"mseWeight\" : [0-9.]+,", "");
        assertFalse(older.contains("mseWeight"));
        Path file = dir.resolve("older-decoder-recipe.json");
        Files.writeString(file, older);
        assertEquals(0.0, DecoderRecipe.read(file).mseWeight());
        Files.writeString(file, older.replace("\"edgeWeight\"", "\"mseWeight\" : -1.0, \"edgeWeight\""));
        assertThrows(Exception.class, () -> DecoderRecipe.read(file));
    }

    @Test
    void onlyTheDecoderChangesAndTheRestOfTheFolderIsCopied() throws Exception {
        List<String> files = files(model);
        assertEquals(files, files(full));
        for (String f : files) {
            if (!f.equals(VAE)) {
                assertArrayEquals(Files.readAllBytes(model.resolve(f)), Files.readAllBytes(full.resolve(f)), f);
            }
        }
        int changed = 0;
        try (SafeTensors before = SafeTensors.open(model.resolve(VAE)); SafeTensors after = SafeTensors.open(full.resolve(VAE))) {
            assertEquals(before.keys(), after.keys());
            for (String k : before.keys()) {
                boolean same = before.bytes(k).equals(after.bytes(k));
                if (k.startsWith("decoder.") || k.startsWith("post_quant_conv.")) {
                    changed += same ? 0 : 1;
                } else {
                    assertTrue(same, k + ": the encoder and quant_conv stay as they were (the latent space)");
                }
            }
            assertEquals(FEW.identity(), after.metadata().get("conceptsliders.decoder_recipe"));
        }
        assertTrue(changed > 10, changed + " decoder tensors changed");
        assertTrue(Files.readString(dir.resolve("full/decoder.colour.txt")).contains("after"));
    }

    @Test
    void aResumedRunWritesTheSameDecoder() throws Exception {
        Path work = dir.resolve("resumed");
        Path out = dir.resolve("resumed-model");
        CancelToken cancel = new CancelToken();
        assertThrows(CancellationException.class, () -> DecoderTuner.run(model, work, out, FEW, p -> {
            if (p.step() == 2) {
                cancel.cancel();
            }
        }, cancel));
        assertFalse(Files.exists(out), "nothing is written before the run ends");
        DecoderTuner.run(model, work, out, FEW, ProgressListener.NONE, CancelToken.none());
        try (SafeTensors a = SafeTensors.open(full.resolve(VAE)); SafeTensors b = SafeTensors.open(out.resolve(VAE))) {
            for (String k : a.keys()) {
                assertEquals(a.bytes(k), b.bytes(k), k);
            }
        }
    }

    @Test
    void theModelFolderIsNeverTheOutput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DecoderTuner.run(model, dir.resolve("same"), model, FEW, ProgressListener.NONE, CancelToken.none()));
        assertTrue(e.getMessage().contains("model folder itself"), e.getMessage());
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
