package dev.attentionkit.seq2seq;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One translated input, with what the decoder looked at.
 *
 * @param input   the human-readable date
 * @param output  the model's ten characters
 * @param weights {@code [Ty, Tx]} attention weights (row t sums to 1 over the input positions), or null for a
 *                model without attention
 * @param alignedInput the input as the model reads it, {@code Tx} characters, padding ('·') first: the column
 *                labels of {@code weights}
 */
public record Translation(String input, String output, INDArray weights, String alignedInput) {
}
