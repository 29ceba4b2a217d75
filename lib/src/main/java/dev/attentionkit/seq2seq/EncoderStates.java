package dev.attentionkit.seq2seq;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * What the encoder ({@link BidirectionalLstmEncoder}) hands the decoder.
 *
 * @param states  {@code [b, Tx, 2·He]} the annotations {@code h_j = [h→_j; h←_j]}: attention's keys and values
 * @param blocked {@code [b, Tx]} 0 at a character, {@code -1e9} at padding: added to scores so padding gets no weight
 * @param length  {@code Tx}, the number of input positions
 * @param last    {@code [b, 2·He]} the fixed-size summary {@code [h→_Tx; h←_1]}: the forward state after the last
 *                character and the backward state after the first position (the only context without attention)
 */
public record EncoderStates(SDVariable states, SDVariable blocked, SDVariable last, long length) {
}
