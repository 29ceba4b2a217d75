package dev.attentionkit.attention;

import java.util.Locale;

/**
 * The sizes of an attention module by name, like nanoGPT's {@code GPTConfig}: the book's constructors take six
 * positional numbers ({@code MultiHeadAttention(d_in, d_out, context_length, dropout, num_heads, qkv_bias)}), where
 * {@code dOut} and {@code contextLength} can be swapped without the compiler noticing. A builder names each one:
 *
 * <pre>{@code
 * AttentionConfig gpt2 = AttentionConfig.builder().dIn(768).dOut(768).contextLength(1024).numHeads(12).build();
 * MultiHeadAttention mha = MultiHeadAttention.fromSeed(gpt2, 123);
 * }</pre>
 *
 * @param dIn           features of each input token
 * @param dOut          features of each context vector (all heads together)
 * @param contextLength the longest sequence the module accepts
 * @param dropout       dropout on the attention weights, in [0, 1)
 * @param numHeads      heads ({@code dOut} must be a multiple of it)
 * @param qkvBias       whether the query, key and value projections have a bias
 */
public record AttentionConfig(long dIn, long dOut, long contextLength, double dropout, int numHeads, boolean qkvBias) {

    public AttentionConfig {
        ModuleChecks.requirePositive(dIn, "dIn");
        ModuleChecks.requirePositive(dOut, "dOut");
        ModuleChecks.requirePositive(contextLength, "contextLength");
        ModuleChecks.requireHeads(dOut, numHeads);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    /** A builder: {@code dIn}, {@code dOut} and {@code contextLength} must be set; 1 head, no dropout, no bias by default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "AttentionConfig(dIn=%d, dOut=%d, contextLength=%d, dropout=%s, numHeads=%d, qkvBias=%s)",
            dIn, dOut, contextLength, dropout, numHeads, qkvBias);
    }

    /** Named settings for an {@link AttentionConfig}. */
    public static final class Builder {
        private long dIn = -1;
        private long dOut = -1;
        private long contextLength = -1;
        private double dropout;
        private int numHeads = 1;
        private boolean qkvBias;

        private Builder() {}

        public Builder dIn(long value) {
            this.dIn = value;
            return this;
        }

        public Builder dOut(long value) {
            this.dOut = value;
            return this;
        }

        public Builder contextLength(long value) {
            this.contextLength = value;
            return this;
        }

        public Builder dropout(double value) {
            this.dropout = value;
            return this;
        }

        public Builder numHeads(int value) {
            this.numHeads = value;
            return this;
        }

        public Builder qkvBias(boolean value) {
            this.qkvBias = value;
            return this;
        }

        /** @throws IllegalArgumentException naming every required size that was not set, or a bad value */
        public AttentionConfig build() {
            StringBuilder missing = new StringBuilder();
            if (dIn < 0) {
                missing.append(" dIn");
            }
            if (dOut < 0) {
                missing.append(" dOut");
            }
            if (contextLength < 0) {
                missing.append(" contextLength");
            }
            if (missing.length() > 0) {
                throw new IllegalArgumentException("AttentionConfig: set" + missing + " (no default for them)");
            }
            return new AttentionConfig(dIn, dOut, contextLength, dropout, numHeads, qkvBias);
        }
    }
}
