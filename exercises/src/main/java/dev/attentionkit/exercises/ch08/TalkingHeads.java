package dev.attentionkit.exercises.ch08;

/**
 * Exercise 8.4 — the attention step of talking-heads attention (Shazeer et al. 2020), for one sequence: the heads mix
 * their logits before the softmax and their weights after it, through two {@code [heads, heads]} matrices.
 *
 * <pre>
 * s_i[t][u] = q_i[t] · k_i[u] / sqrt(hd)          head i's logits, as in multi-head attention
 * l_j       = Σ_i s_i · logitsMix[i][j]           heads mix their logits
 * a_j       = softmax of each row of l_j          over the keys u
 * w_j       = Σ_i a_i · weightsMix[i][j]          heads mix their weights
 * c_j       = w_j · v_j                           [T][hd]
 * </pre>
 *
 * Entry {@code [i][j]} of a mixing matrix is how much head i gives to head j. With both matrices the identity the
 * heads are independent again: this is then plain multi-head attention, head by head. No mask, no dropout. Write the
 * loops yourself: the library's {@code TalkingHeadsAttention} is the chapter's version.
 */
public final class TalkingHeads {
    private TalkingHeads() {}

    /**
     * Every head's map replaced by a weighted sum of all heads' maps: {@code out[j] = Σ_i maps[i] · mix[i][j]}.
     *
     * @param maps {@code [heads][queries][keys]} (left unchanged)
     * @param mix  {@code [heads][heads]}
     * @return {@code [heads][queries][keys]}, a new array
     * @throws IllegalArgumentException if {@code mix} is not {@code [heads][heads]} for the heads of {@code maps}
     */
    public static double[][][] mix(double[][][] maps, double[][] mix) {
        // TODO Exercise 8.4: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 8.4 is not done yet");
    }

    /**
     * The mixed weights {@code w} of every head.
     *
     * @param q          {@code [heads][queries][hd]}
     * @param k          {@code [heads][keys][hd]}
     * @param logitsMix  {@code [heads][heads]}, mixes the logits (before the softmax)
     * @param weightsMix {@code [heads][heads]}, mixes the weights (after it)
     * @return {@code [heads][queries][keys]}
     * @throws IllegalArgumentException if a mixing matrix is not {@code [heads][heads]}
     */
    public static double[][][] weights(double[][][] q, double[][][] k, double[][] logitsMix, double[][] weightsMix) {
        // TODO Exercise 8.4: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 8.4 is not done yet");
    }

    /**
     * The context vectors of every head, {@code c_j = w_j · v_j}.
     *
     * @param q          {@code [heads][queries][hd]}
     * @param k          {@code [heads][keys][hd]}
     * @param v          {@code [heads][keys][hd]}
     * @param logitsMix  {@code [heads][heads]}
     * @param weightsMix {@code [heads][heads]}
     * @return {@code [heads][queries][hd]}
     */
    public static double[][][] attend(double[][][] q, double[][][] k, double[][][] v, double[][] logitsMix,
                                      double[][] weightsMix) {
        // TODO Exercise 8.4: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 8.4 is not done yet");
    }
}
