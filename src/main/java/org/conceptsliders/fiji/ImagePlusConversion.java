package org.conceptsliders.fiji;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import org.conceptsliders.runtime.pipeline.RgbImage;

import java.util.List;
import java.util.Map;

/**
 * {@link RgbImage} to and from ImageJ 1.x. A result stack wraps the generated {@code int[]}
 * planes without copying ({@code ColorProcessor(w, h, int[])}), the same arrays that
 * {@link ArgbImgs} wraps as an imglib2 image.
 *
 * <p>Inputs of any type become RGB as they are displayed: grey images through their display
 * range and LUT, RGB as is. The model needs sides that are multiples of 8: an input is
 * reflect-padded up to the next multiple (pixel {@code w-1+k} copies {@code w-1-k}, so no seam
 * and no stretch) and the result is cropped back to the input's size.
 */
public final class ImagePlusConversion {

    private ImagePlusConversion() {
    }

    /** Slice {@code n} (1-based) of {@code imp} as RGB at its own size, shown as ImageJ shows it. */
    public static RgbImage slice(ImagePlus imp, int n) {
        ImageProcessor ip = imp.getStack().getProcessor(n);
        if (!(ip instanceof ColorProcessor)) {
            ip.setColorModel(imp.getProcessor().getColorModel());
            ip.setMinAndMax(imp.getDisplayRangeMin(), imp.getDisplayRangeMax());
        }
        int[] argb = (int[]) ip.convertToRGB().getPixels();
        String label = imp.getStack().getShortSliceLabel(n);
        return new RgbImage(imp.getWidth(), imp.getHeight(), argb.clone(), label == null ? "" : label, Map.of());
    }

    /** {@code image} reflect-padded to sides that are multiples of 8 (itself when they are). */
    public static RgbImage padded(RgbImage image) {
        int w = image.width(), h = image.height();
        int pw = roundUp8(w), ph = roundUp8(h);
        if (pw == w && ph == h) {
            return image;
        }
        int[] out = new int[pw * ph];
        for (int y = 0; y < ph; y++) {
            int sy = reflect(y, h);
            for (int x = 0; x < pw; x++) {
                out[y * pw + x] = image.argb()[sy * w + reflect(x, w)];
            }
        }
        return new RgbImage(pw, ph, out, image.label(), image.parameters());
    }

    /** The top-left {@code w} x {@code h} of {@code image}: undoes {@link #padded}. */
    public static RgbImage cropped(RgbImage image, int w, int h) {
        if (image.width() == w && image.height() == h) {
            return image;
        }
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(image.argb(), y * image.width(), out, y * w, w);
        }
        return new RgbImage(w, h, out, image.label(), image.parameters());
    }

    public static int roundUp8(int n) {
        return (n + 7) / 8 * 8;
    }

    private static int reflect(int i, int n) {
        return i < n ? i : Math.max(0, 2 * (n - 1) - i);
    }

    /**
     * An RGB stack over the images' own arrays, one slice per image, labelled with
     * {@code labels}; {@code info} becomes the "Info" property (Image>Show Info).
     */
    public static ImagePlus stack(String title, List<RgbImage> images, List<String> labels, String info) {
        RgbImage first = images.get(0);
        ImageStack stack = new ImageStack(first.width(), first.height());
        for (int i = 0; i < images.size(); i++) {
            RgbImage im = images.get(i);
            stack.addSlice(labels.get(i), new ColorProcessor(im.width(), im.height(), im.argb()));
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setProperty("Info", info);
        if (images.size() == 1) {
            imp.setProp("Slice_Label", labels.get(0)); // where ImageJ keeps the label of a single image
        }
        return imp;
    }

    /** Copies the spatial calibration (pixel size, unit, origin) of {@code from}. */
    public static void copyCalibration(ImagePlus from, ImagePlus to) {
        Calibration c = from.getCalibration().copy();
        c.setImage(to);
        to.setCalibration(c);
    }
}
