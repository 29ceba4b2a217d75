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
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            String match = null;
            int end = word.length();
            for (; end > start; end--) {
                String candidate = (start > 0 ? "##" : "") + word.substring(start, end);
                if (vocabulary.contains(candidate)) {
                    match = candidate;
                    break;
                }
            }
            if (match == null) {
                return List.of("[UNK]");
            }
            pieces.add(match);
            start = end;
        }
        return pieces;
    }
}
