package dev.attentionkit.exercises.ch10;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Exercise 10.1 — WordPiece's greedy longest match, the way BERT (and MiniLM) cut a word into pieces.
 *
 * <p>Start at the word's first letter and take the <em>longest</em> prefix that is in the vocabulary; then, from
 * where it ended, the longest continuation, which the vocabulary spells with a leading {@code ##}; and so on to
 * the end of the word. There is no backtracking: if at some point no piece matches, the whole word becomes
 * {@code [UNK]} (not the pieces found so far followed by {@code [UNK]}), even when a different cut would have
 * worked. A word longer than {@link #MAX_CHARS} letters is {@code [UNK]} without trying.
 *
 * <pre>
 * vocabulary {un, ##aff, ##able, ##a},  "unaffable"  →  [un, ##aff, ##able]
 * vocabulary {un, ##aff},               "unaffable"  →  [[UNK]]
 * </pre>
 *
 * Chapter 10's {@code WordPieceTokenizer} does this for every word of a sentence; write it yourself here.
 */
public final class WordPiece {
    /** The token a word becomes when it cannot be cut into vocabulary pieces. */
    public static final String UNK = "[UNK]";
    /** BERT's limit: a longer word is {@code [UNK]} at once. */
    public static final int MAX_CHARS = 100;

    private WordPiece() {}

    /**
     * @param word       one lower-cased word without spaces or punctuation, e.g. {@code "unaffable"}
     * @param vocabulary the pieces; a piece that continues a word is spelled with a leading {@code ##}
     * @return the pieces in order ({@code ##} kept on the continuations), or {@code [UNK]} alone
     * @throws IllegalArgumentException if {@code word} is empty
     */
    public static List<String> pieces(String word, Set<String> vocabulary) {
        // BEGIN SOLUTION 10.1
        if (word.isEmpty()) {
            throw new IllegalArgumentException("WordPiece: the word is empty; split the text into words first");
        }
        if (word.length() > MAX_CHARS) {
            return List.of(UNK);
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            String match = null;
            int end = word.length();
            for (; end > start; end--) {                      // longest candidate first
                String candidate = (start > 0 ? "##" : "") + word.substring(start, end);
                if (vocabulary.contains(candidate)) {
                    match = candidate;
                    break;
                }
            }
            if (match == null) {
                return List.of(UNK);                          // the whole word, not the pieces so far
            }
            pieces.add(match);
            start = end;
        }
        return pieces;
        // END SOLUTION
    }
}
