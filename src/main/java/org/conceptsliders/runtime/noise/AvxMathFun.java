package org.conceptsliders.runtime.noise;

/**
 * The float logarithm and sine/cosine that PyTorch's x86 CPU build uses in {@code torch.randn}
 * ({@code avx_mathfun.h}: Cephes polynomials after J. Pommier's {@code sse_mathfun}), evaluated
 * one lane at a time.
 *
 * <p>The library functions ({@code logf}, {@code sinf}) differ from these in the last bit for
 * about a third of the samples, so only this evaluation reproduces torch's noise bit for bit.
 * PyTorch's AVX2 kernels are compiled with FMA contraction: each {@code a * b + c} of the
 * source is one fused multiply-add, which is why the polynomials below use {@link Math#fma}.
 * The fusion points were determined against the reference noise (all 19052 values exact).
 */
final class AvxMathFun {
    private static final float SQRTHF = 0.707106781186547524f;
    private static final float[] LOG_P = {
            7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
            -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};
    private static final float LOG_Q1 = -2.12194440e-4f;
    private static final float LOG_Q2 = 0.693359375f;

    private static final float FOUR_OVER_PI = 1.27323954473516f;
    private static final float MINUS_DP1 = -0.78515625f;
    private static final float MINUS_DP2 = -2.4187564849853515625e-4f;
    private static final float MINUS_DP3 = -3.77489497744594108e-8f;
    private static final float SIN_P0 = -1.9515295891E-4f;
    private static final float SIN_P1 = 8.3321608736E-3f;
    private static final float SIN_P2 = -1.6666654611E-1f;
    private static final float COS_P0 = 2.443315711809948E-005f;
    private static final float COS_P1 = -1.388731625493765E-003f;
    private static final float COS_P2 = 4.166664568298827E-002f;

    private AvxMathFun() {
    }

    /** Natural logarithm for x in (0, 1], the only arguments Box-Muller gives it. */
    static float log(float x) {
        int bits = Float.floatToRawIntBits(Math.max(x, Float.MIN_NORMAL));
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        // mantissa scaled into [0.5, 1)
        float m = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        if (m < SQRTHF) {
            e -= 1f;
            m = m + m - 1f;
        } else {
            m = m - 1f;
        }
        float z = m * m;
        float y = LOG_P[0];
        for (int i = 1; i < LOG_P.length; i++) {
            y = Math.fma(y, m, LOG_P[i]);
        }
        y = y * m;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, 0.5f, y);
        return Math.fma(e, LOG_Q2, m + y);
    }

    /** Sine and cosine of x >= 0 (here 0 <= x < 2 pi), written to {@code out[0]}, {@code out[1]}. */
    static void sincos(float x, float[] out) {
        int j = (int) (x * FOUR_OVER_PI);
        j = (j + 1) & ~1;
        float y = j;
        boolean sinNegative = (j & 4) != 0;
        boolean cosNegative = ((~(j - 2)) & 4) != 0;
        boolean sinIsSinPoly = (j & 2) == 0;

        // extended precision modular arithmetic: x - y * pi/4 in three parts
        float r = Math.fma(y, MINUS_DP1, x);
        r = Math.fma(y, MINUS_DP2, r);
        r = Math.fma(y, MINUS_DP3, r);
        float z = r * r;

        float c = Math.fma(COS_P0, z, COS_P1);
        c = Math.fma(c, z, COS_P2);
        c = c * z;
        c = Math.fma(c, z, -(z * 0.5f));
        c = c + 1f;

        float s = Math.fma(SIN_P0, z, SIN_P1);
        s = Math.fma(s, z, SIN_P2);
        s = s * z;
        s = Math.fma(s, r, r);

        float sin = sinIsSinPoly ? s : c;
        float cos = sinIsSinPoly ? c : s;
        out[0] = sinNegative ? -sin : sin;
        out[1] = cosNegative ? -cos : cos;
    }
}
