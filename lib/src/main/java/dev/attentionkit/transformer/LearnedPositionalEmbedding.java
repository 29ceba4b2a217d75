package dev.attentionkit.transformer;

import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A learned positional embedding, as GPT-2's {@code wpe = nn.Embedding(contextLength, d)}: one trainable row
 * per position, added to the token embeddings. Unlike {@link SinusoidalPositionalEncoding} it knows nothing about
 * positions it was not trained on and cannot go past {@code contextLength}.
 */
public final class LearnedPositionalEmbedding {
    private final INDArray weight; // [contextLength, d]

    private LearnedPositionalEmbedding(INDArray weight) {
        this.weight = weight;
    }

    /**
     * Standard-normal rows, as {@code nn.Embedding} starts, drawn by Box-Muller from the seeded uniform stream of
     * {@link TorchRandom} (reproducible, but not PyTorch's normal stream).
     */
    public static LearnedPositionalEmbedding fromSeed(long contextLength, long d, long seed) {
        if (contextLength <= 0 || d <= 0) {
            throw new IllegalArgumentException("LearnedPositionalEmbedding: contextLength and d must be positive, got "
                + contextLength + " and " + d);
        }
        TorchRandom random = TorchRandom.manualSeed(seed);
        INDArray u1 = random.rand(contextLength, d);
        INDArray u2 = random.rand(contextLength, d);
        INDArray w = u1.dup();
        for (long i = 0; i < w.length(); i++) {
            double a = Math.max(u1.getDouble(i), 1e-12);
            w.putScalar(i, Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u2.getDouble(i)));
        }
        return new LearnedPositionalEmbedding(w);
    }

    /** @param weight {@code [contextLength, d]}, copied */
    public static LearnedPositionalEmbedding fromWeights(INDArray weight) {
        Shapes.requireMatrix(weight, "weight", "[contextLength, d]");
        return new LearnedPositionalEmbedding(weight.dup('c'));
    }

    /**
     * {@code x + weight[0 .. tokens-1]}, a new array.
     *
     * @param x {@code [tokens, d]} or {@code [batch, tokens, d]}, {@code tokens <= contextLength}
     */
    public INDArray add(INDArray x) {
        Shapes.requireSequence(x, "LearnedPositionalEmbedding input", d(), "[batch, tokens, d]");
        long tokens = x.size(-2);
        if (tokens > contextLength()) {
            throw new IllegalArgumentException("LearnedPositionalEmbedding: " + tokens
                + " tokens exceed contextLength " + contextLength());
        }
        Shapes.requireSameType(x, "LearnedPositionalEmbedding input", weight);
        INDArray rows = weight.get(NDArrayIndex.interval(0, tokens), NDArrayIndex.all());  // [t, d]
        return x.rank() == 2 ? x.add(rows) : x.add(rows.reshape(1, tokens, d()).broadcast(x.shape()));
    }

    /** The live weight {@code [contextLength, d]}. */
    public INDArray weight() {
        return weight;
    }

    public long contextLength() {
        return weight.size(0);
    }

    public long d() {
        return weight.size(1);
    }
}
