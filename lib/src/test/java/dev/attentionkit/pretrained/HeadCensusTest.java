package dev.attentionkit.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HeadCensusTest {
    /** Six heads over 6 tokens, each built to be one kind; token 0 and 5 are the special tokens. */
    private static INDArray sixHeads() {
        int t = 6;
        double[][][] w = new double[6][t][t];
        for (int i = 0; i < t; i++) {
            w[0][i][0] = 0.6; w[0][i][5] = 0.3; w[0][i][2] = 0.1;               // sink: 0.9 on [CLS]+[SEP]
            w[1][i][Math.max(i - 1, 0)] = 1;                                       // previous token
            w[2][i][Math.min(i + 1, t - 1)] = 1;                                   // next token
            w[3][i][i] = 1;                                                        // self
            for (int j = 0; j < t; j++) {
                w[4][i][j] = 1.0 / t;                                              // uniform: broad
            }
            w[5][i][3] = 0.7; w[5][i][2] = 0.3;                                    // a fixed content target
        }
        return Nd4j.create(w);
    }

    @Test
    @DisplayName("each constructed head gets its kind, by the stated rules")
    void kinds() {
        HeadCensus census = new HeadCensus(1, 6).add(List.of(sixHeads()), new int[] {0, 5}, false);
        List<String> kinds = census.heads().stream().map(HeadCensus.Head::kind).toList();
        assertEquals(List.of("sink", "previous", "next", "self", "broad", "content"), kinds);
        assertEquals(0.9, census.heads().get(0).sink(), 1e-12);
        assertEquals(1.0, census.heads().get(4).entropy(), 1e-12);   // uniform rows: exactly log n
        assertEquals("       layer \\ head  0  1  2  3  4  5\n           0  S  P  N  I  B  C\n".trim(), census.grid().trim());
    }

    @Test
    @DisplayName("wrong layer counts or shapes are errors; no sentence is an error")
    void errors() {
        HeadCensus census = new HeadCensus(2, 6);
        assertThrows(IllegalStateException.class, census::heads);
        assertThrows(IllegalArgumentException.class, () -> census.add(List.of(sixHeads()), new int[] {0}, false));
        assertThrows(IllegalArgumentException.class,
            () -> new HeadCensus(1, 5).add(List.of(sixHeads()), new int[] {0}, false));
    }
}
