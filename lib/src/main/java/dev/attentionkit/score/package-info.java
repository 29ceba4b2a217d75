/**
 * Score functions: how well a query matches a key, {@code [batch, queries, dQ] × [batch, keys, dK] →
 * [batch, queries, keys]}. Dot product, scaled dot product, multiplicative (Luong "general"), additive
 * (Bahdanau) and location-based (Luong); each plugs into an {@link dev.attentionkit.attention.AttentionLayer}.
 *
 * <p><b>Layer</b>: uses {@code tensor} and {@code nn}.
 */
package dev.attentionkit.score;
