package dev.attentionkit.seq2seq;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A decoder that writes one output character per step, as SameDiff operations: {@link BahdanauDecoder},
 * {@link LuongDecoder} and the decoder without attention, {@link ChoDecoder}. {@link DateTranslator} unrolls it
 * over the ten output characters.
 */
public interface RecurrentDecoder {
    /** The decoder's state and what it carries between steps. */
    record State(SDVariable hidden, SDVariable attentional) {}

    /**
     * One step's result.
     *
     * @param state   the state after the step
     * @param logits  {@code [b, Vout]} the unnormalised scores of the next character
     * @param weights {@code [b, Tx]} the attention weights of the step, or null without attention
     */
    record Step(State state, SDVariable logits, SDVariable weights) {}

    /** The state before the first output character, computed from the encoder's summary. */
    State start(EncoderStates encoder);

    /**
     * @param previous          the state after the previous step (or {@link #start})
     * @param previousCharacter {@code [b, Vout]} one-hot: the previous output character (padding, index 0, at the start)
     * @param encoder           what {@link #start} was given
     */
    Step step(State previous, SDVariable previousCharacter, EncoderStates encoder);

    /** The decoder's name as the literature uses it. */
    String describe();
}
