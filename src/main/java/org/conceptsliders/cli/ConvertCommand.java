package org.conceptsliders.cli;

import org.conceptsliders.runtime.Compute;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.nn.Module;
import org.conceptsliders.runtime.text.CLIPTextConfig;
import org.conceptsliders.runtime.text.CLIPTextModel;
import org.conceptsliders.runtime.unet.UNet2DConditionModel;
import org.conceptsliders.runtime.unet.UNetConfig;
import org.conceptsliders.sliders.EmbeddedModel;
import org.conceptsliders.sliders.SliderConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Any slider or LoRA file we load (the paper's .pt included) to a kohya-named .safetensors. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a slider / LoRA file (the paper's .pt or .safetensors, kohya, PEFT, diffusers, LyCORIS)"
                + " into a kohya-named .safetensors with ss_* and modelspec metadata, which A1111, ComfyUI, Forge and"
                + " diffusers load.",
                "Only the model folder's config.json files are read (no weights), to name the layers."})
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "The slider file to read.")
    Path in;

    @Option(names = "--out", required = true, description = "The .safetensors file to write (atomically).")
    Path out;

    @Option(names = "--model", description = "The base model folder (SD 1.x/2.x/SDXL decides the naming). Default: the embedded model.")
    Path model;

    @Option(names = "--title", description = "Title written into modelspec.title (default: the output file name).")
    String title;

    @Override
    public Integer call() throws Exception {
        Path dir = model != null ? model : EmbeddedModel.folder();
        Module unet = new UNet2DConditionModel(UNetConfig.read(dir.resolve("unet/config.json")));
        Module te1 = textEncoder(dir.resolve("text_encoder/config.json"));
        Module te2 = textEncoder(dir.resolve("text_encoder_2/config.json"));
        String name = title != null ? title : out.getFileName().toString().replaceFirst("\\.safetensors$", "");
        SliderConverter.Info info = new SliderConverter.Info(name, null, null, null, null, null, "converted from " + in.getFileName());
        SliderConverter.convert(in, out, unet, te1, te2, info);
        System.err.println("wrote " + out);
        return 0;
    }

    private static Module textEncoder(Path config) throws Exception {
        return Files.isRegularFile(config) ? new CLIPTextModel(CLIPTextConfig.read(Config.read(config)), Compute.cpu()) : null;
    }
}
