/**
 * Training with SameDiff (ND4J's autodiff): a {@code Trainable*} twin for each plain module, built from the
 * plain module's weights and written back to it after training, so a trained model is again a plain module that
 * the rest of the course can read and draw.
 *
 * <p><b>Layer</b>: uses {@code tensor}, {@code nn}, {@code mask}, {@code score}, {@code attention} and
 * {@code transformer} (the modules it twins); nothing that runs an experiment or draws.
 */
package dev.attentionkit.train;
