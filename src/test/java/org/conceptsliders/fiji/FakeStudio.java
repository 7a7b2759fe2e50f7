package org.conceptsliders.fiji;

import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.Progress;
import org.conceptsliders.runtime.pipeline.ProgressListener;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.conceptsliders.sliders.GenerateRequest;
import org.conceptsliders.sliders.Inversion;
import org.conceptsliders.sliders.SliderSpec;
import org.conceptsliders.sliders.Studio;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * A deterministic stand-in for a model: generates a grey background set by the seed with a
 * white disc whose radius grows with the first slider's scale; edits draw such a disc on the
 * input (scale 0 leaves it as it is). Can be told to cancel after a number of images.
 */
final class FakeStudio implements Studio {

    final Path model;
    final String device;
    int images;
    int cancelAfter = -1;
    boolean closed;
    GenerateRequest lastRequest;
    Inversion lastInversion;

    FakeStudio(Path model, String device) {
        this.model = model;
        this.device = device;
    }

    static StudioFactory factory(List<FakeStudio> opened) {
        return (model, device) -> {
            FakeStudio s = new FakeStudio(model, device);
            opened.add(s);
            return s;
        };
    }

    static int radius(double scale, int w, int h) {
        return (int) Math.max(0, Math.min(w, h) / 4.0 + 2 * scale);
    }

    static double firstScale(GenerateRequest r) {
        return r.sliders().isEmpty() ? 0 : r.sliders().get(0).scale();
    }

    @Override
    public RgbImage generate(GenerateRequest r, ProgressListener progress, CancelToken cancel) {
        tick(cancel, progress);
        lastRequest = r;
        int grey = (int) (Math.floorMod(r.seed(), 200) + 20);
        int[] argb = new int[r.width() * r.height()];
        java.util.Arrays.fill(argb, 0xff000000 | grey * 0x010101);
        disc(argb, r.width(), r.height(), radius(firstScale(r), r.width(), r.height()));
        return new RgbImage(r.width(), r.height(), argb, "", params(r));
    }

    @Override
    public List<RgbImage> sweep(GenerateRequest r, SliderSpec slider, double[] scales, SliderSpec slider2,
                                double[] scales2, ProgressListener progress, CancelToken cancel) {
        List<RgbImage> out = new ArrayList<>();
        for (double s : scales) {
            for (double s2 : slider2 == null ? new double[] {0} : scales2) {
                List<SliderSpec> list = new ArrayList<>(List.of(slider.withScale(s)));
                if (slider2 != null) {
                    list.add(slider2.withScale(s2));
                }
                list.addAll(r.sliders());
                out.add(generate(r.withSliders(list), progress, cancel));
            }
        }
        return out;
    }

    @Override
    public List<RgbImage> edit(RgbImage image, GenerateRequest r, double[] scales, Inversion inversion, ProgressListener progress,
                               CancelToken cancel) {
        lastInversion = inversion;
        if (image.width() % 8 != 0 || image.height() % 8 != 0 || image.width() != r.width() || image.height() != r.height()) {
            throw new AssertionError("edit got " + image.width() + "x" + image.height() + " for " + r.width() + "x" + r.height());
        }
        List<RgbImage> out = new ArrayList<>();
        for (double s : scales == null ? new double[] {firstScale(r)} : scales) {
            tick(cancel, progress);
            int[] argb = image.argb().clone();
            if (s != 0) {
                disc(argb, image.width(), image.height(), radius(s, image.width(), image.height()));
            }
            out.add(new RgbImage(image.width(), image.height(), argb, "", params(r)));
        }
        return out;
    }

    private void tick(CancelToken cancel, ProgressListener progress) {
        cancel.check();
        if (images == cancelAfter) {
            throw new CancellationException("cancelled");
        }
        images++;
        progress.onProgress(new Progress(1, 1, Double.NaN, 0, ""));
    }

    private static void disc(int[] argb, int w, int h, int r) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = x - (w - 1) / 2.0, dy = y - (h - 1) / 2.0;
                if (dx * dx + dy * dy <= (double) r * r) {
                    argb[y * w + x] = 0xffffffff;
                }
            }
        }
    }

    private static Map<String, String> params(GenerateRequest r) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("prompt", r.prompt());
        p.put("seed", Long.toString(r.seed()));
        p.put("steps", Integer.toString(r.steps()));
        return p;
    }

    @Override
    public RgbImage imageToImage(RgbImage init, GenerateRequest request, double strength, ProgressListener progress,
                                 CancelToken cancel) {
        return init;
    }

    @Override
    public String defaultScheduler() {
        return "ddim";
    }

    @Override
    public int nativeSize() {
        return 64;
    }

    @Override
    public String describe() {
        return "fake model " + (model == null ? "embedded" : model.getFileName()) + " on " + device;
    }

    @Override
    public void close() {
        closed = true;
    }

    static int white(int[] argb) {
        int n = 0;
        for (int v : argb) {
            n += v == 0xffffffff ? 1 : 0;
        }
        return n;
    }
}
