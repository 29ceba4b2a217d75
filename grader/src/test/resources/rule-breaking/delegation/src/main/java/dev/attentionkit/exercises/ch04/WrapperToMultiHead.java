package dev.attentionkit.exercises.ch04;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.MultiHeadAttentionWrapper;

// BREAKS THE RULES (grader fixture): 4.3 a one-line delegation to MultiHeadAttention.fromWrapper
public final class WrapperToMultiHead {
    private WrapperToMultiHead() {}

    public static MultiHeadAttention transfer(MultiHeadAttentionWrapper wrapper) {
        return MultiHeadAttention.fromWrapper(wrapper);
    }
}
