/**
 * Tensor basics every other package builds on: {@link dev.attentionkit.tensor.Softmax} (stable, over the last
 * axis as PyTorch, and masked) and {@link dev.attentionkit.tensor.Shapes} (the shape and NaN checks whose messages
 * name the expected and the actual shape).
 *
 * <p><b>Layer</b>: the bottom. Uses no other package of the kit, only ND4J.
 */
package dev.attentionkit.tensor;
