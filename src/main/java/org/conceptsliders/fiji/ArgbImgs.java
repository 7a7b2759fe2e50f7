package org.conceptsliders.fiji;

import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.util.Fraction;
import org.conceptsliders.runtime.pipeline.RgbImage;

import java.util.List;

/**
 * Generated images as imglib2 images over their own {@code int[]} planes, no copy: one image is
 * a 2-D {@code ArrayImg}, several of one size a 3-D {@code PlanarImg} (x, y, image). Kept apart
 * from {@link ImagePlusConversion} so that the ImageJ 1.x plugins load without imglib2.
 */
public final class ArgbImgs {

    private ArgbImgs() {
    }

    public static Img<ARGBType> wrap(List<RgbImage> images) {
        RgbImage first = images.get(0);
        if (images.size() == 1) {
            return ArrayImgs.argbs(first.argb(), first.width(), first.height());
        }
        List<IntArray> planes = images.stream().map(im -> {
            if (im.width() != first.width() || im.height() != first.height()) {
                throw new IllegalArgumentException("images differ in size: " + im.width() + "x" + im.height()
                        + " and " + first.width() + "x" + first.height());
            }
            return new IntArray(im.argb());
        }).toList();
        PlanarImg<ARGBType, IntArray> img = new PlanarImg<>(planes,
                new long[] {first.width(), first.height(), images.size()}, new Fraction());
        img.setLinkedType(new ARGBType(img));
        return img;
    }
}
