/**
 * Chapter 08's experiment: a generated associative-recall task ({@link dev.attentionkit.longrange.LongRangeTask}) and
 * the classifiers compared on it ({@link dev.attentionkit.longrange.LongRangeClassifier}), trained by backward passes
 * written out in its parts (an LSTM, a pre-LN transformer block and its self-attention, query pooling, layer norm).
 *
 * <p><b>Layer</b>: an experiment, at the top. Uses the modules ({@code tensor}, {@code nn}, {@code mask},
 * {@code attention}, {@code transformer}) and {@code notebook} for progress and the run profile; not chapter 07's
 * {@code seq2seq}. Its trainable block ({@link dev.attentionkit.longrange.PreLnBlock}, with
 * {@link dev.attentionkit.longrange.BlockOptions} for post-LN, unscaled scores and attention dropout) and
 * {@link dev.attentionkit.longrange.LayerNormStep} are public for chapter 11's {@code stability} package, above it.
 */
package dev.attentionkit.longrange;
