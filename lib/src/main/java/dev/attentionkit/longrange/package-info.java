/**
 * Chapter 08's experiment: a generated long-range classification task ({@link dev.attentionkit.longrange.LongRangeTask})
 * and the classifiers compared on it ({@link dev.attentionkit.longrange.LongRangeClassifier}).
 *
 * <p><b>Layer</b>: an experiment, at the top. Uses the modules ({@code tensor}, {@code nn}, {@code mask},
 * {@code attention}, {@code transformer}), their trainable twins ({@code train}) and {@code notebook} for progress
 * and the run profile; not chapter 07's {@code seq2seq}.
 */
package dev.attentionkit.longrange;
