package org.conceptsliders.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.SliderCard;
import org.conceptsliders.sliders.SliderLibrary;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.sliders.Studio;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** The inputs several commands share, and how they become a model, sliders and a request. */
final class Common {

    static final Field MODEL = Field.text("model", "Model (folder or name; empty: embedded)", "");
    static final Field DEVICE = Field.choice("device", "Device", "auto", "cpu", "gpu");
    static final Field PROMPT = Field.text("prompt", "Prompt", "a photo of a person, high quality");
    static final Field NEGATIVE = Field.text("negative", "Negative prompt", "");
    static final Field SEED = Field.number("seed", "Seed", "42");
    static final Field STEPS = Field.number("steps", "Steps", "30");
    static final Field GUIDANCE = Field.number("guidance", "Guidance scale", "7.5");
    static final Field WIDTH = Field.number("width", "Width (multiple of 8; 0: the model's native size)", "0");
    static final Field HEIGHT = Field.number("height", "Height (multiple of 8; 0: the model's native size)", "0");
    static final Field SCHEDULER = Field.choice("scheduler", "Scheduler (empty: the model's own)", "", "ddim", "euler");
    static final Field SLIDER = Field.text("slider", "Slider (name or .safetensors file)", "");
    static final Field SCALE = Field.number("scale", "Slider scale", "1");
    static final Field START_NOISE = Field.text("start_noise", "Start noise timestep (empty: the slider's)", "");
    static final Field EXTRA = Field.text("extra", "More sliders (name:scale, ...)", "");
    static final Field IMAGE = Field.image("image", "Image");

    private static final AtomicInteger RUNS = new AtomicInteger();

    private Common() {
    }

    static int integer(Values v, Field f, long min, long max) {
        long n = v.integer(f);
        if (n < min || n > max) {
            throw new IllegalArgumentException(f.key() + ": must be in " + min + ".." + max + ", got " + n);
        }
        return (int) n;
    }

    static String choice(Values v, Field f) {
        String s = v.text(f).trim().toLowerCase(java.util.Locale.ROOT);
        if (!f.choices().contains(s)) {
            throw new IllegalArgumentException(f.key() + ": expected one of " + f.choices() + ", got '" + s + "'");
        }
        return s;
    }

    static OptionalInt startNoise(Values v) {
        String s = v.text(START_NOISE).trim();
        return s.isEmpty() ? OptionalInt.empty() : OptionalInt.of(integer(v, START_NOISE, 0, 1000));
    }

    /** A slider the user named, with the start noise of the user, else of its card. */
    static SliderSpec slider(String nameOrFile, double scale, OptionalInt start, OptionalInt stop) {
        Path file;
        try {
            file = new SliderLibrary(Folders.sliders()).resolve(nameOrFile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage()
                    + ". Set the sliders folder in Plugins>Concept Sliders>Models and Sliders...", e);
        }
        OptionalInt s = start.isPresent() ? start : SliderCard.of(file).startNoise();
        return new SliderSpec(file, scale, s, stop);
    }

    /** The main slider ({@code slider} at {@code scale}; none when empty), then the {@code extra} ones. */
    static List<SliderSpec> sliders(Values v, boolean withMain) {
        List<SliderSpec> list = new ArrayList<>();
        String main = v.text(SLIDER).trim();
        if (withMain && !main.isEmpty()) {
            list.add(slider(main, v.number(SCALE), startNoise(v), OptionalInt.empty()));
        }
        for (String item : v.text(EXTRA).split(",")) {
            if (!item.isBlank()) {
                SliderSpec p = SliderSpec.parse(item.trim());
                list.add(slider(p.file().toString(), p.scale(), p.startNoise(), p.stopNoise()));
            }
        }
        return list;
    }

    /** A width or height: 0 (the model's native size) or 8..8192. */
    static int size(Values v, Field f) {
        return v.integer(f) == 0 ? 0 : integer(v, f, 8, 8192);
    }

    /**
     * Checks the request's inputs now, before any model is loaded, and returns the request for a
     * model: width or height 0 is the model's native size, no scheduler its default one.
     */
    static Function<Studio, GenerateRequest> request(Values v, long seed, int width, int height, List<SliderSpec> sliders) {
        String scheduler = choice(v, SCHEDULER);
        GenerateRequest checked = new GenerateRequest(v.text(PROMPT), v.text(NEGATIVE), seed, integer(v, STEPS, 1, 1000),
                v.number(GUIDANCE), width == 0 ? 8 : width, height == 0 ? 8 : height,
                scheduler.isEmpty() ? "ddim" : scheduler, sliders);
        return studio -> new GenerateRequest(checked.prompt(), checked.negative(), seed, checked.steps(), checked.guidance(),
                width == 0 ? studio.nativeSize() : width, height == 0 ? studio.nativeSize() : height,
                scheduler.isEmpty() ? studio.defaultScheduler() : scheduler, sliders);
    }

    /** The model of {@code model} and {@code device}, opened or from the cache; logs where it runs. */
    static Studio studio(Values v, StudioCache cache) {
        var folder = Folders.model(v.text(MODEL));
        String device = choice(v, DEVICE);
        Studio s = cache.studio(folder, device);
        IJ.log("Concept Sliders: " + s.describe());
        return s;
    }

    /** The image titled {@code image}, or the current image when it is empty. */
    static ImagePlus image(Values v, Field f) {
        String title = v.text(f).trim();
        ImagePlus imp = title.isEmpty() ? WindowManager.getCurrentImage() : WindowManager.getImage(title);
        if (imp == null) {
            throw new IllegalStateException(title.isEmpty()
                    ? "No image is open. Open an image (File>Open...) and run the command again."
                    : f.key() + ": no open image is titled '" + title + "'.");
        }
        return imp;
    }

    /** The values in field order, as a macro writes them: {@code prompt=[a cat] seed=7}. */
    static String options(Values v, List<Field> fields) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : texts(v, fields).entrySet()) {
            String t = e.getValue();
            sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append('=')
                    .append(t.isEmpty() || t.contains(" ") ? "[" + t + "]" : t);
        }
        return sb.toString();
    }

    static Map<String, String> texts(Values v, List<Field> fields) {
        Map<String, String> m = new LinkedHashMap<>();
        fields.forEach(f -> m.put(f.key(), v.text(f)));
        return m;
    }

    /** The "Info" of a result: the macro line that makes it again, and the model. */
    static String info(Operation<?> op, Values v, Studio studio) {
        return "Concept Sliders " + op.label() + "\nrun(\"" + op.label() + "\", \"" + options(v, op.fields()) + "\");\n"
                + "model: " + studio.describe() + "\n";
    }

    /** A title no other run of this session has. */
    static String title(String what) {
        return what + " #" + RUNS.incrementAndGet();
    }

    /** Status bar progress: "slice 2 of 5, step 7/30". */
    static ProgressListener status(String prefix) {
        return p -> {
            IJ.showStatus(prefix + (prefix.isEmpty() ? "" : ", ") + (p.message().isEmpty()
                    ? "step " + p.step() + "/" + p.total() : p.message()));
            IJ.showProgress(p.step(), p.total());
        };
    }
}
