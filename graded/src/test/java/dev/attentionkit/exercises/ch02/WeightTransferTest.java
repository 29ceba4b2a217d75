package dev.attentionkit.exercises.ch02;

import static dev.attentionkit.testkit.Check.assertClose;

import dev.attentionkit.attention.SelfAttentionV1;
import dev.attentionkit.attention.SelfAttentionV2;
import dev.attentionkit.data.BookExample;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.MayNotUse;
import dev.attentionkit.grading.Points;
import dev.attentionkit.testkit.Book;
import dev.attentionkit.testkit.Loops;
import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("2.2 Transfer SelfAttention_v2 weights into SelfAttention_v1")
// What this exercise may not call: the kit's (or ND4J's) own implementation of it (checked on the bytecode).
@MayNotUse({
    "dev.attentionkit.attention.SelfAttentionV1#fromSeed",
    "dev.attentionkit.attention.SelfAttentionV2#fromSeed",
    "dev.attentionkit.train.*"})
class WeightTransferTest {

    @Test
    @Points(1)
    @Hint(value = "Compare the weight layouts of the two classes: [dOut, dIn] versus [dIn, dOut].",
        full = "V1 wants [dIn, dOut]; each V2 weight is [dOut, dIn]: transpose it.")
    @DisplayName("V1 built from the book's V2 (seed 789) prints the book's V2 output")
    void bookV2() {
        SelfAttentionV1 v1 = WeightTransfer.toV1(SelfAttentionV2.fromSeed(3, 2, false, 789));
        assertClose(Book.selfAttentionV2(), v1.forward(BookExample.inputs()), 1e-4, "V1 output after the transfer");
    }

    @Test
    @Points(2)
    @Hint(value = "Does each weight keep its role (query, key, value) after the transfer?",
        full = "Query goes to query, key to key, value to value, each transposed.")
    @DisplayName("the weights keep their roles: dIn = 4, dOut = 3 with distinct Q, K, V")
    void rolesAndLayoutPreserved() {
        SelfAttentionV2 v2 = SelfAttentionV2.fromWeights(
            Seeded.matrix(7, 3, 4), Seeded.matrix(8, 3, 4), Seeded.matrix(9, 3, 4));
        SelfAttentionV1 v1 = WeightTransfer.toV1(v2);
        INDArray x = Seeded.matrix(10, 6, 4);
        // Reference: V1's formula with each V2 weight transposed, in plain loops.
        double[][] expected = Loops.selfAttention(x.toDoubleMatrix(),
            Loops.transpose(v2.query().weight().toDoubleMatrix()),
            Loops.transpose(v2.key().weight().toDoubleMatrix()),
            Loops.transpose(v2.value().weight().toDoubleMatrix()));
        assertClose(expected, v1.forward(x), 1e-5, "V1 output after the transfer, random [6, 4] input");
    }
}
