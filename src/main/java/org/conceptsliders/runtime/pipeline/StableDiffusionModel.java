package org.conceptsliders.runtime.pipeline;

import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.schedulers.Scheduler;
import org.conceptsliders.runtime.schedulers.SchedulerConfig;
import org.conceptsliders.runtime.schedulers.SchedulerKind;
import org.conceptsliders.runtime.text.CLIPTextModel;
import org.conceptsliders.runtime.text.ClipTokenizer;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.runtime.vae.AutoencoderKL;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A diffusers model folder loaded for inference: {@code model_index.json}, {@code unet/},
 * {@code vae/}, {@code text_encoder/}, {@code tokenizer/}, {@code scheduler/}, and for SDXL
 * {@code text_encoder_2/} and {@code tokenizer_2/}. Owns the weights' native memory.
 */
public final class StableDiffusionModel implements AutoCloseable {
    private final Path dir;
    private final ModelKind kind;
    private final Compute compute;
    private final NDManager manager;
    private final ClipTokenizer tokenizer;
    private final ClipTokenizer tokenizer2;
    private final CLIPTextModel textEncoder;
    private final CLIPTextModel textEncoder2;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final Config schedulerConfig;
    private final SchedulerKind defaultScheduler;
    private final boolean forceZerosForEmptyPrompt;

    private StableDiffusionModel(Path dir, Compute compute, NDManager manager) throws IOException {
        this.dir = dir;
        this.compute = compute;
        this.manager = manager;
        Config index = Config.read(dir.resolve("model_index.json"));
        boolean xl = Files.isDirectory(dir.resolve("text_encoder_2")) || index.has("text_encoder_2");
        this.tokenizer = ClipTokenizer.load(require(dir, "tokenizer"));
        this.textEncoder = CLIPTextModel.load(require(dir, "text_encoder"), manager, compute);
        this.tokenizer2 = xl ? ClipTokenizer.load(require(dir, "tokenizer_2")) : null;
        this.textEncoder2 = xl ? CLIPTextModel.load(require(dir, "text_encoder_2"), manager, compute) : null;
        this.unet = UNet2DConditionModel.load(require(dir, "unet"), manager, compute);
        this.vae = AutoencoderKL.load(require(dir, "vae"), manager, compute);
        Path sched = require(dir, "scheduler").resolve("scheduler_config.json");
        this.schedulerConfig = Config.read(sched);
        String cls = schedulerConfig.getString("_class_name", "DDIMScheduler");
        this.defaultScheduler = cls.startsWith("Euler") ? SchedulerKind.EULER : SchedulerKind.DDIM;
        this.forceZerosForEmptyPrompt = index.getBoolean("force_zeros_for_empty_prompt", xl);
        this.kind = xl ? ModelKind.SDXL : (textEncoder.config().hiddenSize() >= 1024 ? ModelKind.SD2 : ModelKind.SD1);
    }

    /** Loads the folder; a missing component or file is an error naming it. */
    public static StableDiffusionModel load(Path dir, Compute compute) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new FileNotFoundException(dir + ": model folder not found");
        }
        NDManager manager = NDManager.newBaseManager(compute.device());
        try {
            return new StableDiffusionModel(dir, compute, manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Path require(Path dir, String component) throws FileNotFoundException {
        Path p = dir.resolve(component);
        if (!Files.isDirectory(p)) {
            throw new FileNotFoundException(dir + ": model folder has no '" + component + "/' component");
        }
        return p;
    }

    public Path dir() {
        return dir;
    }

    public ModelKind kind() {
        return kind;
    }

    public Compute compute() {
        return compute;
    }

    public NDManager manager() {
        return manager;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** SDXL's second tokenizer, else null. */
    public ClipTokenizer tokenizer2() {
        return tokenizer2;
    }

    public CLIPTextModel textEncoder() {
        return textEncoder;
    }

    /** SDXL's second text encoder (with projection), else null. */
    public CLIPTextModel textEncoder2() {
        return textEncoder2;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    /**
     * A scheduler of {@code kind} configured by the folder's {@code scheduler_config.json}; keys
     * the file lacks take that kind's diffusers defaults, as {@code from_config} does.
     */
    public Scheduler scheduler(SchedulerKind kind) {
        return kind.create(SchedulerConfig.from(schedulerConfig, kind));
    }

    /** Euler when the folder's scheduler is Euler (SDXL's default), else DDIM. */
    public SchedulerKind defaultScheduler() {
        return defaultScheduler;
    }

    /** SDXL: an empty negative prompt gives zero unconditional embeddings instead of encoding "". */
    public boolean forceZerosForEmptyPrompt() {
        return forceZerosForEmptyPrompt;
    }

    public String describe() {
        return dir.getFileName() + " (" + kind + ", " + compute.describe() + ")";
    }

    @Override
    public void close() {
        manager.close();
    }
}
