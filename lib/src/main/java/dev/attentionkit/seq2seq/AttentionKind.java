package dev.attentionkit.seq2seq;

/** Which decoder reads the encoder, and how it attends. */
public enum AttentionKind {
    /** {@link BahdanauDecoder}: additive score {@code vᵀ tanh(W s_{i-1} + U h_j)}, context into the GRU step. */
    BAHDANAU,
    /** {@link LuongDecoder} with the "general" score {@code h_tᵀ W_a h̄_s}. */
    LUONG,
    /** {@link LuongDecoder} with the "dot" score {@code h_tᵀ h̄_s} (needs decoder size = 2 × encoder size). */
    LUONG_DOT,
    /** {@link LuongDecoder} with location-based attention {@code softmax(W_a h_t)}: positions, not content. */
    LUONG_LOCATION,
    /** {@link ChoDecoder}: no attention, every step sees the same fixed-size summary, the encoder's final states. */
    NONE
}
