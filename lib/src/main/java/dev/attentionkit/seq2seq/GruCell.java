package dev.attentionkit.seq2seq;

import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One step of the gated recurrent unit of Cho et al. (2014), as Bahdanau et al. (2015, appendix A) write it,
 * as SameDiff operations:
 *
 * <pre>
 * r  = σ(W_r x + U_r s + b_r)          reset gate        [b, H]
 * z  = σ(W_z x + U_z s + b_z)          update gate       [b, H]
 * s̃  = tanh(W x + U (r ⊙ s) + b)       candidate state   [b, H]
 * s' = (1 − z) ⊙ s + z ⊙ s̃             next state        [b, H]
 * </pre>
 *
 * The reset gate multiplies the state <em>before</em> {@code U}, as in the papers (PyTorch and ND4J's fused
 * {@code gru} op apply it after). Bahdanau's decoder writes the input part as {@code W E y + C c}; with
 * {@code x = [E y; c]} that is one matrix {@code [W C]}, which is how it is stored here.
 *
 * <p>Weights use PyTorch's {@code nn.GRUCell} layout, gates stacked in the order r, z, candidate:
 * {@code inputWeights [3H, in]}, {@code recurrentWeights [3H, H]}, {@code bias [3H]}.
 */
public final class GruCell {
    /**
     * The plain weights of a cell.
     *
     * @param inputWeights     {@code [3H, in]}: rows {@code W_r}, {@code W_z}, {@code W}
     * @param recurrentWeights {@code [3H, H]}: rows {@code U_r}, {@code U_z}, {@code U}
     * @param bias             {@code [3H]}: {@code b_r}, {@code b_z}, {@code b}
     */
    public record Weights(INDArray inputWeights, INDArray recurrentWeights, INDArray bias) {
        public Weights {
            Shapes.requireMatrix(inputWeights, "inputWeights", "[3H, in]");
            long h3 = inputWeights.size(0);
            if (h3 % 3 != 0) {
                throw new IllegalArgumentException("inputWeights must have 3H rows (gates r, z, candidate), got "
                    + h3);
            }
            Shapes.requireShape(recurrentWeights, "recurrentWeights", "[3H, H]", h3, h3 / 3);
            Shapes.requireShape(bias, "bias", "[3H]", h3);
        }

        /** PyTorch's initialisation: every value uniform in ±1/√H. */
        public static Weights fromSeed(long in, long hidden, TorchRandom random) {
            double bound = 1 / Math.sqrt(hidden);
            return new Weights(random.uniform(-bound, bound, 3 * hidden, in),
                random.uniform(-bound, bound, 3 * hidden, hidden), random.uniform(-bound, bound, 3 * hidden));
        }

        public long hidden() {
            return bias.length() / 3;
        }

        public long in() {
            return inputWeights.size(1);
        }
    }

    private final SDVariable[] w = new SDVariable[3]; // W_r, W_z, W   [H, in]
    private final SDVariable[] u = new SDVariable[3]; // U_r, U_z, U   [H, H]
    private final SDVariable[] b = new SDVariable[3]; // b_r, b_z, b   [H]

    private GruCell(SameDiff sd, String name, Weights weights) {
        long h = weights.hidden();
        String[] gate = {"r", "z", "candidate"};
        // One variable per gate: slicing a stacked variable has no working gradient in SameDiff M2.1.
        for (int g = 0; g < 3; g++) {
            w[g] = sd.var(name + ".W_" + gate[g], rows(weights.inputWeights(), g, h));
            u[g] = sd.var(name + ".U_" + gate[g], rows(weights.recurrentWeights(), g, h));
            b[g] = sd.var(name + ".b_" + gate[g], weights.bias().get(NDArrayIndex.interval(g * h, (g + 1) * h)).dup());
        }
    }

    private static INDArray rows(INDArray m, int gate, long h) {
        return m.get(NDArrayIndex.interval(gate * h, (gate + 1) * h), NDArrayIndex.all()).dup('c');
    }

    /** Variables {@code name.W_r}, {@code name.U_r}, {@code name.b_r}, ... in {@code sd}, copied from {@code weights}. */
    public static GruCell from(SameDiff sd, String name, Weights weights) {
        return new GruCell(sd, name, weights);
    }

    /**
     * @param x {@code [b, in]} the step's input
     * @param s {@code [b, H]} the previous state
     * @return {@code [b, H]} the next state
     */
    public SDVariable step(SDVariable x, SDVariable s) {
        SameDiff sd = x.getSameDiff();
        SDVariable r = sd.nn.sigmoid(affine(x, s, 0));                                     // [b, H]
        SDVariable z = sd.nn.sigmoid(affine(x, s, 1));                                     // [b, H]
        SDVariable candidate = sd.math.tanh(affine(x, r.mul(s), 2));                       // [b, H]
        return s.add(z.mul(candidate.sub(s)));                                             // (1 − z) s + z s̃
    }

    private SDVariable affine(SDVariable x, SDVariable s, int g) {
        SameDiff sd = x.getSameDiff();
        return sd.mmul(x, w[g], false, true, false).add(sd.mmul(s, u[g], false, true, false)).add(b[g]);
    }

    /** The current (trained) values, copied, in the stacked layout of {@link Weights}. */
    public Weights weights() {
        return new Weights(Nd4j.vstack(w[0].getArr(), w[1].getArr(), w[2].getArr()),
            Nd4j.vstack(u[0].getArr(), u[1].getArr(), u[2].getArr()),
            Nd4j.concat(0, b[0].getArr(), b[1].getArr(), b[2].getArr()));
    }
}
