/**
 * Tensor basics every other package builds on: {@link dev.attentionkit.tensor.Softmax} (stable, over the last
 * axis as PyTorch, and masked) and {@link dev.attentionkit.tensor.Shapes} (the shape and NaN checks whose messages
 * name the expected and the actual shape).
 *
 * <p><b>Data types, one rule for the whole kit.</b> Everything defaults to float32, as PyTorch does.
 * <ul>
 *   <li>A module with weights ({@code Linear}, {@code LayerNorm}, {@code FeedForward}, the attention modules,
 *       {@code LearnedPositionalEmbedding}) computes in its weights' type and <b>refuses</b> an input of another
 *       type, with a message naming both and the cast to make ({@link dev.attentionkit.tensor.Shapes#requireSameType},
 *       the one place the rule is checked). To compute in float64 (gradient checks), build the module from float64
 *       weights.</li>
 *   <li>An operation without weights (softmax, masks, dropout, {@code SinusoidalPositionalEncoding.add}) computes in
 *       its input's type and returns that type.</li>
 *   <li>Nothing is cast silently: a cast is always written where it happens, by the caller.</li>
 * </ul>
 *
 * <p><b>Layer</b>: the bottom. Uses no other package of the kit, only ND4J.
 */
package dev.attentionkit.tensor;
