package dev.attentionkit.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
    private static final WordPieceTokenizer SMALL = WordPieceTokenizer.fromTokens(List.of(
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "##a", "##ff", "aff", "able", "the", ".", "'", "t",
        "didn", "##ffa", "东"));

    @Test
    @DisplayName("greedy longest match first: un ##aff ##able, not un ##a ##ff ##able")
    void longestMatch() {
        assertEquals(List.of("un", "##aff", "##able"), SMALL.wordPieces("unaffable"));
        // "##ffa" is longer than "##ff" but leaves "ble", which no piece continues: the whole word is [UNK].
        assertEquals(List.of("[UNK]"), SMALL.wordPieces("uffable"));
        assertEquals(List.of("aff"), SMALL.wordPieces("aff"));
    }

    @Test
    @DisplayName("the basic tokenizer lower-cases, strips accents, splits punctuation and CJK ideographs")
    void basic() {
        assertEquals(List.of("the", "cafe", "didn", "'", "t", ".", "东", "京"),
            WordPieceTokenizer.basicTokens("The Café didn't.东京"));
        assertEquals(List.of("a", "+", "b", "$", "3"), WordPieceTokenizer.basicTokens(" a+b\t$3\u0007"));
    }

    @Test
    @DisplayName("encode adds [CLS] and [SEP] and maps unknown words to [UNK]")
    void encode() {
        WordPieceTokenizer.Encoding e = SMALL.encode("The unaffable zebra.");
        assertEquals(List.of("[CLS]", "the", "un", "##aff", "##able", "[UNK]", ".", "[SEP]"), e.tokens());
        assertArrayEquals(new int[] {2, 11, 4, 5, 6, 1, 12, 3}, e.ids());
    }

    @Test
    @DisplayName("MiniLM's vocabulary: ids equal Hugging Face tokenizers' on tricky sentences")
    @SuppressWarnings("unchecked")
    void equalsReference() throws IOException {
        Assumptions.assumeTrue(ModelFiles.present(ModelFiles.MINILM, "vocab.txt"), "run ./kit models");
        WordPieceTokenizer tokenizer = WordPieceTokenizer.miniLm();
        assertEquals(30522, tokenizer.vocabularySize());
        List<Object> cases = (List<Object>) Json.parse(Files.readString(
            Path.of("src/test/resources/dev/attentionkit/pretrained/minilm-tokenizer.json")));
        assertEquals(13, cases.size());
        for (Object c : cases) {
            Map<String, Object> m = Json.object(c, "case");
            int[] expected = ((List<Object>) m.get("ids")).stream().mapToInt(o -> ((Long) o).intValue()).toArray();
            WordPieceTokenizer.Encoding got = tokenizer.encode((String) m.get("text"));
            assertEquals(m.get("tokens"), got.tokens(), (String) m.get("text"));
            assertArrayEquals(expected, got.ids(), (String) m.get("text"));
        }
    }
}
