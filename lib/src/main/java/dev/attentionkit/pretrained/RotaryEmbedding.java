package dev.attentionkit.pretrained;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding (RoPE) as llama.cpp applies it to GGUF weights: the features of each head come
 * in pairs {@code (x[2i], x[2i+1])}, and at position p pair i is rotated by the angle {@code p · θ_i},
 * {@code θ_i = base^(-2i / headDim)}:
 *
 * <pre>
 * x'[2i]   = x[2i] · cos(p θ_i) - x[2i+1] · sin(p θ_i)
 * x'[2i+1] = x[2i] · sin(p θ_i) + x[2i+1] · cos(p θ_i)
 * </pre>
 *
 * Rotating both the query at position m and the key at position n makes their dot product depend on
 * {@code m - n} only: attention sees relative positions, and a key cached once never needs re-rotating.
 * (Hugging Face's Llama rotates the halves {@code (x[i], x[i + d/2])} instead; the GGUF converter permutes the
 * query and key weights so that both give the same scores.)
 */
public final class RotaryEmbedding {
    private final int headDim;
    private final double base;

    public RotaryEmbedding(int headDim, double base) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("RotaryEmbedding: headDim must be even and positive, got " + headDim);
        }
        this.headDim = headDim;
        this.base = base;
    }

    /** θ_i for pair i. */
    public double frequency(int pair) {
        return Math.pow(base, -2.0 * pair / headDim);
    }

    /**
     * Rotates every head's features by its token's position.
     *
     * @param x     {@code [batch, heads, tokens, headDim]}
     * @param start the position of token 0 (the number of tokens already in the KV cache)
     * @return a new array of the same shape
     */
    public INDArray apply(INDArray x, int start) {
        if (x.rank() != 4 || x.size(3) != headDim) {
            throw new IllegalArgumentException(String.format("RoPE: expected [batch, heads, tokens, %d], got %s", headDim,
                java.util.Arrays.toString(x.shape())));
        }
        int tokens = (int) x.size(2);
        int half = headDim / 2;
        double[] cos = new double[tokens * half];
        double[] sin = new double[tokens * half];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < half; i++) {
                double angle = (start + t) * frequency(i);
                cos[t * half + i] = Math.cos(angle);
                sin[t * half + i] = Math.sin(angle);
            }
        }
        long b = x.size(0), h = x.size(1);
        INDArray pairs = x.dup('c').reshape('c', b, h, tokens, half, 2);
        INDArray even = pairs.get(all(), all(), all(), all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0)); // [b,h,t,half]
        INDArray odd = pairs.get(all(), all(), all(), all(), org.nd4j.linalg.indexing.NDArrayIndex.point(1));
        INDArray c = Nd4j.create(cos, new long[] {1, 1, tokens, half}, 'c').castTo(x.dataType());
        INDArray s = Nd4j.create(sin, new long[] {1, 1, tokens, half}, 'c').castTo(x.dataType());
        INDArray newEven = even.mul(c).subi(odd.mul(s));
        INDArray newOdd = even.mul(s).addi(odd.mul(c));
        return Nd4j.stack(4, newEven, newOdd).reshape('c', b, h, tokens, headDim);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    public int headDim() {
        return headDim;
    }

    public double base() {
        return base;
    }
}
