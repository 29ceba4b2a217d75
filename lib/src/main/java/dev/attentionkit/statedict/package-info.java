/**
 * Saving and loading a module's named parameters, its PyTorch {@code state_dict}, as one safetensors file
 * ({@link dev.attentionkit.statedict.StateDict}): every module that names its weights with {@code parameters()}
 * (the attention modules, {@code LayerNorm}, {@code FeedForward}, {@code TransformerBlock}, the trainable scores,
 * the fast modules) and the trained values of a SameDiff twin. Python reads the file with
 * {@code safetensors.torch.load_file}.
 *
 * <p><b>Layer</b>: near the top. Uses {@code tensor} (value checks), {@code nn} ({@code NamedParameters}, what every module with weights
 * implements) and
 * {@code pretrained} (the safetensors reader and writer); the modules themselves do not know about files.
 */
package dev.attentionkit.statedict;
