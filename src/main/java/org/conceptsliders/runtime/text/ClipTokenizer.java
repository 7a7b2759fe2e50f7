package org.conceptsliders.runtime.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.conceptsliders.runtime.config.Config;
import org.conceptsliders.runtime.config.ConfigException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer (openai/CLIP {@code SimpleTokenizer}, which Hugging Face's
 * {@code CLIPTokenizer} reproduces), read from a diffusers {@code tokenizer/} folder.
 *
 * <p>A prompt is html-unescaped twice, its whitespace runs collapsed to one space, trimmed and
 * lower-cased (ftfy's mojibake repair is not applied), split by CLIP's pre-tokenizer pattern,
 * each piece's UTF-8 bytes mapped to printable characters, and merged by rank with
 * {@code </w>} marking the end of a word. The ids are framed as {@code BOS content EOS pad...}
 * in {@value #MAX_LENGTH} positions; content beyond {@value #MAX_CONTENT} tokens is dropped.
 * Literal {@code <|startoftext|>} / {@code <|endoftext|>} in a prompt become those special ids.
 */
public final class ClipTokenizer {

    /** Positions of the text encoder (CLIP's context length). */
    public static final int MAX_LENGTH = 77;
    /** Content tokens kept: the context minus BOS and EOS. */
    public static final int MAX_CONTENT = MAX_LENGTH - 2;

    private static final String BOS = "<|startoftext|>";
    private static final String EOS = "<|endoftext|>";
    private static final String END_OF_WORD = "</w>";

    /** What fills the positions after EOS; the text encoder sees these, so they change the embedding. */
    public enum Padding {
        /** {@code <|endoftext|>} (49407): SD 1.x {@code tokenizer/}. */
        EOT,
        /** id 0, the token {@code "!"}: SD 2.x {@code tokenizer/} and SDXL {@code tokenizer_2/}. */
        ZERO
    }

    private static final Pattern PRE_TOKENIZER = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    /** Python's {@code \s} on str: every code point for which {@code str.isspace()} holds. */
    private static final Pattern WHITESPACE = Pattern.compile(
            "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+");

    private static final char[] BYTE_TO_CHAR = byteToUnicode();

    private final Path dir;
    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    private final int bosId;
    private final int eosId;
    private final Padding padding;

    private ClipTokenizer(Path dir, Map<String, Integer> vocab, Map<String, Integer> mergeRanks, Padding padding) {
        this.dir = dir;
        this.vocab = vocab;
        this.mergeRanks = mergeRanks;
        this.bosId = special(vocab, BOS, dir);
        this.eosId = special(vocab, EOS, dir);
        this.padding = padding;
    }

    /**
     * Reads {@code vocab.json} and {@code merges.txt}, and the pad token from
     * {@code special_tokens_map.json} (which transformers lets override) or else
     * {@code tokenizer_config.json}; without either, CLIPTokenizer's default {@code <|endoftext|>}.
     */
    public static ClipTokenizer load(Path tokenizerDir) throws IOException {
        Path vocabFile = require(tokenizerDir.resolve("vocab.json"));
        Path mergesFile = require(tokenizerDir.resolve("merges.txt"));
        Map<String, Integer> vocab;
        try {
            vocab = new ObjectMapper().readValue(vocabFile.toFile(), new TypeReference<Map<String, Integer>>() { });
        } catch (IOException e) {
            throw new IOException(vocabFile + ": not a JSON map of token to id: " + e.getMessage(), e);
        }
        Map<String, Integer> ranks = new HashMap<>();
        List<String> lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || (i == 0 && line.startsWith("#version"))) {
                continue;
            }
            if (line.split(" ").length != 2) {
                throw new IOException(mergesFile + ": line " + (i + 1) + " is not a pair of symbols: '" + line + "'");
            }
            ranks.putIfAbsent(line, ranks.size());
        }
        return new ClipTokenizer(tokenizerDir, vocab, ranks, readPadding(tokenizerDir, vocab));
    }

    private static Path require(Path file) throws FileNotFoundException {
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException(file + ": tokenizer file not found");
        }
        return file;
    }

    private static int special(Map<String, Integer> vocab, String token, Path dir) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException(dir.resolve("vocab.json") + ": has no " + token + " token");
        }
        return id;
    }

    private static Padding readPadding(Path dir, Map<String, Integer> vocab) throws IOException {
        for (String name : new String[] {"special_tokens_map.json", "tokenizer_config.json"}) {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            JsonNode pad = Config.read(file).json().get("pad_token");
            if (pad == null || pad.isNull()) {
                continue;
            }
            // transformers writes either the token or an AddedToken object {"content": token, ...}.
            String token = pad.isObject() ? pad.path("content").asText(null) : pad.asText(null);
            Integer id = token == null ? null : vocab.get(token);
            if (Objects.equals(id, vocab.get(EOS))) {
                return Padding.EOT;
            }
            if (Objects.equals(id, 0)) {
                return Padding.ZERO;
            }
            throw new ConfigException(file, "pad_token", "unsupported value " + pad
                    + " (supported: \"<|endoftext|>\", or \"!\" which is id 0)");
        }
        return Padding.EOT;
    }

    /** The same vocabulary with another padding (for example to match a pipeline's convention). */
    public ClipTokenizer withPadding(Padding p) {
        return new ClipTokenizer(dir, vocab, mergeRanks, Objects.requireNonNull(p, "padding"));
    }

    public Padding padding() {
        return padding;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padding == Padding.EOT ? eosId : 0;
    }

    /** {@value #MAX_LENGTH} ids: BOS, at most {@value #MAX_CONTENT} content tokens, EOS, padding. */
    public int[] encode(String prompt) {
        List<Integer> content = tokens(prompt);
        int n = Math.min(content.size(), MAX_CONTENT);
        int[] ids = new int[MAX_LENGTH];
        Arrays.fill(ids, padId());
        ids[0] = bosId;
        for (int i = 0; i < n; i++) {
            ids[i + 1] = content.get(i);
        }
        ids[n + 1] = eosId;
        return ids;
    }

    /** One row of {@link #encode(String)} per prompt. */
    public int[][] encode(List<String> prompts) {
        return prompts.stream().map(this::encode).toArray(int[][]::new);
    }

    /** Ids before padding, BOS and EOS included (at most {@value #MAX_LENGTH}). */
    public int length(String prompt) {
        return Math.min(tokens(prompt).size(), MAX_CONTENT) + 2;
    }

    /** The content ids of a prompt, untruncated. */
    List<Integer> tokens(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        List<Integer> ids = new ArrayList<>();
        Matcher m = PRE_TOKENIZER.matcher(normalize(prompt));
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(BOS) || piece.equals(EOS)) {
                ids.add(vocab.get(piece));
                continue;
            }
            for (String symbol : bpe(byteEncode(piece))) {
                Integer id = vocab.get(symbol);
                if (id == null) {
                    throw new IllegalStateException(dir.resolve("vocab.json") + ": no id for the merged symbol '"
                            + symbol + "' (vocab.json and merges.txt do not belong together)");
                }
                ids.add(id);
            }
        }
        return ids;
    }

    /** html.unescape twice, whitespace collapsed and trimmed, lower-cased (CLIP's basic_clean + whitespace_clean). */
    static String normalize(String text) {
        String s = HtmlUnescape.unescape(HtmlUnescape.unescape(text));
        s = WHITESPACE.matcher(s).replaceAll(" ");
        int from = s.startsWith(" ") ? 1 : 0;
        int to = s.endsWith(" ") && s.length() > from ? s.length() - 1 : s.length();
        return s.substring(from, to).toLowerCase(Locale.ROOT);
    }

    private static String byteEncode(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** Repeatedly merges the adjacent pair of lowest rank, every occurrence left to right. */
    private List<String> bpe(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + END_OF_WORD);
        while (symbols.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i < symbols.size() - 1; i++) {
                Integer rank = mergeRanks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank != null && rank < best) {
                    best = rank;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i < symbols.size() - 1 && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
        }
        return symbols;
    }

    /**
     * GPT-2's reversible byte-to-character map: printable Latin-1 bytes map to themselves, the
     * other 68 bytes to U+0100 onwards in byte order, so that BPE never sees whitespace or controls.
     */
    private static char[] byteToUnicode() {
        char[] map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = (char) (printable ? b : next++);
        }
        return map;
    }
}
