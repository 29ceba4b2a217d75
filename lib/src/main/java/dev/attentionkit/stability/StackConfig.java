package dev.attentionkit.stability;

import dev.attentionkit.longrange.BlockOptions;
import dev.attentionkit.longrange.LayerNormPlacement;
import dev.attentionkit.longrange.LongRangeTask;
import java.util.Locale;

/**
 * One {@link TransformerStack} and how it trains.
 *
 * @param pairs            key–value pairs of the associative-recall task ({@code 2·pairs + 2} tokens)
 * @param layers           transformer blocks in the stack
 * @param width            model width d ({@code d / heads} = d_k features per head)
 * @param heads            attention heads per block
 * @param placement        pre-LN or post-LN blocks
 * @param scaledScores     scores {@code q·k/√d_k} (true) or plain {@code q·k}
 * @param attentionDropout probability of dropping an attention weight while training, {@code [0, 1)}
 * @param initScale        multiplier on every block weight matrix at initialisation (1: PyTorch's {@code nn.Linear})
 * @param learningRate     Adam's peak step size
 * @param warmupSteps      steps of linear warm-up to the peak (0: none)
 * @param batchSize        sequences per Adam step
 * @param seed             weights, dropout draws and shuffling
 */
public record StackConfig(int pairs, int layers, int width, int heads, LayerNormPlacement placement,
                          boolean scaledScores, double attentionDropout, double initScale, double learningRate,
                          int warmupSteps, int batchSize, long seed) {
    public StackConfig {
        LongRangeTask.length(pairs);   // checks pairs
        if (layers < 1 || width < 1 || heads < 1 || batchSize < 1) {
            throw new IllegalArgumentException("StackConfig: layers, width, heads and batchSize must be positive, got "
                + layers + ", " + width + ", " + heads + ", " + batchSize);
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("StackConfig: width " + width + " is not divisible by heads " + heads);
        }
        if (!(initScale > 0) || Double.isInfinite(initScale)) {
            throw new IllegalArgumentException("StackConfig: initScale must be a positive number, got " + initScale);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("StackConfig: learningRate must be a positive number, got "
                + learningRate);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("StackConfig: warmupSteps must be >= 0, got " + warmupSteps);
        }
        new BlockOptions(placement, scaledScores, attentionDropout, seed);   // checks placement and dropout
    }

    /** Chapter 11's base: 8 pairs (18 tokens), 6 pre-LN layers of width 32 with 2 heads, Adam at 1e-3, batch 32. */
    public static StackConfig base() {
        return new StackConfig(8, 6, 32, 2, LayerNormPlacement.PRE_LN, true, 0, 1, 1e-3, 0, 32, 1);
    }

    /** Tokens per sequence. */
    public int length() {
        return LongRangeTask.length(pairs);
    }

    /** Features per head, d_k. */
    public int headDim() {
        return width / heads;
    }

    /** The block options of layer {@code layer} (its dropout draws seeded from the seed and the layer). */
    public BlockOptions blockOptions(int layer) {
        return new BlockOptions(placement, scaledScores, attentionDropout, seed * 1_000 + layer);
    }

    public StackConfig withPairs(int p) {
        return new StackConfig(p, layers, width, heads, placement, scaledScores, attentionDropout, initScale,
            learningRate, warmupSteps, batchSize, seed);
    }

    public StackConfig withLayers(int n) {
        return new StackConfig(pairs, n, width, heads, placement, scaledScores, attentionDropout, initScale,
            learningRate, warmupSteps, batchSize, seed);
    }

    public StackConfig withWidth(int w, int h) {
        return new StackConfig(pairs, layers, w, h, placement, scaledScores, attentionDropout, initScale,
            learningRate, warmupSteps, batchSize, seed);
    }

    public StackConfig withPlacement(LayerNormPlacement p) {
        return new StackConfig(pairs, layers, width, heads, p, scaledScores, attentionDropout, initScale,
            learningRate, warmupSteps, batchSize, seed);
    }

    public StackConfig withScaledScores(boolean on) {
        return new StackConfig(pairs, layers, width, heads, placement, on, attentionDropout, initScale,
            learningRate, warmupSteps, batchSize, seed);
    }

    public StackConfig withAttentionDropout(double p) {
        return new StackConfig(pairs, layers, width, heads, placement, scaledScores, p, initScale,
            learningRate, warmupSteps, batchSize, seed);
    }

    public StackConfig withInitScale(double s) {
        return new StackConfig(pairs, layers, width, heads, placement, scaledScores, attentionDropout, s,
            learningRate, warmupSteps, batchSize, seed);
    }

    public StackConfig withLearningRate(double lr) {
        return new StackConfig(pairs, layers, width, heads, placement, scaledScores, attentionDropout, initScale,
            lr, warmupSteps, batchSize, seed);
    }

    public StackConfig withWarmup(int steps) {
        return new StackConfig(pairs, layers, width, heads, placement, scaledScores, attentionDropout, initScale,
            learningRate, steps, batchSize, seed);
    }

    public StackConfig withBatchSize(int b) {
        return new StackConfig(pairs, layers, width, heads, placement, scaledScores, attentionDropout, initScale,
            learningRate, warmupSteps, b, seed);
    }

    public StackConfig withSeed(long s) {
        return new StackConfig(pairs, layers, width, heads, placement, scaledScores, attentionDropout, initScale,
            learningRate, warmupSteps, batchSize, s);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "StackConfig(%d pairs (%d tokens), %d × %s, d %d, %d heads (d_k %d), %s "
            + "scores, attention dropout %s, init ×%s, lr %s, warm-up %d, batch %d, seed %d)", pairs, length(), layers,
            placement, width, heads, headDim(), scaledScores ? "scaled" : "unscaled", attentionDropout, initScale,
            learningRate, warmupSteps, batchSize, seed);
    }
}
