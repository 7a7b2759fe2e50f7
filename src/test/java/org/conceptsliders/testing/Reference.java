package org.conceptsliders.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference fixtures copied from shared/reference into src/test/resources/reference, and
 * the comparison their README prescribes: relative L2 error computed in float64.
 */
public final class Reference {
    /** One module forward (text encoder, UNet, VAE, one scheduler step). */
    public static final double MODULE_TOL = 1e-4;
    /** A whole multi-step pipeline (guidance amplifies rounding). */
    public static final double PIPELINE_TOL = 1e-3;

    private Reference() {
    }

    /** The fixture folder or file at {@code relative} (e.g. "unet_sd1/config.json"). */
    public static Path path(String relative) {
        URL url = Reference.class.getResource("/reference/" + relative);
        if (url == null) {
            throw new IllegalStateException("fixture not found on the test class path: reference/" + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static double relativeL2(double[] out, double[] ref) {
        if (out.length != ref.length) {
            throw new AssertionError("length " + out.length + " != reference length " + ref.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < out.length; i++) {
            double d = out[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num) / Math.sqrt(den);
    }

    public static double relativeL2(NDArray out, NDArray ref) {
        assertArrayEquals(ref.getShape().getShape(), out.getShape().getShape(), "shape");
        return relativeL2(out.toType(DataType.FLOAT64, false).toDoubleArray(), ref.toType(DataType.FLOAT64, false).toDoubleArray());
    }

    /** Asserts {@code ||out - ref|| / ||ref|| < tol} and returns the error for reporting. */
    public static double assertClose(NDArray out, NDArray ref, double tol, String what) {
        double err = relativeL2(out, ref);
        assertTrue(err < tol, what + ": relative L2 error " + err + " >= " + tol);
        return err;
    }
}
