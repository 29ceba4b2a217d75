/**
 * Training with SameDiff (ND4J's autodiff): a {@code Trainable*} twin for each plain module, built from the
 * plain module's weights and written back to it after training, so a trained model is again a plain module that
 * the rest of the course can read and draw. A twin takes its variables from the plain module's named parameters
 * ({@link dev.attentionkit.train.TrainableParameters}: one variable {@code prefix.name} per PyTorch state_dict entry)
 * and writes trained values back by the same names, so no twin is wired up by accessor names. The trained values
 * ({@code twin.parameters().values()}) are a state_dict that {@code statedict.StateDict} saves to a file.
 *
 * <p><b>Layer</b>: uses {@code tensor}, {@code nn}, {@code mask}, {@code score}, {@code attention} and
 * {@code transformer} (the modules it twins); nothing that runs an experiment or draws.
 */
package dev.attentionkit.train;
