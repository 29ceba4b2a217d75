package dev.attentionkit.exercises.ch10;

import dev.attentionkit.pretrained.WordPieceTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

// BREAKS THE RULES (grader fixture): 10.1 delegates to the kit's WordPieceTokenizer
public final class WordPiece {
    public static final String UNK = "[UNK]";
    public static final int MAX_CHARS = 100;

    private WordPiece() {}

    public static List<String> pieces(String word, Set<String> vocabulary) {
        if (word.isEmpty()) {
            throw new IllegalArgumentException("empty word");
        }
        List<String> tokens = new ArrayList<>(List.of("[PAD]", UNK, "[CLS]", "[SEP]"));
        tokens.addAll(vocabulary);
        return WordPieceTokenizer.fromTokens(tokens).wordPieces(word);
    }
}
