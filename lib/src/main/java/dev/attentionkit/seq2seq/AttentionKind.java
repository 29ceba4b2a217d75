package dev.attentionkit.seq2seq;

/** How the decoder looks at the encoder states. */
public enum AttentionKind {
    /** Bahdanau's additive score {@code vᵀ tanh(W_q q + W_k k)}. */
    BAHDANAU,
    /** Luong's multiplicative ("general") score {@code qᵀ W k}. */
    LUONG,
    /** No attention: every decoder step sees the same fixed-size summary, the encoder's final states. */
    NONE
}
