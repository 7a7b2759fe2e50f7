package org.conceptsliders.shapes.train;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.io.Sha256;
import org.conceptsliders.runtime.io.SafeTensorsWriter;
import org.conceptsliders.runtime.train.NoGrad;
import org.conceptsliders.runtime.vae.AutoencoderKL;
import org.conceptsliders.runtime.vae.LatentDist;
import org.conceptsliders.shapes.ShapeScene;
import org.conceptsliders.shapes.ShapesWorld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Scenes encoded once by the finished VAE: their latent distributions (unscaled mean and std),
 * so that a UNet step costs no VAE pass. Scene {@code i} comes from (seed, i) alone; the file
 * is a cache that is rebuilt when missing or written for another recipe.
 */
final class LatentCache {
    private static final int ENCODE_BATCH = 64;

    private final List<ShapeScene> scenes;
    private final float[] mean;
    private final float[] std;
    private final int perScene;

    private LatentCache(List<ShapeScene> scenes, float[] mean, float[] std) {
        this.scenes = scenes;
        this.mean = mean;
        this.std = std;
        this.perScene = mean.length / scenes.size();
    }

    static List<ShapeScene> scenes(ShapesWorld world, BaseModelRecipe r) {
        List<ShapeScene> out = new ArrayList<>(r.latentCacheSize());
        for (int i = 0; i < r.latentCacheSize(); i++) {
            out.add(world.random(new Random(Seeds.of(r.seed(), Seeds.CACHE_SCENES, i))));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The cached latents if they were encoded for this recipe by this very VAE ({@code vaeWeights}
     * hashes its file: a VAE trained further must not reuse latents of its earlier self), else
     * encodes them anew.
     */
    static LatentCache loadOrBuild(Path file, AutoencoderKL vae, Path vaeWeights, ShapesWorld world, BaseModelRecipe r)
            throws IOException {
        List<ShapeScene> scenes = scenes(world, r);
        String identity = r.unetIdentity() + " vae-sha256 " + new Sha256().add(Files.newInputStream(vaeWeights)).hex();
        if (Files.exists(file)) {
            try (SafeTensors st = SafeTensors.open(file); NDManager m = NDManager.newBaseManager()) {
                if (identity.equals(st.metadata().get("recipe"))) {
                    return new LatentCache(scenes, st.load("mean", m).toFloatArray(), st.load("std", m).toFloatArray());
                }
            }
        }
        int latent = r.latentChannels() * r.latentSize() * r.latentSize();
        float[] mean = new float[scenes.size() * latent];
        float[] std = new float[scenes.size() * latent];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int start = 0; start < scenes.size(); start += ENCODE_BATCH) {
                int n = Math.min(ENCODE_BATCH, scenes.size() - start);
                int[][] pictures = new int[n][];
                for (int b = 0; b < n; b++) {
                    pictures[b] = world.render(scenes.get(start + b));
                }
                try (NDManager m = NDManager.newBaseManager()) {
                    LatentDist d = vae.encode(Pictures.toTensor(pictures, world.width(), world.height(), m));
                    System.arraycopy(d.mean().toFloatArray(), 0, mean, start * latent, n * latent);
                    System.arraycopy(d.std().toFloatArray(), 0, std, start * latent, n * latent);
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(scenes.size(), r.latentChannels(), r.latentSize(), r.latentSize());
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("mean", Owned.floats(m, mean, shape));
            tensors.put("std", Owned.floats(m, std, shape));
            SafeTensorsWriter.writeArrays(file, tensors, Map.of("recipe", identity));
        }
        return new LatentCache(scenes, mean, std);
    }

    int size() {
        return scenes.size();
    }

    ShapeScene scene(int i) {
        return scenes.get(i);
    }

    /** Values per latent. */
    int perScene() {
        return perScene;
    }

    /** Writes {@code (mean + std * noise) * scale} of scene {@code i} into {@code out} at {@code offset}. */
    void sample(int i, float[] noise, int noiseOffset, float scale, float[] out, int offset) {
        int base = i * perScene;
        for (int k = 0; k < perScene; k++) {
            out[offset + k] = (mean[base + k] + std[base + k] * noise[noiseOffset + k]) * scale;
        }
    }
}
