package org.conceptsliders.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.io.AtomicFiles;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.nn.WeightWriter;
import org.conceptsliders.runtime.text.CLIPTextConfig;
import org.conceptsliders.runtime.text.CLIPTextModel;
import org.conceptsliders.runtime.train.ParameterInit;
import org.conceptsliders.runtime.train.TrainRandom;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.runtime.unet.UNetConfig;
import org.conceptsliders.runtime.vae.AutoencoderKL;
import org.conceptsliders.runtime.vae.AutoencoderKLConfig;
import org.conceptsliders.sliders.EmbeddedModel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A diffusers folder of SD 1.5's shape (its configs, CLIP's tokenizer) with random weights in
 * fp16, as the usual downloads are: what the benchmarks load where no real weights exist. The
 * configs are resources of this package ({@code sd15/}); the UNet one is also {@code bench}'s.
 */
final class RandomModel {
    static final String SD15 = "sd15/";
    private static final List<String> CONFIGS = List.of("model_index.json", "unet/config.json",
            "text_encoder/config.json", "vae/config.json", "scheduler/scheduler_config.json");

    private RandomModel() {
    }

    /** Writes the SD 1.5-shaped folder at {@code dir} (atomically: a folder that exists is complete). */
    static void writeSd15(Path dir) throws IOException {
        AtomicFiles.write(dir, tmp -> {
            for (String name : CONFIGS) {
                copyResource(SD15 + name, tmp.resolve(name));
            }
            Path tokenizer = EmbeddedModel.folder().resolve("tokenizer");
            Files.createDirectories(tmp.resolve("tokenizer"));
            try (Stream<Path> files = Files.list(tokenizer)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, tmp.resolve("tokenizer").resolve(f.getFileName().toString()));
                }
            }
            Compute cpu = Compute.cpu();
            write(new UNet2DConditionModel(UNetConfig.read(tmp.resolve("unet/config.json"))),
                    tmp.resolve("unet/diffusion_pytorch_model.safetensors"), 1);
            write(new CLIPTextModel(CLIPTextConfig.read(Config.read(tmp.resolve("text_encoder/config.json"))), cpu),
                    tmp.resolve("text_encoder/model.safetensors"), 2);
            write(new AutoencoderKL(AutoencoderKLConfig.read(tmp.resolve("vae/config.json"))),
                    tmp.resolve("vae/diffusion_pytorch_model.safetensors"), 3);
        });
    }

    /** One component at a time, so that only one set of float32 weights is ever in memory. */
    private static void write(Module module, Path file, long seed) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterInit.initialize(module, m, DataType.FLOAT32, new TrainRandom(seed));
            WeightWriter.write(module, file, DataType.FLOAT16, Map.of("format", "pt"));
        }
    }

    /** A resource of this package copied to {@code target} (replaced if it exists). */
    static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = RandomModel.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " of " + RandomModel.class.getPackageName() + " is missing from the class path");
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
