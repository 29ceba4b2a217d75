package dev.attentionkit.pretrained;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BERT's tokenizer (uncased): a basic tokenizer that cleans, lower-cases, strips accents and splits on white
 * space, punctuation and around CJK ideographs, then WordPiece on each word: the longest vocabulary entry
 * that starts the word, then the longest {@code ##}-prefixed entry that continues it, and so on; a word that
 * cannot be covered this way becomes {@code [UNK]} as a whole.
 *
 * <pre>
 * "The animal didn't cross"  →  [CLS] the animal didn ' t cross [SEP]
 * "unaffable"                →  un ##aff ##able            (if those are in the vocabulary)
 * </pre>
 *
 * Written here rather than taken from DJL's Hugging Face tokenizers (Maven Central): that is a native Rust
 * library per platform for what is one screen of Java, and the course's exercise asks learners to write
 * exactly this loop. Its ids are checked against the reference, the {@code tokenizers}
 * package (PyPI) on {@code tokenizer.json} by {@code tools/pretrained_reference.py}.
 */
public final class WordPieceTokenizer {
    /** One encoded text: ids and the tokens they stand for, {@code [CLS]} first and {@code [SEP]} last. */
    public record Encoding(int[] ids, List<String> tokens) {
        public int length() {
            return ids.length;
        }
    }

    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String UNK = "[UNK]";
    public static final String PAD = "[PAD]";
    private static final int MAX_WORD_CHARS = 100;

    private final Map<String, Integer> vocabulary;
    private final List<String> tokens;

    private WordPieceTokenizer(Map<String, Integer> vocabulary, List<String> tokens) {
        this.vocabulary = vocabulary;
        this.tokens = tokens;
    }

    /** From a {@code vocab.txt}: one token a line, the line number (from 0) is its id. */
    public static WordPieceTokenizer fromVocabFile(Path vocab) {
        try {
            return fromTokens(Files.readAllLines(vocab, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the vocabulary " + vocab + ": " + e.getMessage(), e);
        }
    }

    /** From the tokens in id order; they must include {@code [CLS]}, {@code [SEP]} and {@code [UNK]}. */
    public static WordPieceTokenizer fromTokens(List<String> tokens) {
        Map<String, Integer> vocabulary = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocabulary.putIfAbsent(tokens.get(i), i);
        }
        for (String special : List.of(CLS, SEP, UNK)) {
            if (!vocabulary.containsKey(special)) {
                throw new IllegalArgumentException("the vocabulary has no " + special + " token");
            }
        }
        return new WordPieceTokenizer(Collections.unmodifiableMap(vocabulary), List.copyOf(tokens));
    }

    /** MiniLM's tokenizer, from {@code ./kit models}. */
    public static WordPieceTokenizer miniLm() {
        return fromVocabFile(ModelFiles.require(ModelFiles.MINILM, "vocab.txt"));
    }

    /** {@code [CLS]} + the word pieces of {@code text} + {@code [SEP]}. */
    public Encoding encode(String text) {
        List<String> pieces = new ArrayList<>();
        pieces.add(CLS);
        for (String word : basicTokens(text)) {
            pieces.addAll(wordPieces(word));
        }
        pieces.add(SEP);
        int[] ids = pieces.stream().mapToInt(vocabulary::get).toArray();
        return new Encoding(ids, List.copyOf(pieces));
    }

    /**
     * The basic tokenizer: control characters dropped, white space normalised, spaces around CJK ideographs,
     * lower-cased, accents stripped (NFD, then combining marks removed), and split on white space and
     * punctuation (each punctuation character is a word of its own).
     */
    public static List<String> basicTokens(String text) {
        StringBuilder clean = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c == 0 || c == 0xFFFD || isControl(c)) {
                return;
            }
            if (isWhitespace(c)) {
                clean.append(' ');
            } else if (isCjk(c)) {
                clean.append(' ').appendCodePoint(c).append(' ');
            } else {
                clean.appendCodePoint(c);
            }
        });
        String lowered = clean.toString().toLowerCase(Locale.ROOT);
        String stripped = Normalizer.normalize(lowered, Normalizer.Form.NFD);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        stripped.codePoints().forEach(c -> {
            if (Character.getType(c) == Character.NON_SPACING_MARK) {
                return;
            }
            if (isWhitespace(c)) {
                flush(word, words);
            } else if (isPunctuation(c)) {
                flush(word, words);
                words.add(new String(Character.toChars(c)));
            } else {
                word.appendCodePoint(c);
            }
        });
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (word.length() > 0) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /**
     * WordPiece on one word (greedy longest match first): {@code [UNK]} alone if some part of the word
     * matches no vocabulary entry, or if it is longer than 100 characters.
     */
    public List<String> wordPieces(String word) {
        int[] chars = word.codePoints().toArray();
        if (chars.length > MAX_WORD_CHARS) {
            return List.of(UNK);
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < chars.length) {
            String match = null;
            for (int end = chars.length; end > start; end--) {
                String candidate = (start > 0 ? "##" : "") + new String(chars, start, end - start);
                if (vocabulary.containsKey(candidate)) {
                    match = candidate;
                    start = end;
                    break;
                }
            }
            if (match == null) {
                return List.of(UNK);
            }
            pieces.add(match);
        }
        return pieces;
    }

    /** The id of {@code token}, or the id of {@code [UNK]}. */
    public int id(String token) {
        return vocabulary.getOrDefault(token, vocabulary.get(UNK));
    }

    /** The token with id {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside 0.." + (tokens.size() - 1));
        }
        return tokens.get(id);
    }

    public int vocabularySize() {
        return tokens.size();
    }

    private static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE
            || t == Character.SURROGATE || t == Character.UNASSIGNED;
    }

    /** ASCII punctuation and symbols (BERT treats {@code $ + < = > ^ ` | ~} as punctuation too), or Unicode P*. */
    static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
            || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
            || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
            || t == Character.OTHER_PUNCTUATION;
    }

    /** The CJK Unified Ideographs blocks and their extensions and compatibility forms (not kana or hangul). */
    static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
            || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
            || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
