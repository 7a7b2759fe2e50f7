package org.conceptsliders.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import org.conceptsliders.runtime.pipeline.CancelToken;
import org.conceptsliders.runtime.pipeline.RgbImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.conceptsliders.fiji.Common.DEVICE;
import static org.conceptsliders.fiji.Common.MODEL;
import static org.conceptsliders.fiji.Training.ITERATIONS;
import static org.conceptsliders.fiji.Training.RANK;

/**
 * Train Slider from Image Pairs...: an image slider from pairs showing less and more of a
 * concept, given as two open stacks (slice i of one pairs with slice i of the other) or two
 * folders (files paired in name order).
 */
public final class PairTraining implements Operation<Path> {

    static final Field LOW = Field.text("low", "Less of the concept (open stack title or folder)", "");
    static final Field HIGH = Field.text("high", "More of the concept (open stack title or folder)", "");
    static final Field PROMPT = Field.text("prompt", "Prompt describing the images (may be empty)", "");
    static final Field SYMMETRY = Field.number("symmetry", "Symmetry weight (0: the paper's objective)", "0");

    private static final List<Field> FIELDS = Training.with(LOW, HIGH, PROMPT, SYMMETRY);

    @Override
    public String label() {
        return "Train Slider from Image Pairs...";
    }

    @Override
    public List<Field> fields() {
        return FIELDS;
    }

    @Override
    public Path run(Values v, StudioCache cache) {
        List<RgbImage> low = images(v, LOW);
        List<RgbImage> high = images(v, HIGH);
        if (low.size() != high.size()) {
            throw new IllegalArgumentException("low has " + low.size() + " images and high has " + high.size()
                    + ": each image needs its partner, in the same order.");
        }
        for (int i = 0; i < low.size(); i++) {
            if (low.get(i).width() != high.get(i).width() || low.get(i).height() != high.get(i).height()) {
                throw new IllegalArgumentException("pair " + (i + 1) + ": the images differ in size (" + low.get(i).width()
                        + "x" + low.get(i).height() + " and " + high.get(i).width() + "x" + high.get(i).height() + ").");
            }
        }
        int iterations = Common.integer(v, ITERATIONS, 1, 1_000_000);
        int rank = Common.integer(v, RANK, 1, 1024);
        double symmetry = v.number(SYMMETRY);
        Path out = Training.output(v);
        Path model = Folders.model(v.text(MODEL));
        SliderTrainer trainer = cache.trainer(model, Common.choice(v, DEVICE));
        IJ.resetEscape();
        return Training.write(out, v.text(PROMPT), model == null ? "embedded" : model.getFileName().toString(),
                part -> trainer.trainFromPairs(low, high, v.text(PROMPT), iterations, rank, symmetry, part,
                        Common.status("training"), new CancelToken(IJ::escapePressed)));
    }

    /** The images of an open stack or of a folder, RGB, padded to multiples of 8. */
    private static List<RgbImage> images(Values v, Field f) {
        String t = v.text(f).trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException(f.key() + ": give the title of an open stack or a folder of images.");
        }
        List<ImagePlus> imps = new ArrayList<>();
        Path dir = Path.of(t);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted().toList()) {
                    ImagePlus imp = IJ.openImage(p.toString());
                    if (imp == null) {
                        throw new IllegalArgumentException(f.key() + ": " + p + " is not an image ImageJ can open.");
                    }
                    imps.add(imp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(f.key() + ": cannot list " + dir + ": " + e.getMessage(), e);
            }
        } else {
            ImagePlus imp = WindowManager.getImage(t);
            if (imp == null) {
                throw new IllegalArgumentException(f.key() + ": '" + t + "' is neither an open image nor a folder.");
            }
            imps.add(imp);
        }
        List<RgbImage> out = new ArrayList<>();
        for (ImagePlus imp : imps) {
            for (int n = 1; n <= imp.getStackSize(); n++) {
                out.add(ImagePlusConversion.padded(ImagePlusConversion.slice(imp, n)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(f.key() + ": " + t + " holds no images.");
        }
        return out;
    }
}
