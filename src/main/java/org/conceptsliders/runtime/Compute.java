package org.conceptsliders.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

/**
 * Where and in which precision a model runs: CUDA when the engine sees a GPU, else the CPU.
 * fp16 weights stay fp16 on a GPU and are up-cast to fp32 on the CPU, whose half-precision
 * kernels are missing or slow in libtorch.
 */
public record Compute(Device device, DataType dtype) {

    static {
        // Nothing may be downloaded at run time: the CPU libtorch ships inside pytorch-native-cpu.
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    public static Compute cpu() {
        return new Compute(Device.cpu(), DataType.FLOAT32);
    }

    /** The best device of the engine: GPU 0 in fp16 when there is one, else CPU in fp32. */
    public static Compute auto() {
        Engine engine = Engine.getEngine("PyTorch");
        if (engine.getGpuCount() > 0) {
            return new Compute(Device.gpu(), DataType.FLOAT16);
        }
        return cpu();
    }

    /**
     * Parses a user's choice: "auto", "cpu", "gpu"/"cuda" (optionally ":N"). Asking for a GPU the
     * engine does not see is an error that says how to get the CUDA engine.
     */
    public static Compute parse(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("auto")) {
            return auto();
        }
        if (s.equals("cpu")) {
            return cpu();
        }
        if (s.startsWith("gpu") || s.startsWith("cuda")) {
            int idx = s.contains(":") ? Integer.parseInt(s.substring(s.indexOf(':') + 1)) : 0;
            int count = Engine.getEngine("PyTorch").getGpuCount();
            if (idx >= count) {
                throw new IllegalArgumentException("device '" + spec + "': the PyTorch engine sees " + count
                        + " GPU(s). For CUDA, point PYTORCH_LIBRARY_PATH at a CUDA libtorch 2.7.1"
                        + " (see docs/install.md) or put pytorch-native-cu128 on the class path.");
            }
            return new Compute(Device.gpu(idx), DataType.FLOAT16);
        }
        throw new IllegalArgumentException("device '" + spec + "': expected auto, cpu, gpu or gpu:N");
    }

    /** A one-line description for logs: which engine, device and precision were picked. */
    public String describe() {
        Engine e = Engine.getEngine("PyTorch");
        return "PyTorch " + e.getVersion() + " on " + device + " (" + dtype + ")";
    }

    /** Checks that weights created in {@code manager} land on this device. */
    public void requireOn(ai.djl.ndarray.NDManager manager) {
        if (!manager.getDevice().equals(device)) {
            throw new IllegalArgumentException("the manager for the weights is on " + manager.getDevice()
                    + " but compute is on " + device);
        }
    }
}
