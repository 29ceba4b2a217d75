/**
 * Neural-network building blocks with PyTorch's semantics: {@link dev.attentionkit.nn.Linear} (weights in
 * {@code nn.Linear}'s {@code [out, in]} layout), {@link dev.attentionkit.nn.Dropout} (inverted, seeded),
 * {@link dev.attentionkit.nn.TorchRandom} ({@code torch.manual_seed} + {@code torch.rand}, bit for bit, so seeded
 * modules print the book's numbers), and {@link dev.attentionkit.nn.NamedParameters}, the contract every module with
 * weights keeps: its arrays by their PyTorch {@code state_dict} names, and the parameter count from them.
 *
 * <p><b>Layer</b>: above {@code tensor}, which is all it uses.
 */
package dev.attentionkit.nn;
