package dev.attentionkit.longrange;

/** The three sequence classifiers compared on the long-range task. */
public enum ClassifierKind {
    /** LSTM, classify from its last state. */
    LSTM_LAST,
    /** LSTM, classify from an attention-weighted sum of all its states, the last state asking (query pooling). */
    LSTM_ATTENTION,
    /** Embedding + sinusoidal positions, one pre-LN transformer encoder block, LayerNorm, the same query pooling. */
    TRANSFORMER
}
