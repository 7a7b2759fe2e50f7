package org.conceptsliders.fiji;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import org.conceptsliders.runtime.pipeline.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ImagePlusConversionTest {

    static int grey(int argb) {
        return argb & 0xff;
    }

    @Test
    void greyImagesBecomeRgbThroughTheirDisplayRange() {
        ShortProcessor sp = new ShortProcessor(2, 1);
        sp.set(0, 0, 500);
        sp.set(1, 0, 1000);
        ImagePlus s = new ImagePlus("s", sp);
        s.setDisplayRange(0, 1000);
        RgbImage rs = ImagePlusConversion.slice(s, 1);
        assertEquals(127, grey(rs.argb()[0]), 1);
        assertEquals(255, grey(rs.argb()[1]));
        ImagePlus f = new ImagePlus("f", new FloatProcessor(2, 1, new float[] {-1f, 0.5f}));
        f.setDisplayRange(-1, 1);
        RgbImage rf = ImagePlusConversion.slice(f, 1);
        assertEquals(0, grey(rf.argb()[0]));
        assertEquals(191, grey(rf.argb()[1]), 1);
    }

    @Test
    void paddingReflectsUpToAMultipleOf8AndCropUndoesIt() {
        int[] px = new int[10 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = i;
        }
        RgbImage in = new RgbImage(10, 3, px, "", Map.of());
        RgbImage padded = ImagePlusConversion.padded(in);
        assertEquals(16, padded.width());
        assertEquals(8, padded.height());
        assertEquals(px[8], padded.argb()[10], "column 10 mirrors column 8 about the last column");
        assertEquals(px[10 + 9], padded.argb()[3 * 16 + 9], "row 3 mirrors row 1");
        assertEquals(0, padded.argb()[7 * 16], "beyond one reflection the edge pixel repeats");
        assertArrayEquals(px, ImagePlusConversion.cropped(padded, 10, 3).argb());
        assertSame(padded, ImagePlusConversion.padded(padded));
    }

    @Test
    void resultSlicesShareTheGeneratedArrays() {
        int[] px = {1, 2, 3, 4};
        ImagePlus imp = ImagePlusConversion.stack("t", java.util.List.of(new RgbImage(2, 2, px, "", Map.of())),
                java.util.List.of("label"), "info");
        assertSame(px, imp.getProcessor().getPixels());
        var img = ArgbImgs.wrap(java.util.List.of(new RgbImage(2, 2, px, "", Map.of())));
        px[3] = 0xff00ff00;
        var ra = img.randomAccess();
        ra.setPosition(new long[] {1, 1});
        assertEquals(0xff00ff00, ra.get().get(), "the Img reads the ImagePlus's array");
        assertEquals("info", imp.getProperty("Info"));
    }
}
