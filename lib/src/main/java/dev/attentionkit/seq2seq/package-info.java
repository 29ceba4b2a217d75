/**
 * Chapter 07's experiment: recurrent encoder–decoders that translate human-written dates (alone or inside
 * sentences) into ISO dates ({@link dev.attentionkit.seq2seq.DateTranslator}): a bidirectional encoder and the
 * decoders of Bahdanau et al. 2015, Luong et al. 2015 and Cho et al. 2014 (no attention), built on the paper's
 * {@link dev.attentionkit.seq2seq.GruCell}; the same models with their backward pass written out
 * ({@link dev.attentionkit.seq2seq.RecurrentTranslator}, several times faster to train); the training loop,
 * configuration, exact-match metric and the study of accuracy against input length on copying digit strings
 * ({@link dev.attentionkit.seq2seq.LengthStudy}).
 *
 * <p><b>Layer</b>: an experiment, at the top. Uses {@code data}, the modules ({@code tensor}, {@code nn},
 * {@code mask}, {@code score}, {@code attention}), their trainable twins ({@code train}) and {@code notebook} for
 * progress and the run profile.
 */
package dev.attentionkit.seq2seq;
