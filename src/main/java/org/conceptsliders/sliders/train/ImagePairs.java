package org.conceptsliders.sliders.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.conceptsliders.runtime.pipeline.Images;
import org.conceptsliders.runtime.pipeline.RgbImage;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Image pairs for visual sliders: the same scene with less ("low") and more ("high") of a
 * concept, at one slider scale. Folders pair files by name without extension (any extension
 * javax.imageio reads, any case: png, jpg, bmp, gif); every check (unmatched names, unreadable
 * files, sizes differing within a pair, no pair at all) is an {@link IllegalArgumentException}
 * naming the file, raised before training. Images keep their aspect ratio: {@link #prepare}
 * scales the shorter side to the training size and center-crops to multiples of 8.
 */
public final class ImagePairs {
    private static final Set<String> EXTENSIONS = Set.of(ImageIO.getReaderFileSuffixes()).stream()
            .map(s -> s.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toSet());

    /** One pair; {@code name} for messages. */
    public record Pair(String name, RgbImage low, RgbImage high) {
    }

    /** The pairs of one scale: trained at +scale toward high and -scale toward low. */
    public record Level(double scale, List<Pair> pairs) {
        public Level {
            pairs = List.copyOf(pairs);
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("a level needs at least one image pair");
            }
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("pair scale must be positive, got " + scale
                        + " (the pair trains at +scale toward high and -scale toward low)");
            }
        }
    }

    private ImagePairs() {
    }

    /** Pairs of two lists, element i with element i (the Fiji editor's two stacks). */
    public static List<Pair> of(List<RgbImage> low, List<RgbImage> high) {
        if (low.size() != high.size()) {
            throw new IllegalArgumentException("low has " + low.size() + " images and high has " + high.size()
                    + ": every image needs its partner");
        }
        if (low.isEmpty()) {
            throw new IllegalArgumentException("low/high: at least one image pair is needed");
        }
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < low.size(); i++) {
            out.add(check("pair " + (i + 1), low.get(i), high.get(i)));
        }
        return out;
    }

    /** Files with the same name (without extension) in both folders. */
    public static List<Pair> fromFolders(Path lowDir, Path highDir) throws IOException {
        Map<String, Path> low = images(lowDir);
        Map<String, Path> high = images(highDir);
        TreeSet<String> onlyLow = new TreeSet<>(low.keySet());
        onlyLow.removeAll(high.keySet());
        TreeSet<String> onlyHigh = new TreeSet<>(high.keySet());
        onlyHigh.removeAll(low.keySet());
        if (!onlyLow.isEmpty() || !onlyHigh.isEmpty()) {
            throw new IllegalArgumentException("pair names do not match: " + (onlyLow.isEmpty() ? ""
                    : lowDir + " has " + names(onlyLow, low) + " with no partner in " + highDir)
                    + (onlyLow.isEmpty() || onlyHigh.isEmpty() ? "" : "; ")
                    + (onlyHigh.isEmpty() ? "" : highDir + " has " + names(onlyHigh, high) + " with no partner in " + lowDir));
        }
        if (low.isEmpty()) {
            throw new IllegalArgumentException(lowDir + " and " + highDir + ": no image pair found (readable types: "
                    + String.join(", ", new TreeSet<>(EXTENSIONS)) + ")");
        }
        List<Pair> out = new ArrayList<>();
        for (String name : low.keySet()) {
            out.add(check(low.get(name) + " / " + high.get(name), read(low.get(name)), read(high.get(name))));
        }
        return out;
    }

    private static String names(TreeSet<String> keys, Map<String, Path> files) {
        return String.join(", ", keys.stream().limit(5).map(k -> files.get(k).getFileName().toString()).toList())
                + (keys.size() > 5 ? " (and " + (keys.size() - 5) + " more)" : "");
    }

    private static Map<String, Path> images(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a folder of images");
        }
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                String f = p.getFileName().toString();
                int dot = f.lastIndexOf('.');
                if (f.startsWith(".") || dot < 0 || !EXTENSIONS.contains(f.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                    continue;
                }
                Path previous = out.put(f.substring(0, dot), p);
                if (previous != null) {
                    throw new IllegalArgumentException(dir + ": " + previous.getFileName() + " and " + f
                            + " have the same name; keep one");
                }
            }
        }
        return out;
    }

    /** Reads an image with javax.imageio as opaque RGB. */
    public static RgbImage read(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IllegalArgumentException(file + ": not an image javax.imageio can read");
        }
        int[] argb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        return new RgbImage(img.getWidth(), img.getHeight(), argb, file.getFileName().toString(), Map.of());
    }

    private static Pair check(String name, RgbImage low, RgbImage high) {
        if (low.width() != high.width() || low.height() != high.height()) {
            throw new IllegalArgumentException(name + ": the images of a pair differ in size (" + low.width() + "x"
                    + low.height() + " and " + high.width() + "x" + high.height() + ")");
        }
        return new Pair(name, low, high);
    }

    /** The training size of an image: shorter side {@code size}, aspect kept, each side cropped to a multiple of 8. */
    public static int[] trainingSize(int width, int height, int size) {
        double f = size / (double) Math.min(width, height);
        int w = Math.max(8, (int) Math.round(width * f) / 8 * 8);
        int h = Math.max(8, (int) Math.round(height * f) / 8 * 8);
        return new int[] {w, h};
    }

    /** The image scaled (bilinear) so its shorter side is {@code size}, center-cropped to multiples of 8, as [1, 3, H, W] in [0, 1]. */
    public static NDArray prepare(RgbImage image, int size, NDManager m) {
        double f = size / (double) Math.min(image.width(), image.height());
        int sw = Math.max(8, (int) Math.round(image.width() * f));
        int sh = Math.max(8, (int) Math.round(image.height() * f));
        int[] target = trainingSize(image.width(), image.height(), size);
        BufferedImage src = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        src.setRGB(0, 0, image.width(), image.height(), image.argb(), 0, image.width());
        BufferedImage dst = new BufferedImage(target[0], target[1], BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, -(sw - target[0]) / 2, -(sh - target[1]) / 2, sw, sh, null);
        g.dispose();
        int[] argb = dst.getRGB(0, 0, target[0], target[1], null, 0, target[0]);
        return Images.fromArgb(argb, target[0], target[1], m);
    }

    /** "DIR:SCALE" (the CLI's --pairs); the folder may contain ':' (Windows drives). */
    public static Map.Entry<Path, Double> parseLevel(String text) {
        int colon = text.lastIndexOf(':');
        try {
            if (colon > 0) {
                return Map.entry(Path.of(text.substring(0, colon)), Double.parseDouble(text.substring(colon + 1)));
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException("--pairs " + text + ": expected DIR:SCALE, DIR holding low/ and high/");
    }

    static List<Object> describe(List<Level> levels) {
        List<Object> out = new ArrayList<>();
        for (Level l : levels) {
            out.add(Map.of("scale", l.scale(), "pairs", l.pairs().stream().map(Pair::name).toList()));
        }
        return out;
    }

}
