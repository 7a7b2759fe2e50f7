package org.conceptsliders.cli;

import org.conceptsliders.runtime.text.ClipTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** Prints the 77 CLIP token ids of each prompt, one line per prompt. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the CLIP token ids of each prompt (77 per line, BOS, EOS and padding included).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--tokenizer", required = true, description = "A tokenizer folder (vocab.json + merges.txt).")
    Path tokenizer;

    @Option(names = "--pad", description = "Padding: eot (SD 1.x) or zero (SD 2.x, SDXL tokenizer_2). Default: from the folder.")
    String pad;

    @Parameters(arity = "1..*", paramLabel = "PROMPT")
    List<String> prompts;

    @Override
    public Integer call() throws Exception {
        ClipTokenizer tok = ClipTokenizer.load(tokenizer);
        if (pad != null) {
            tok = tok.withPadding(switch (pad) {
                case "eot" -> ClipTokenizer.Padding.EOT;
                case "zero" -> ClipTokenizer.Padding.ZERO;
                default -> throw new IllegalArgumentException("--pad: expected eot or zero, got '" + pad + "'");
            });
        }
        for (String p : prompts) {
            System.out.println(Arrays.stream(tok.encode(p)).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        }
        return 0;
    }
}
