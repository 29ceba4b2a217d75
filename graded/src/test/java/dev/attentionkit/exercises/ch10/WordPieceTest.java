package dev.attentionkit.exercises.ch10;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.Points;
import dev.attentionkit.pretrained.WordPieceTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("10.1 WordPiece: greedy longest match first")
class WordPieceTest {
        private static final Set<String> VOCAB = Set.of("un", "##aff", "##able", "##a", "##ff", "##ffa", "aff", "able", "a",
        "##b", "##l", "##e", "token", "##ization", "##iz", "##ation", "to", "##ken");

    @Test
    @Hint("from position start, try end = word.length() down to start  1; the first candidate (with \"##\" if start > 0) in the vocabulary wins.")
    @Points(1)
    @DisplayName("by hand: longest piece first, [UNK] when a part matches nothing")
    void byHand() {
        assertEquals(List.of("un", "##aff", "##able"), WordPiece.pieces("unaffable", VOCAB), "pieces(\"unaffable\")");
        assertEquals(List.of("token", "##ization"), WordPiece.pieces("tokenization", VOCAB), "pieces(\"tokenization\")");
        assertEquals(List.of("[UNK]"), WordPiece.pieces("zebra", VOCAB), "pieces(\"zebra\"): no piece starts it");
        assertEquals(List.of("[UNK]"), WordPiece.pieces("unaffx", VOCAB), "pieces(\"unaffx\"): nothing continues after un ##aff");
    }

    @Test
    @Hint("from position start, try end = word.length() down to start  1; the first candidate (with \"##\" if start > 0) in the vocabulary wins.")
    @Points(1)
    @DisplayName("equal to the kit's WordPiece tokenizer on every word of a list")
    void likeTheKit() {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]"));
        tokens.addAll(VOCAB.stream().sorted().toList());
        WordPieceTokenizer kit = WordPieceTokenizer.fromTokens(tokens);
        for (String word : List.of("a", "ab", "able", "affable", "aaa", "unable", "untoken", "tokens", "affa", "ffa")) {
            assertEquals(kit.wordPieces(word), WordPiece.pieces(word, VOCAB), "pieces(\"" + word + "\")");
        }
    }
}
