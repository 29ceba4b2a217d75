package dev.attentionkit.testkit;

import java.util.List;

/**
 * The numbers of chapter 3 of Sebastian Raschka's <i>Build a Large Language Model (From Scratch)</i> (Manning, 2024;
 * code at github.com/rasbt/LLMs-from-scratch, {@code ch03/01_main-chapter-code/ch03.ipynb}): its running example,
 * "Your journey starts with one step", and the outputs it prints, computed there by PyTorch. Each method names its
 * section and the variable the book prints. They are written here once, as the book prints them (4 decimals, so
 * compare within {@link #PRINTED}); every call returns a fresh copy.
 *
 * <p>The inputs are typed in again here rather than taken from the library's {@code BookExample}, so that a
 * mistyped embedding there fails a test instead of moving every expected value with it.
 */
public final class Book {
    private Book() {}

    /** The tolerance for a number the book prints with 4 decimals. */
    public static final double PRINTED = 5e-5;

    /** The six tokens of section 3.3.1, in order. */
    public static final List<String> TOKENS = List.of("Your", "journey", "starts", "with", "one", "step");

    /** Section 3.3.1, {@code inputs}: the six 3-dimensional embeddings, {@code [6][3]}. */
    public static double[][] inputs() {
        return new double[][] {
            {0.43, 0.15, 0.89}, // Your     (x^1)
            {0.55, 0.87, 0.66}, // journey  (x^2)
            {0.57, 0.85, 0.64}, // starts   (x^3)
            {0.22, 0.58, 0.33}, // with     (x^4)
            {0.77, 0.25, 0.10}, // one      (x^5)
            {0.05, 0.80, 0.55}, // step     (x^6)
        };
    }

    /** Section 3.3.1, {@code attn_scores_2}: the dot products of the query "journey" (x^2) with every input. */
    public static double[] journeyScores() {
        return new double[] {0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865};
    }

    /** Section 3.3.1, {@code attn_weights_2}: softmax of {@link #journeyScores()}. */
    public static double[] journeyWeights() {
        return new double[] {0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581};
    }

    /** Section 3.3.1, {@code context_vec_2}: the weighted sum of the inputs for "journey". */
    public static double[] journeyContext() {
        return new double[] {0.4419, 0.6515, 0.5683};
    }

    /** Section 3.3.2, {@code all_context_vecs}: every token's context vector, {@code [6][3]}. */
    public static double[][] contextVectors() {
        return new double[][] {
            {0.4421, 0.5931, 0.5790}, {0.4419, 0.6515, 0.5683}, {0.4431, 0.6496, 0.5671},
            {0.4304, 0.6298, 0.5510}, {0.4671, 0.5910, 0.5266}, {0.4177, 0.6503, 0.5645}};
    }

    /** Section 3.4.1, {@code query_2}: "journey" times {@code W_query} after {@code torch.manual_seed(123)}. */
    public static double[] journeyQuery123() {
        return new double[] {0.4306, 1.4551};
    }

    /** Section 3.4.1, {@code attn_weights_2}: the scaled weights of "journey" with the seed-123 weights. */
    public static double[] journeyWeights123() {
        return new double[] {0.1500, 0.2264, 0.2199, 0.1311, 0.0906, 0.1820};
    }

    /** Section 3.4.1, {@code context_vec_2}: the context vector of "journey" with the seed-123 weights. */
    public static double[] journeyContext123() {
        return new double[] {0.3061, 0.8210};
    }

    /** Section 3.4.2, {@code sa_v1(inputs)}: {@code SelfAttention_v1(3, 2)} after {@code torch.manual_seed(123)}. */
    public static double[][] selfAttentionV1() {
        return new double[][] {
            {0.2996, 0.8053}, {0.3061, 0.8210}, {0.3058, 0.8203},
            {0.2948, 0.7939}, {0.2927, 0.7891}, {0.2990, 0.8040}};
    }

    /** Section 3.4.2, {@code sa_v2(inputs)}: {@code SelfAttention_v2(3, 2)} after {@code torch.manual_seed(789)}. */
    public static double[][] selfAttentionV2() {
        return new double[][] {
            {-0.0739, 0.0713}, {-0.0748, 0.0703}, {-0.0749, 0.0702},
            {-0.0760, 0.0685}, {-0.0763, 0.0679}, {-0.0754, 0.0693}};
    }

    /**
     * Section 3.5.1, {@code masked_simple_norm} and {@code attn_weights}: the causal weights of {@code sa_v2}'s scores
     * (seed 789, scaled by 1/sqrt(2)); the book gets them both ways (renormalising after softmax, −∞ before it).
     */
    public static double[][] causalWeightsV2() {
        return new double[][] {
            {1.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000},
            {0.5517, 0.4483, 0.0000, 0.0000, 0.0000, 0.0000},
            {0.3800, 0.3097, 0.3103, 0.0000, 0.0000, 0.0000},
            {0.2758, 0.2460, 0.2462, 0.2319, 0.0000, 0.0000},
            {0.2175, 0.1983, 0.1984, 0.1888, 0.1971, 0.0000},
            {0.1935, 0.1663, 0.1666, 0.1542, 0.1666, 0.1529}};
    }

    /**
     * Section 3.5.3, {@code context_vecs}: {@code CausalAttention(3, 2, 6, 0.0)} after {@code torch.manual_seed(123)},
     * for each of the two (equal) sentences of the batch, {@code [6][2]}.
     */
    public static double[][] causalAttention() {
        return new double[][] {
            {-0.4519, 0.2216}, {-0.5874, 0.0058}, {-0.6300, -0.0632},
            {-0.5675, -0.0843}, {-0.5526, -0.0981}, {-0.5299, -0.1081}};
    }

    /**
     * Section 3.6.1, {@code context_vecs}: {@code MultiHeadAttentionWrapper(3, 2, 6, 0.0, num_heads=2)} after
     * {@code torch.manual_seed(123)}, each sentence of the batch, {@code [6][4]} (its first head is 3.5.3's module).
     */
    public static double[][] wrapper() {
        return new double[][] {
            {-0.4519, 0.2216, 0.4772, 0.1063},
            {-0.5874, 0.0058, 0.5891, 0.3257},
            {-0.6300, -0.0632, 0.6202, 0.3860},
            {-0.5675, -0.0843, 0.5478, 0.3589},
            {-0.5526, -0.0981, 0.5321, 0.3428},
            {-0.5299, -0.1081, 0.5077, 0.3493}};
    }

    /**
     * Section 3.6.2, {@code context_vecs}: {@code MultiHeadAttention(3, 2, 6, 0.0, num_heads=2)} after
     * {@code torch.manual_seed(123)}, each sentence of the batch, {@code [6][2]}; as printed in the book and its
     * notebook (the last two rows end in 0.3928 and 0.4028).
     */
    public static double[][] multiHeadAttention() {
        return new double[][] {
            {0.3190, 0.4858}, {0.2943, 0.3897}, {0.2856, 0.3593},
            {0.2693, 0.3873}, {0.2639, 0.3928}, {0.2575, 0.4028}};
    }

    /** The same {@code [rows][cols]} matrix twice, as the book's batch of two equal sentences: {@code [2][rows][cols]}. */
    public static double[][][] twice(double[][] m) {
        return new double[][][] {m, copy(m)};
    }

    private static double[][] copy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }
}
