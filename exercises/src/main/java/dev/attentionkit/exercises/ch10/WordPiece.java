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
        // TODO Exercise 10.1: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 10.1 is not done yet");
    }
}
