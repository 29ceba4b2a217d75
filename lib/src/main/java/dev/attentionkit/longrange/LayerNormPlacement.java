package dev.attentionkit.longrange;

/** Where a transformer block normalises: before each sub-layer (GPT-2, the default) or after each residual sum (2017). */
public enum LayerNormPlacement {
    /** {@code a = x + attention(ln1(x))}, {@code y = a + ffn(ln2(a))}: the residual path is never normalised. */
    PRE_LN,
    /** {@code a = ln1(x + attention(x))}, {@code y = ln2(a + ffn(a))}: Vaswani et al. (2017), every sum normalised. */
    POST_LN
}
