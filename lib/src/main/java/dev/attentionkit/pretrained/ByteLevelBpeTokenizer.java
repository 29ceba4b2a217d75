package dev.attentionkit.pretrained;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level BPE, as SmolLM2 uses it (GGUF {@code tokenizer.ggml.model = gpt2}, pre-tokenizer
 * {@code smollm}): the text is split into pieces — every digit alone, then GPT-2's pattern (contractions,
 * an optional space plus letters, plus digits, plus other symbols, runs of white space) — each piece's
 * UTF-8 bytes are written as printable characters (byte 0x20, a space, becomes {@code Ġ}), and the
 * merges are applied lowest rank first until none applies.
 *
 * <pre>
 * " the animal"  →  Ġthe Ġanimal          "2024"  →  2 0 2 4
 * </pre>
 */
public final class ByteLevelBpeTokenizer {
    private static final Pattern GPT2 = Pattern.compile(
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

    static {
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE.put(c, b);
        }
    }

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> ranks = new HashMap<>();

    /**
     * @param tokens id → token, in GPT-2's printable-byte spelling
     * @param merges "left right" pairs, best first
     */
    public ByteLevelBpeTokenizer(List<String> tokens, List<String> merges) {
        this.tokens = List.copyOf(tokens);
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(tokens.get(i), i);
        }
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i), i);
        }
    }

    /** From a GGUF file's {@code tokenizer.ggml.tokens} and {@code tokenizer.ggml.merges}. */
    public static ByteLevelBpeTokenizer fromGguf(Gguf g) {
        if (!"gpt2".equals(g.meta("tokenizer.ggml.model"))) {
            throw new TensorFormatException(g.path() + ": tokenizer.ggml.model is " + g.meta("tokenizer.ggml.model")
                + ", not the byte-level BPE (gpt2)");
        }
        return new ByteLevelBpeTokenizer(g.metaStrings("tokenizer.ggml.tokens"), g.metaStrings("tokenizer.ggml.merges"));
    }

    /** The pre-tokenizer's pieces: digits one by one, then GPT-2's pattern on the rest. */
    public static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER || Character.getType(c) == Character.LETTER_NUMBER
                    || Character.getType(c) == Character.OTHER_NUMBER) {
                splitRun(run, out);
                out.add(new String(Character.toChars(c)));
            } else {
                run.appendCodePoint(c);
            }
        });
        splitRun(run, out);
        return out;
    }

    private static void splitRun(StringBuilder run, List<String> out) {
        if (run.length() == 0) {
            return;
        }
        Matcher m = GPT2.matcher(run);
        while (m.find()) {
            out.add(m.group());
        }
        run.setLength(0);
    }

    /** Token ids of {@code text} (no special tokens added). */
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        for (String piece : pieces(text)) {
            for (String token : bpe(printable(piece))) {
                Integer id = ids.get(token);
                if (id == null) {
                    throw new IllegalStateException("BPE produced '" + token + "', which is not in the vocabulary");
                }
                out.add(id);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The tokens of {@code text}, in their printable spelling. */
    public List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (int id : encode(text)) {
            out.add(tokens.get(id));
        }
        return out;
    }

    /** The text of {@code ids} (bytes put back together and read as UTF-8). */
    public String decode(int... ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            for (char c : token(id).toCharArray()) {
                Integer b = CHAR_TO_BYTE.get(c);
                if (b == null) {
                    bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8)); // special tokens
                } else {
                    bytes.write(b);
                }
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A token's text with GPT-2's Ġ (space) and Ċ (new line) shown as a space and \n. */
    public String display(int id) {
        return decode(id);
    }

    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside 0.." + (tokens.size() - 1));
        }
        return tokens.get(id);
    }

    /** The id of a token spelled exactly (e.g. {@code <|im_start|>}). */
    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("no token '" + token + "' in the vocabulary");
        }
        return id;
    }

    public int vocabularySize() {
        return tokens.size();
    }

    static String printable(String piece) {
        StringBuilder sb = new StringBuilder();
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
            sb.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return sb.toString();
    }

    /** Merges the pair of lowest rank (leftmost on ties) until no pair is a merge. */
    List<String> bpe(String word) {
        List<String> symbols = new ArrayList<>();
        word.codePoints().forEach(c -> symbols.add(new String(Character.toChars(c))));
        while (symbols.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer r = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        return symbols;
    }
}
