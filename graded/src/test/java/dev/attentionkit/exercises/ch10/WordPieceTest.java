package dev.attentionkit.exercises.ch10;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Seeded;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("10.1 WordPiece: greedy longest match first")
// What this exercise may not call: the kit's own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.pretrained.WordPieceTokenizer",
    "dev.attentionkit.pretrained.BertEncoder",
    "dev.attentionkit.pretrained.ByteLevelBpeTokenizer"})
class WordPieceTest {
    private static final Set<String> VOCAB = Set.of("un", "##aff", "##able", "##a", "##ff", "##ffa", "aff", "able", "a",
        "##b", "##l", "##e", "token", "##ization", "##iz", "##ation", "to", "##ken");

    @Test
    @Points(1)
    @Hint(value = "Which piece wins at each step, the shortest or the longest? And how is a piece inside a word spelled?",
        full = "From position start, try end = word.length() down to start + 1 and take the first candidate in the vocabulary, with \"##\" in front when start > 0; then continue from end.")
    @DisplayName("by hand: the longest piece first, ## on continuations, [UNK] when a part matches nothing")
    void byHand() {
        assertEquals(List.of("un", "##aff", "##able"), WordPiece.pieces("unaffable", VOCAB), "pieces(\"unaffable\")");
        assertEquals(List.of("token", "##ization"), WordPiece.pieces("tokenization", VOCAB),
            "pieces(\"tokenization\"): ##ization is longer than ##iz");
        assertEquals(List.of("aff", "##able"), WordPiece.pieces("affable", VOCAB), "pieces(\"affable\")");
        assertEquals(List.of("a", "##b", "##l", "##e"), WordPiece.pieces("able", Set.of("a", "##b", "##l", "##e")),
            "pieces(\"able\") with the vocabulary {a, ##b, ##l, ##e}: one letter at a time");
        assertEquals(List.of("[UNK]"), WordPiece.pieces("zebra", VOCAB), "pieces(\"zebra\"): no piece starts it");
    }

    @Test
    @Points(1)
    @Hint(value = "When a later part of the word matches nothing, what becomes of the pieces found before it? Does WordPiece go back and try a shorter piece?",
        full = "No backtracking: as soon as no candidate of at least one letter matches at some position, return [UNK] alone for the whole word, even if a shorter earlier piece would have led to a full cut.")
    @DisplayName("no backtracking: a word that greedy cannot finish is [UNK] alone, even when another cut exists")
    void noBacktracking() {
        assertEquals(List.of("[UNK]"), WordPiece.pieces("unaffx", VOCAB),
            "pieces(\"unaffx\"): un ##aff, then nothing matches \"x\", so the whole word is [UNK]");
        // Greedy takes "ab", then finds no "##cd", "##c" then no "##d": [UNK], although a ##bcd would cut the word.
        Set<String> vocab = Set.of("a", "ab", "##bcd", "##c");
        assertEquals(List.of("[UNK]"), WordPiece.pieces("abcd", vocab),
            "pieces(\"abcd\") with {a, ab, ##bcd, ##c}: greedy takes ab and gets stuck at d");
        assertEquals(List.of("a", "##bcd"), WordPiece.pieces("abcd", Set.of("a", "##bcd", "##c")),
            "pieces(\"abcd\") with {a, ##bcd, ##c}");
        // A piece has at least one letter: the entry "##" (nothing after the prefix) never matches.
        assertEquals(List.of("[UNK]"), WordPiece.pieces("abx", Set.of("a", "##b", "##")),
            "pieces(\"abx\") with {a, ##b, ##}: nothing of at least one letter continues at x");
    }

    @Test
    @Points(2)
    @Hint(value = "Compare your pieces with a slow, careful cut of the same word: longest prefix, then longest ## continuation.",
        full = "At each position the piece is the longest substring starting there that is in the vocabulary (with ## after the first piece); if there is none, the word is [UNK].")
    @DisplayName("40 random words over a random vocabulary of a, b, c pieces")
    void randomVocabulary() {
        Random random = Seeded.random(101);
        Set<String> vocab = new HashSet<>();
        for (String piece : allStrings("abc", 3)) {
            if (random.nextInt(3) == 0) {
                vocab.add(piece);
            }
            if (random.nextInt(2) == 0) {
                vocab.add("##" + piece);
            }
        }
        vocab.add("a");
        vocab.add("##a");
        for (int n = 0; n < 40; n++) {
            StringBuilder word = new StringBuilder();
            int length = 1 + random.nextInt(9);
            for (int i = 0; i < length; i++) {
                word.append("abc".charAt(random.nextInt(3)));
            }
            String w = word.toString();
            assertEquals(reference(w, vocab), WordPiece.pieces(w, vocab), "pieces(\"" + w + "\") with the vocabulary " + sorted(vocab));
        }
    }

    @Test
    @Points(1)
    @Hint(value = "What should an empty word do, and what does BERT do with a very long word?",
        full = "Throw IllegalArgumentException for an empty word; a word longer than MAX_CHARS (100) letters is [UNK] at once, one of exactly 100 letters is cut as usual.")
    @DisplayName("an empty word is rejected; 100 letters are cut as usual, 101 are [UNK]")
    void badInputAndLongWords() {
        assertThrows(IllegalArgumentException.class, () -> WordPiece.pieces("", VOCAB), "pieces(\"\")");
        int pieces = 1 + Seeded.random(111).nextInt(20);     // a word of 100 letters cut into `pieces` pieces
        String piece = "a".repeat(100 / pieces);
        String word = piece.repeat(pieces) + "a".repeat(100 % pieces);
        Set<String> vocab = Set.of(piece, "##" + piece, "##a");
        List<String> expected = reference(word, vocab);
        assertEquals(expected, WordPiece.pieces(word, vocab), "pieces(100 letters a) with {" + piece.length() + " a's, ## + the same, ##a}");
        assertEquals(List.of("[UNK]"), WordPiece.pieces(word + "a", vocab), "pieces(101 letters a): longer than MAX_CHARS");
    }

    /** The greedy cut, written as a forward scan for the longest match at each position. */
    private static List<String> reference(String word, Set<String> vocab) {
        if (word.length() > 100) {
            return List.of("[UNK]");
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int best = -1;
            for (int end = start + 1; end <= word.length(); end++) {
                if (vocab.contains((start == 0 ? "" : "##") + word.substring(start, end))) {
                    best = end;
                }
            }
            if (best < 0) {
                return List.of("[UNK]");
            }
            out.add((start == 0 ? "" : "##") + word.substring(start, best));
            start = best;
        }
        return out;
    }

    private static List<String> allStrings(String alphabet, int maxLength) {
        List<String> all = new ArrayList<>(List.of(""));
        List<String> out = new ArrayList<>();
        for (int length = 1; length <= maxLength; length++) {
            List<String> longer = new ArrayList<>();
            for (String s : all) {
                for (char c : alphabet.toCharArray()) {
                    longer.add(s + c);
                }
            }
            out.addAll(longer);
            all = longer;
        }
        return out;
    }

    private static List<String> sorted(Set<String> vocab) {
        return vocab.stream().sorted().toList();
    }
}
