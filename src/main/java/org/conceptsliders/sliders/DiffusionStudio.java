package org.conceptsliders.sliders;

import org.conceptsliders.runtime.nd.Owned;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Images;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.PromptEmbeddings;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.runtime.pipeline.StableDiffusionModel;
import org.conceptsliders.runtime.pipeline.StableDiffusionPipeline;
import org.conceptsliders.runtime.schedulers.DDIMScheduler;
import org.conceptsliders.runtime.schedulers.Sampler;
import org.conceptsliders.runtime.schedulers.SchedulerKind;
import org.conceptsliders.runtime.train.NoGrad;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The {@link Studio} on a loaded diffusers model: sliders are loaded once per file and kept,
 * attached for each request and merged into the weights for its sampling (the fast path), with
 * their timestep windows switched by the pipeline's {@link org.conceptsliders.runtime.pipeline.TimestepHook}.
 */
public final class DiffusionStudio implements Studio {
    private final StableDiffusionModel model;
    private final StableDiffusionPipeline pipeline;
    private final Map<Path, Slider> sliders = new LinkedHashMap<>();

    public DiffusionStudio(StableDiffusionModel model) {
        this.model = model;
        this.pipeline = new StableDiffusionPipeline(model);
    }

    public static DiffusionStudio open(Path modelDir, Compute compute) throws IOException {
        return new DiffusionStudio(StableDiffusionModel.load(modelDir, compute));
    }

    public StableDiffusionModel model() {
        return model;
    }

    @Override
    public RgbImage generate(GenerateRequest request, ProgressListener progress, CancelToken cancel) {
        return generate(request, Labels.of(request.sliders(), request), progress, cancel);
    }

    @Override
    public RgbImage imageToImage(RgbImage init, GenerateRequest request, double strength, ProgressListener progress,
                                 CancelToken cancel) {
        checkSize(init, request);
        int from = StableDiffusionPipeline.img2imgStart(request.steps(), strength);
        return render(request, Labels.of(request.sliders(), request) + " | strength " + Labels.scale(strength),
                (sampler, m) -> {
                    NDArray latent = pipeline.encodeImage(Images.fromArgb(init.argb(), init.width(), init.height(), m));
                    return new Start(from == request.steps() ? latent : sampler.addNoise(latent,
                            pipeline.noise(request.seed(), 1, request.width(), request.height(), m), from), from);
                }, Map.of("strength", Labels.scale(strength)), progress, cancel);
    }

    private static void checkSize(RgbImage image, GenerateRequest request) {
        if (image.width() != request.width() || image.height() != request.height()) {
            throw new IllegalArgumentException("image is " + image.width() + "x" + image.height()
                    + " but the request asks for " + request.width() + "x" + request.height());
        }
    }

    @Override
    public List<RgbImage> sweep(GenerateRequest request, SliderSpec slider, double[] scales, SliderSpec slider2,
                                double[] scales2, ProgressListener progress, CancelToken cancel) {
        Sweep sweep = Sweep.grid(request, slider, scales, slider2, scales2);
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < sweep.requests().size(); i++) {
            out.add(generate(sweep.requests().get(i), sweep.labels().get(i), progress, cancel));
        }
        return out;
    }

    /** Text to image from the seed's noise. */
    private RgbImage generate(GenerateRequest r, String label, ProgressListener progress, CancelToken cancel) {
        return render(r, label, (sampler, m) -> new Start(
                Owned.mul(pipeline.noise(r.seed(), 1, r.width(), r.height(), m), (float) sampler.initNoiseSigma()), 0),
                Map.of(), progress, cancel);
    }

    @Override
    public List<RgbImage> edit(RgbImage image, GenerateRequest request, double[] scales, Inversion inversion,
                               ProgressListener progress, CancelToken cancel) {
        checkSize(image, request);
        if (!request.scheduler().equals("ddim")) {
            throw new IllegalArgumentException("scheduler: editing a real image needs ddim (DDIM inversion)");
        }
        List<GenerateRequest> requests = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        if (scales == null || request.sliders().isEmpty()) {
            requests.add(request);
        } else {
            for (double s : scales) {
                List<SliderSpec> specs = new ArrayList<>(request.sliders());
                specs.set(0, specs.get(0).withScale(s));
                requests.add(request.withSliders(specs));
            }
        }
        requests.forEach(r -> labels.add(Labels.edit(r.sliders(), r)));
        Map<String, String> how = new LinkedHashMap<>();
        how.put("edit", "ddim inversion");
        if (inversion.fitSteps() > 0) {
            how.put("latent fit steps", Integer.toString(inversion.fitSteps()));
        }
        if (inversion.iterations() > 0) {
            how.put("inversion iterations", Integer.toString(inversion.iterations()));
        }
        // One inversion serves every scale: the sliders only act on the way back.
        try (NoGrad noGrad = NoGrad.enter(); NDManager m = model.manager().newSubManager()) {
            NDArray inverted = invert(image, request, inversion, m, progress, cancel);
            List<RgbImage> out = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                out.add(render(requests.get(i), labels.get(i), (sampler, sm) -> new Start(inverted, 0), how, progress,
                        cancel));
            }
            return out;
        }
    }

    /**
     * The image DDIM-inverted under the request's prompt without sliders, so that regenerating
     * it with the sliders keeps its structure.
     */
    private NDArray invert(RgbImage image, GenerateRequest r, Inversion inversion, NDManager m,
                           ProgressListener progress, CancelToken cancel) {
        PromptEmbeddings plain = pipeline.encode(r.prompt(), r.negative(), 1, r.width(), r.height(), m);
        NDArray latent = pipeline.encodeImage(Images.fromArgb(image.argb(), image.width(), image.height(), m),
                inversion.fitSteps(), cancel);
        return pipeline.invert(latent, plain, (DDIMScheduler) model.scheduler(SchedulerKind.DDIM), r.steps(), 0,
                r.guidance(), inversion.iterations(), progress, cancel);
    }

    /** Where sampling starts: the latent and the index of the first step that runs. */
    private record Start(NDArray latent, int from) {
    }

    /**
     * One image: from the start latent {@code start} makes for the request's sampler, denoised
     * with the request's sliders; {@code how} adds to the settings the image carries.
     */
    private RgbImage render(GenerateRequest r, String label, BiFunction<Sampler, NDManager, Start> start,
                            Map<String, String> how, ProgressListener progress, CancelToken cancel) {
        StableDiffusionPipeline.checkSize(r.width(), r.height());
        // Fiji runs commands on worker threads, where libtorch's grad mode is on by default.
        try (NoGrad noGrad = NoGrad.enter();
             NDManager m = model.manager().newSubManager();
             SliderSet set = SliderSet.attach(model.unet(), model.textEncoder(), model.textEncoder2(),
                     loaded(r.sliders()), r.sliders(), m)) {
            Sampler sampler = model.scheduler(SchedulerKind.of(r.scheduler())).forSteps(r.steps());
            Start from = start.apply(sampler, m);
            set.beforeUnet(0);  // text-encoder LoRAs (kohya files) are on while the prompt is encoded
            PromptEmbeddings emb = pipeline.encode(r.prompt(), r.negative(), 1, r.width(), r.height(), m);
            set.merge();
            NDArray fin;
            try {
                fin = pipeline.denoise(from.latent(), emb, sampler, r.guidance(), from.from(), set, progress, cancel);
            } finally {
                set.restore();
            }
            int[] argb = Images.toArgb(pipeline.decode(fin), 0);
            Map<String, String> p = parameters(r);
            p.putAll(how);
            return new RgbImage(r.width(), r.height(), argb, label, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sliders loaded once per file and kept until the studio closes. */
    private synchronized List<Slider> loaded(List<SliderSpec> specs) throws IOException {
        List<Slider> out = new ArrayList<>();
        for (SliderSpec s : specs) {
            Path key = s.file().toAbsolutePath().normalize();
            Slider slider = sliders.get(key);
            if (slider == null) {
                slider = Slider.load(s.file(), model.manager(), model.compute().dtype());
                sliders.put(key, slider);
            }
            out.add(slider);
        }
        return out;
    }

    private Map<String, String> parameters(GenerateRequest r) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("prompt", r.prompt());
        p.put("negative", r.negative());
        p.put("steps", Integer.toString(r.steps()));
        p.put("scheduler", r.scheduler());
        p.put("guidance", Double.toString(r.guidance()));
        p.put("seed", Long.toString(r.seed()));
        p.put("size", r.width() + "x" + r.height());
        p.put("model", model.dir().getFileName().toString());
        if (!r.sliders().isEmpty()) {
            p.put("sliders", r.sliders().stream().map(s -> Labels.name(s) + ":" + Labels.scale(s.scale())
                    + s.startNoise().stream().mapToObj(n -> ":" + n).collect(Collectors.joining()))
                    .collect(Collectors.joining(" ")));
        }
        return p;
    }

    @Override
    public String defaultScheduler() {
        return model.defaultScheduler().id();
    }

    @Override
    public int nativeSize() {
        return model.unet().config().sampleSize() * 8;
    }

    @Override
    public String describe() {
        return model.describe();
    }

    @Override
    public synchronized void close() {
        sliders.values().forEach(Slider::close);
        sliders.clear();
        model.close();
    }
}
