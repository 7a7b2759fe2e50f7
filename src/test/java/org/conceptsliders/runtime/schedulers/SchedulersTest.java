package org.conceptsliders.runtime.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.config.ConfigException;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.runtime.noise.TorchGenerator;
import org.conceptsliders.runtime.schedulers.SchedulerConfig.PredictionType;
import org.conceptsliders.runtime.schedulers.SchedulerConfig.TimestepSpacing;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against diffusers 0.20.2 (reference/scheduler) and, where the fixture has nothing, against the formulas. */
class SchedulersTest {
    private static final double TOL = Reference.MODULE_TOL;
    private static final int DDIM_FIXTURE_STEPS = 30;

    private static NDManager manager;
    private static SafeTensors io;
    private static SchedulerConfig ddimConfig;
    private static SchedulerConfig eulerConfig;

    @BeforeAll
    static void open() throws IOException {
        manager = NDManager.newBaseManager();
        io = SafeTensors.open(Reference.path("scheduler/io.safetensors"));
        Path file = Reference.path("scheduler/config.json");
        Config both = Config.read(file);
        ddimConfig = SchedulerConfig.from(new Config(file, both.json().get("ddim")), SchedulerKind.DDIM);
        eulerConfig = SchedulerConfig.from(new Config(file, both.json().get("euler")), SchedulerKind.EULER);
    }

    @AfterAll
    static void close() throws IOException {
        io.close();
        manager.close();
    }

    private static NDArray ref(String key) throws IOException {
        return io.load(key, manager, DataType.FLOAT32);
    }

    private static void report(NDArray out, NDArray expected, double tol, String what) {
        System.out.printf("%s: relative L2 %.3g%n", what, Reference.assertClose(out, expected, tol, what));
    }

    private static int[] ints(String key) throws IOException {
        return Arrays.stream(io.load(key, manager).toLongArray()).mapToInt(Math::toIntExact).toArray();
    }

    private static double[] doubles(String key) throws IOException {
        return ref(key).toType(DataType.FLOAT64, false).toDoubleArray();
    }

    @Test
    void alphasCumprodMatchesDiffusers() throws IOException {
        double err = Reference.relativeL2(new DDIMScheduler(ddimConfig).alphasCumprod(), doubles("alphas_cumprod"));
        System.out.printf("alphas_cumprod: relative L2 %.3g%n", err);
        assertTrue(err < 1e-6, "alphas_cumprod relative L2 " + err);
    }

    @Test
    void ddimLeadingTimestepsAreExact() throws IOException {
        DDIMScheduler ddim = new DDIMScheduler(ddimConfig);
        for (int steps : new int[] {50, 30, 8}) {
            assertArrayEquals(ints("ddim_timesteps_" + steps), ddim.timesteps(steps), "steps " + steps);
        }
    }

    @Test
    void ddimStepMatchesDiffusers() throws IOException {
        DDIMScheduler ddim = new DDIMScheduler(ddimConfig);
        for (int t : new int[] {1, 595, 958}) {
            StepResult r = ddim.step(ref("step_model_output"), t, ref("step_sample"), DDIM_FIXTURE_STEPS, 0f, null);
            report(r.prevSample(), ref("ddim_prev_sample_t" + t), TOL, "prev_sample t=" + t);
            report(r.predOriginal(), ref("ddim_pred_original_t" + t), TOL, "pred_original t=" + t);
        }
    }

    @Test
    void eulerScheduleMatchesDiffusers() throws IOException {
        EulerDiscreteScheduler.Schedule s = new EulerDiscreteScheduler(eulerConfig).forSteps(30);
        assertArrayEquals(doubles("euler_timesteps_30"), s.timesteps());
        double sigmaErr = Reference.relativeL2(s.sigmas(), doubles("euler_sigmas_30"));
        System.out.printf("euler sigmas: relative L2 %.3g%n", sigmaErr);
        assertTrue(sigmaErr < 1e-6, "sigmas relative L2 " + sigmaErr);
        assertEquals(ref("euler_init_noise_sigma").getFloat(0), s.initNoiseSigma(), 1e-5);

        NDArray x = ref("step_sample");
        report(s.scaleModelInput(x, 5), ref("euler_scaled_input_i5"), TOL, "scale_model_input");
        report(s.step(ref("step_model_output"), 5, x).prevSample(), ref("euler_prev_sample_i5"), TOL, "euler step");
    }

    @Test
    void ddpmAddNoiseMatchesDiffusers() throws IOException {
        int[] t = ints("add_noise_timesteps");
        NDArray out = new DDPMScheduler(ddimConfig).addNoise(ref("step_sample"), ref("step_model_output"), t);
        report(out, ref("add_noise_result"), TOL, "add_noise");
    }

    @Test
    void trailingAndLinspaceSpacing() {
        DDIMScheduler trailing = new DDIMScheduler(ddimConfig.withTimestepSpacing(TimestepSpacing.TRAILING));
        assertArrayEquals(new int[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99}, trailing.timesteps(10));
        // round(1000 - k * 1000 / 3) - 1 with numpy's ties: 1000, 666.67, 333.33
        assertArrayEquals(new int[] {999, 666, 332}, trailing.timesteps(3));

        DDIMScheduler linspace = new DDIMScheduler(ddimConfig.withTimestepSpacing(TimestepSpacing.LINSPACE));
        assertArrayEquals(new int[] {999, 888, 777, 666, 555, 444, 333, 222, 111, 0}, linspace.timesteps(10));
        // linspace(0, 999, 4) = 0, 333, 666, 999; Euler keeps fractions: linspace(0, 999, 5) has 249.75
        assertArrayEquals(new int[] {999, 666, 333, 0}, linspace.timesteps(4));
        EulerDiscreteScheduler.Schedule euler = new EulerDiscreteScheduler(eulerConfig.withTimestepSpacing(TimestepSpacing.LINSPACE)).forSteps(5);
        assertArrayEquals(new double[] {999, 749.25, 499.5, 249.75, 0}, euler.timesteps());
        double[] train = new DDIMScheduler(eulerConfig).alphasCumprod();
        double s249 = Math.sqrt((1 - train[249]) / train[249]);
        double s250 = Math.sqrt((1 - train[250]) / train[250]);
        assertEquals(0.25 * s249 + 0.75 * s250, euler.sigmas()[3], 1e-12);
        assertEquals(0, euler.sigmas()[5]);
        // linspace and trailing: the largest sigma itself
        assertEquals((float) euler.sigmas()[0], euler.initNoiseSigma());
    }

    @Test
    void ddimStepWithEtaAddsScaledNoise() {
        DDIMScheduler ddim = new DDIMScheduler(ddimConfig);
        double[] a = ddim.alphasCumprod();
        int t = 595;
        int prev = t - 1000 / DDIM_FIXTURE_STEPS;
        float eta = 0.7f;
        float[] x = {0.3f, -1.2f, 2.0f, 0.05f};
        float[] m = {-0.4f, 0.9f, 0.1f, 1.5f};
        float[] z = {1.0f, -0.5f, 0.25f, -2.0f};
        StepResult r = ddim.step(manager.create(m), t, manager.create(x), DDIM_FIXTURE_STEPS, eta, manager.create(z));
        double variance = (1 - a[prev]) / (1 - a[t]) * (1 - a[t] / a[prev]);
        double std = eta * Math.sqrt(variance);
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double x0 = (x[i] - Math.sqrt(1 - a[t]) * m[i]) / Math.sqrt(a[t]);
            expected[i] = Math.sqrt(a[prev]) * x0 + Math.sqrt(1 - a[prev] - std * std) * m[i] + std * z[i];
        }
        double err = Reference.relativeL2(r.prevSample().toType(DataType.FLOAT64, false).toDoubleArray(), expected);
        assertTrue(err < 1e-6, "eta step relative L2 " + err);
        assertThrows(IllegalArgumentException.class,
                () -> ddim.step(manager.create(m), t, manager.create(x), DDIM_FIXTURE_STEPS, eta, null));
    }

    @Test
    void predictionTypesFollowTheirDefinitions() {
        double[] a = new DDIMScheduler(ddimConfig).alphasCumprod();
        int t = 501;
        float[] x = {0.3f, -1.2f};
        float[] m = {-0.4f, 0.9f};
        DDIMScheduler v = new DDIMScheduler(ddimConfig.withPredictionType(PredictionType.V_PREDICTION));
        float[] x0 = v.step(manager.create(m), t, manager.create(x), 8, 0f, null).predOriginal().toFloatArray();
        DDIMScheduler sample = new DDIMScheduler(ddimConfig.withPredictionType(PredictionType.SAMPLE));
        float[] same = sample.step(manager.create(m), t, manager.create(x), 8, 0f, null).predOriginal().toFloatArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.sqrt(a[t]) * x[i] - Math.sqrt(1 - a[t]) * m[i], x0[i], 1e-6);
            assertEquals(m[i], same[i], 0);
        }
    }

    @Test
    void inversionThenSamplingReturnsTheStart() {
        DDIMScheduler ddim = new DDIMScheduler(ddimConfig);
        int steps = 10;
        int[] timesteps = ddim.timesteps(steps);
        TorchGenerator g = new TorchGenerator(3);
        NDArray start = g.randn(manager, new Shape(1, 4, 8, 8));
        NDArray eps = g.randn(manager, new Shape(1, 4, 8, 8)).mul(0.5f);
        NDArray x = start;
        for (int i = steps - 1; i >= 0; i--) {
            x = ddim.invertStep(eps, timesteps[i], x, steps).prevSample();
        }
        for (int t : timesteps) {
            x = ddim.step(eps, t, x, steps, 0f, null).prevSample();
        }
        report(x, start, 1e-4, "invert then sample");
    }

    @Test
    void samplerRunsEitherSchedulerThroughOneInterface() throws IOException {
        Sampler ddim = SchedulerKind.of("ddim").create(ddimConfig).forSteps(8);
        assertArrayEquals(Arrays.stream(ints("ddim_timesteps_8")).asDoubleStream().toArray(), ddim.timesteps());
        assertEquals(1f, ddim.initNoiseSigma());
        NDArray x = ref("step_sample");
        assertSame(x, ddim.scaleModelInput(x, 0));

        Sampler euler = SchedulerKind.of("euler").create(eulerConfig).forSteps(30);
        assertEquals(30, euler.steps());
        report(euler.step(ref("step_model_output"), 5, x).prevSample(), ref("euler_prev_sample_i5"), TOL, "via Sampler");
        assertThrows(IllegalArgumentException.class, () -> SchedulerKind.of("pndm"));
    }

    @Test
    void modelFolderConfigsReadWithTheirSchedulersDefaults() throws IOException {
        SchedulerConfig sd1 = SchedulerConfig.read(Reference.path("model_sd1/scheduler/scheduler_config.json"), SchedulerKind.DDIM);
        assertEquals(ddimConfig, sd1);
        SchedulerConfig sdxl = SchedulerConfig.read(Reference.path("model_sdxl/scheduler/scheduler_config.json"), SchedulerKind.EULER);
        assertEquals(TimestepSpacing.LEADING, sdxl.timestepSpacing());
        assertEquals(1, sdxl.stepsOffset());

        // absent keys take the reading scheduler's defaults
        assertEquals(TimestepSpacing.LEADING, parse("{}", SchedulerKind.DDIM).timestepSpacing());
        assertEquals(TimestepSpacing.LINSPACE, parse("{}", SchedulerKind.EULER).timestepSpacing());
        assertTrue(parse("{}", SchedulerKind.DDIM).clipSample());
        assertEquals(SchedulerConfig.BetaSchedule.SQUAREDCOS_CAP_V2,
                parse("{\"beta_schedule\": \"squaredcos_cap_v2\"}", SchedulerKind.DDIM).betaSchedule());
    }

    @Test
    void unsupportedConfigValuesNameTheirKey() {
        assertKey("beta_schedule", "{\"beta_schedule\": \"sigmoid\"}", SchedulerKind.DDIM);
        assertKey("prediction_type", "{\"prediction_type\": \"flow\"}", SchedulerKind.DDIM);
        assertKey("timestep_spacing", "{\"timestep_spacing\": \"karras\"}", SchedulerKind.EULER);
        assertKey("thresholding", "{\"thresholding\": true}", SchedulerKind.DDIM);
        assertKey("use_karras_sigmas", "{\"use_karras_sigmas\": true}", SchedulerKind.EULER);
        assertKey("interpolation_type", "{\"interpolation_type\": \"log_linear\"}", SchedulerKind.EULER);
        assertKey("rescale_betas_zero_snr", "{\"rescale_betas_zero_snr\": true}", SchedulerKind.DDIM);
        assertKey("trained_betas", "{\"trained_betas\": [0.1, 0.2]}", SchedulerKind.DDIM);
        // DDIM ignores Euler's keys, as diffusers' from_config does
        parse("{\"use_karras_sigmas\": true}", SchedulerKind.DDIM);
    }

    private static void assertKey(String key, String json, SchedulerKind kind) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(json, kind));
        assertEquals(key, e.key(), e.getMessage());
    }

    private static SchedulerConfig parse(String json, SchedulerKind kind) {
        try {
            ObjectNode node = (ObjectNode) new ObjectMapper().readTree(json);
            return SchedulerConfig.from(new Config(Path.of("scheduler_config.json"), node), kind);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
