package org.conceptsliders.runtime.text;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.io.SafeTensors;
import org.conceptsliders.testing.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {
    private static List<String> prompts;
    private static long[][] padEot;
    private static long[][] padZero;
    private static long[] lengths;
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void readFixture() throws IOException {
        prompts = new ObjectMapper().readValue(Reference.path("tokenizer/prompts.json").toFile(),
                new TypeReference<List<String>>() { });
        try (SafeTensors st = SafeTensors.open(Reference.path("tokenizer/ids.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            padEot = rows(st.load("input_ids_pad_eot", m).toLongArray());
            padZero = rows(st.load("input_ids_pad_zero", m).toLongArray());
            lengths = st.load("lengths", m).toLongArray();
        }
        tokenizer = ClipTokenizer.load(Reference.path("tokenizer"));
    }

    private static long[][] rows(long[] flat) {
        long[][] out = new long[flat.length / ClipTokenizer.MAX_LENGTH][];
        for (int i = 0; i < out.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * ClipTokenizer.MAX_LENGTH, (i + 1) * ClipTokenizer.MAX_LENGTH);
        }
        return out;
    }

    private static long[] widen(int[] ids) {
        return java.util.Arrays.stream(ids).asLongStream().toArray();
    }

    @Test
    void fixtureHasFourteenPrompts() {
        assertEquals(14, prompts.size());
        assertEquals(14, padEot.length);
        assertEquals(14, padZero.length);
    }

    @Test
    void encodesEveryPromptPaddedWithEndOfText() {
        assertEquals(ClipTokenizer.Padding.EOT, tokenizer.padding(), "tokenizer_config pad_token is <|endoftext|>");
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(padEot[i], widen(tokenizer.encode(prompts.get(i))), "prompt " + i + ": " + prompts.get(i));
        }
    }

    @Test
    void encodesEveryPromptPaddedWithZero() {
        ClipTokenizer zero = tokenizer.withPadding(ClipTokenizer.Padding.ZERO);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(padZero[i], widen(zero.encode(prompts.get(i))), "prompt " + i + ": " + prompts.get(i));
        }
    }

    @Test
    void batchEncodingMatchesSingle() {
        int[][] batch = tokenizer.encode(prompts);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(padEot[i], widen(batch[i]), "prompt " + i);
        }
    }

    @Test
    void lengthsCountBosAndEosAndStopAtTheContext() {
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(lengths[i], tokenizer.length(prompts.get(i)), "prompt " + i + ": " + prompts.get(i));
        }
        assertEquals(ClipTokenizer.MAX_LENGTH, tokenizer.length(prompts.get(10)), "90 words are truncated");
        assertEquals(2, tokenizer.length(""));
    }

    @Test
    void sdxlSecondTokenizerPadsWithZero() throws IOException {
        ClipTokenizer second = ClipTokenizer.load(Reference.path("model_sdxl/tokenizer_2"));
        assertEquals(ClipTokenizer.Padding.ZERO, second.padding());
        assertArrayEquals(padZero[0], widen(second.encode(prompts.get(0))));
    }

    @Test
    void normalizesLikePythonHtmlUnescapeAndWhitespace() {
        assertEquals("a & b < c", ClipTokenizer.normalize("  A &amp; B &lt;\u3000c\t"));
        // Unescaped twice; legacy names without semicolon use the longest known prefix.
        assertEquals("& \u00e9x \u20ac \ufffd", ClipTokenizer.normalize("&amp;amp; &eacutex &#128; &#xD800;"));
        assertEquals("&unknownentity;", ClipTokenizer.normalize("&unknownentity;"));
        assertEquals("\u2014 \u00a9", HtmlUnescape.unescape("&mdash; &COPY"));
    }

    @Test
    void entitiesTokenizeAsTheCharactersTheyStandFor() {
        assertArrayEquals(tokenizer.encode(prompts.get(7)),
                tokenizer.encode("caf&eacute; au lait with cr&#232;me br&#xfb;l&eacute;e"));
    }

    @Test
    void missingVocabularyNamesTheFile(@TempDir Path dir) throws IOException {
        Files.copy(Reference.path("tokenizer/merges.txt"), dir.resolve("merges.txt"));
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("vocab.json").toString()), e.getMessage());
    }

    @Test
    void unsupportedPadTokenNamesTheKey(@TempDir Path dir) throws IOException {
        for (String f : new String[] {"vocab.json", "merges.txt"}) {
            Files.copy(Reference.path("tokenizer/" + f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": {\"content\": \"a\"}}");
        org.conceptsliders.runtime.config.ConfigException e = assertThrows(
                org.conceptsliders.runtime.config.ConfigException.class, () -> ClipTokenizer.load(dir));
        assertEquals("pad_token", e.key());
    }
}
