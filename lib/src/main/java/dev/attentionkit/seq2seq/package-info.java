/**
 * Chapter 07's experiment: an encoder–decoder that translates human-written dates into ISO dates with
 * Bahdanau, Luong or no attention ({@link dev.attentionkit.seq2seq.DateTranslator}), its training loop,
 * configuration and exact-match metric.
 *
 * <p><b>Layer</b>: an experiment, at the top. Uses {@code data}, the modules ({@code tensor}, {@code nn},
 * {@code mask}, {@code score}, {@code attention}), their trainable twins ({@code train}) and {@code notebook} for
 * progress and the run profile.
 */
package dev.attentionkit.seq2seq;
