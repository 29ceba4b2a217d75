package dev.attentionkit.bench;

/**
 * One multi-head self-attention forward pass to time: {@code x [batch, tokens, dModel]} through a fused
 * QKV projection, {@code heads} heads of {@code dModel / heads}, and an output projection.
 *
 * @param batch  sequences per call
 * @param tokens tokens per sequence
 * @param dModel model width ({@code dIn = dOut})
 * @param heads  attention heads
 * @param causal whether token i attends to tokens 0..i only
 */
public record Workload(int batch, int tokens, int dModel, int heads, boolean causal) {

    /** The book's bonus benchmark: GPT-2 small's attention over 1024 tokens, 8 sequences. */
    public static final Workload HEADLINE = new Workload(8, 1024, 768, 12, true);
    /** Small enough for CI on 2 cores, large enough that the products dominate. */
    public static final Workload QUICK = new Workload(2, 256, 256, 4, true);

    /** How many leading output values the correctness check compares across implementations and JVMs. */
    public static final int CHECKED_VALUES = 4096;

    /** Stated in every output that reports GFLOP/s. */
    public static final String FLOP_FORMULA =
        "useful FLOPs = 2*B*T*d*3d (QKV) + 2*B*T*d*d (out proj) + 2 * 2*B*H*hd*T*(T+1)/2 (Q.K^T and P.V, causal half;"
            + " T*T instead of T*(T+1)/2 when not causal)";

    public int headDim() {
        return dModel / heads;
    }

    /** Floating-point operations the task needs (multiply and add counted as 2), see {@link #FLOP_FORMULA}. */
    public double usefulFlops() {
        double b = batch, t = tokens, d = dModel;
        double projections = 2 * b * t * d * 3 * d + 2 * b * t * d * d;
        double pairs = causal ? t * (t + 1) / 2 : t * t;              // (query, key) pairs attended
        double attention = 2 * 2 * b * heads * headDim() * pairs;     // Q·Kᵀ and P·V
        return projections + attention;
    }

    /** Short label for tables and CSV, e.g. {@code B8 T1024 d768 H12 causal}. */
    public String label() {
        return "B" + batch + " T" + tokens + " d" + dModel + " H" + heads + (causal ? " causal" : "");
    }
}
