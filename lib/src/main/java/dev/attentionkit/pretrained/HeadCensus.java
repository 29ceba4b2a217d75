package dev.attentionkit.pretrained;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sorts every head of a model into a kind by what its weights do on average over a set of sentences, with
 * criteria computed from the weights and stated here (and printed by {@link #criteria()}):
 *
 * <pre>
 * sink      ≥ 50% of a query's weight, on average, goes to the special tokens
 *           (BERT: [CLS] and [SEP]; a causal model: the first token)
 * previous  ≥ 50% on the token just before the query (queries 1..t-1)
 * next      ≥ 50% on the token just after the query (queries 0..t-2)
 * self      ≥ 50% on the query's own token
 * broad     none of the above, and the rows' entropy is ≥ 75% of the entropy of uniform weights over the
 *           keys the query may see (log n)
 * content   everything else: sharp rows whose target depends on what the tokens are, not where they are
 * </pre>
 *
 * The first rule that holds wins, so a head that is both a sink and broad is counted as a sink.
 */
public final class HeadCensus {
    /** The threshold of the mass rules. */
    public static final double MASS = 0.5;
    /** The threshold of the broad rule, as a fraction of the uniform entropy. */
    public static final double BROAD = 0.75;

    /** One head's averages over the sentences and its kind. */
    public record Head(int layer, int head, double sink, double previous, double next, double self,
                       double entropy, String kind) {}

    private final int layers;
    private final int heads;
    private final double[][][] sums; // [layer][head][metric]
    private int sentences;

    /** An empty census for a model of {@code layers × heads}. */
    public HeadCensus(int layers, int heads) {
        this.layers = layers;
        this.heads = heads;
        this.sums = new double[layers][heads][5];
    }

    /**
     * Adds one sentence.
     *
     * @param attentions one {@code [heads, t, t]} (or {@code [1, heads, t, t]}) array per layer
     * @param special    positions of the special tokens (sink targets)
     * @param causal     whether query i sees only keys 0..i (for the uniform entropy)
     */
    public HeadCensus add(List<INDArray> attentions, int[] special, boolean causal) {
        if (attentions.size() != layers) {
            throw new IllegalArgumentException("expected " + layers + " layers of attention, got " + attentions.size());
        }
        for (int l = 0; l < layers; l++) {
            INDArray a = attentions.get(l);
            if (a.rank() == 4) {
                a = a.reshape(a.size(1), a.size(2), a.size(3));
            }
            if (a.rank() != 3 || a.size(0) != heads || a.size(1) != a.size(2)) {
                throw new IllegalArgumentException(String.format("layer %d: expected [heads=%d, t, t], got %s", l, heads,
                    java.util.Arrays.toString(a.shape())));
            }
            int t = (int) a.size(1);
            double[][][] w = new double[heads][t][t];
            double[] flat = a.dup('c').data().asDouble();
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    System.arraycopy(flat, (h * t + i) * t, w[h][i], 0, t);
                }
            }
            for (int h = 0; h < heads; h++) {
                double sink = 0, prev = 0, next = 0, self = 0, entropy = 0;
                int entropyRows = 0;
                for (int i = 0; i < t; i++) {
                    for (int s : special) {
                        sink += w[h][i][s];
                    }
                    if (i > 0) {
                        prev += w[h][i][i - 1];
                    }
                    if (i < t - 1) {
                        next += w[h][i][i + 1];
                    }
                    self += w[h][i][i];
                    int visible = causal ? i + 1 : t;
                    if (visible > 1) {
                        double e = 0;
                        for (int j = 0; j < visible; j++) {
                            double p = w[h][i][j];
                            if (p > 0) {
                                e -= p * Math.log(p);
                            }
                        }
                        entropy += e / Math.log(visible);
                        entropyRows++;
                    }
                }
                double[] s = sums[l][h];
                s[0] += sink / t;
                s[1] += t > 1 ? prev / (t - 1) : 0;
                s[2] += t > 1 ? next / (t - 1) : 0;
                s[3] += self / t;
                s[4] += entropyRows > 0 ? entropy / entropyRows : 0;
            }
        }
        sentences++;
        return this;
    }

    /** Every head, layer by layer. */
    public List<Head> heads() {
        if (sentences == 0) {
            throw new IllegalStateException("add at least one sentence first");
        }
        List<Head> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                double[] s = sums[l][h];
                double sink = s[0] / sentences, prev = s[1] / sentences, next = s[2] / sentences;
                double self = s[3] / sentences, entropy = s[4] / sentences;
                out.add(new Head(l, h, sink, prev, next, self, entropy, kind(sink, prev, next, self, entropy)));
            }
        }
        return out;
    }

    static String kind(double sink, double prev, double next, double self, double entropy) {
        if (sink >= MASS) {
            return "sink";
        }
        if (prev >= MASS) {
            return "previous";
        }
        if (next >= MASS) {
            return "next";
        }
        if (self >= MASS) {
            return "self";
        }
        return entropy >= BROAD ? "broad" : "content";
    }

    /** The kinds as a {@code layers × heads} grid of one-letter codes (S, P, N, I for self, B, C). */
    public String grid() {
        StringBuilder sb = new StringBuilder("layer \\ head");
        for (int h = 0; h < heads; h++) {
            sb.append(String.format(Locale.ROOT, "%3d", h));
        }
        sb.append('\n');
        List<Head> all = heads();
        for (int l = 0; l < layers; l++) {
            sb.append(String.format(Locale.ROOT, "%12d", l));
            for (int h = 0; h < heads; h++) {
                String k = all.get(l * heads + h).kind();
                sb.append("  ").append(k.equals("self") ? "I" : k.substring(0, 1).toUpperCase(Locale.ROOT));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** How many heads of each kind, in the order of the rules. */
    public String counts() {
        List<Head> all = heads();
        StringBuilder sb = new StringBuilder();
        for (String k : List.of("sink", "previous", "next", "self", "broad", "content")) {
            long n = all.stream().filter(x -> x.kind().equals(k)).count();
            sb.append(String.format(Locale.ROOT, "%-8s %3d%n", k, n));
        }
        return sb.toString();
    }

    /** The rules, as the census applies them. */
    public static String criteria() {
        return String.format(Locale.ROOT, String.join("\n",
            "averaged over every query of every sentence; the first rule that holds names the head:",
            "  S sink      mean weight on the special tokens ([CLS]/[SEP], or the first token) >= %.2f",
            "  P previous  mean weight on token i-1 >= %.2f",
            "  N next      mean weight on token i+1 >= %.2f",
            "  I self      mean weight on token i itself >= %.2f",
            "  B broad     mean row entropy >= %.2f x log(number of visible keys)",
            "  C content   everything else (sharp, and not by position)"), MASS, MASS, MASS, MASS, BROAD);
    }

    public int sentences() {
        return sentences;
    }
}
