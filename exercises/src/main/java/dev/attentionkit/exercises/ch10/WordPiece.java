package dev.attentionkit.exercises.ch10;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Exercise 10.1 — WordPiece's greedy longest match.
 *
 * <p>BERT cuts each word into vocabulary pieces from the left: take the longest prefix of the word that is in
 * the vocabulary, then the longest continuation, written with a {@code ##} prefix, and so on. If at some point
 * no piece matches, the whole word becomes {@code [UNK]}.
 *
 * <pre>
 * vocabulary {un, ##aff, ##able, ##a}, "unaffable"  →  [un, ##aff, ##able]
 * vocabulary {un, ##aff},              "unaffable"  →  [[UNK]]
 * </pre>
 */
public final class WordPiece {
    private WordPiece() {}

    /**
     * @param word       a lower-cased word without spaces or punctuation (not empty)
     * @param vocabulary the pieces; continuations are spelled with a leading {@code ##}
     * @return the pieces, or {@code [UNK]} alone
     */
    public static List<String> pieces(String word, Set<String> vocabulary) {
        // TODO Exercise 10.1: replace this line with your code.
        // Hint: from position start, try end = word.length() down to start + 1; the first candidate (with "##" if start > 0) in the vocabulary wins.
        throw new UnsupportedOperationException("Exercise 10.1 is not done yet");
    }
}
