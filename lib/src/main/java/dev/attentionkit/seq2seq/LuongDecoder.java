package dev.attentionkit.seq2seq;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.score.MultiplicativeScore;
import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.train.TrainableLinear;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The decoder of Luong, Pham and Manning, <em>Effective Approaches to Attention-based Neural Machine
 * Translation</em> (EMNLP 2015), global attention with input feeding: attention is computed from the
 * <em>current</em> state {@code h_t}, after the recurrent step, and its result, the attentional hidden state
 * {@code h̃_t}, is fed into the next step.
 *
 * <pre>
 * h_t  = GRU([E y_{t-1}; h̃_{t-1}], h_{t-1})      input feeding, {@link GruCell}   [b, Hd]
 * score(h_t, h̄_s) = h_tᵀ h̄_s                     dot        (Hd = C)
 *                 = h_tᵀ W_a h̄_s                 general    (W_a [Hd, C])
 * a_t  = softmax(W_a h_t)                          location   (W_a [Tx, Hd]: the weights from h_t alone)
 * a_t  = softmax_s(score(h_t, h̄_s))               otherwise                         [b, Tx]   (padding: -1e9)
 * c_t  = Σ_s a_t(s) h̄_s                                                             [b, C]
 * h̃_t  = tanh(W_c [c_t; h_t])                     attentional hidden state          [b, Hd]
 * o_t  = W_s h̃_t + b_s                            logits of y_t                     [b, Vout]
 * h_0  = tanh(W_0 [h→_Tx; h←_1] + b_0),  h̃_0 = 0
 * </pre>
 *
 * Luong et al. used stacked LSTMs; the recurrent unit here is the same GRU as Bahdanau's, so that the two models
 * differ in where attention sits, not in the cell. The general score's {@code W_a} is a {@link MultiplicativeScore}.
 * Location-based attention cannot see the annotations at all: it learns which <em>positions</em> to read.
 */
public final class LuongDecoder implements RecurrentDecoder {
    /** Luong's three ways to score. */
    public enum Score {
        /** {@code h_tᵀ h̄_s}: no weights, needs {@code Hd = C}. */
        DOT,
        /** {@code h_tᵀ W_a h̄_s}. */
        GENERAL,
        /** {@code softmax(W_a h_t)}: positions only, {@code W_a [Tx, Hd]}. */
        LOCATION
    }

    /**
     * @param embedding {@code [Ey, Vout]}
     * @param init      {@code W_0 [Hd, C]} with bias
     * @param gru       input {@code Ey + Hd}, hidden {@code Hd}
     * @param score     which score
     * @param scoreWeight {@code W_a}: {@code [Hd, C]} (general), {@code [Tx, Hd]} (location), null (dot)
     * @param combine   {@code W_c [Hd, C + Hd]}, no bias
     * @param readout   {@code W_s [Vout, Hd]} with bias
     */
    public record Weights(INDArray embedding, Linear init, GruCell.Weights gru, Score score, INDArray scoreWeight,
                          Linear combine, Linear readout) {
        public Weights {
            Shapes.requireMatrix(embedding, "embedding", "[Ey, Vout]");
            long ey = embedding.size(0);
            long hd = gru.hidden();
            long c = init.inFeatures();
            BahdanauDecoder.requireSize("init", init, c, hd);
            BahdanauDecoder.requireSize("gru input", gru.in(), ey + hd);
            BahdanauDecoder.requireSize("combine", combine, c + hd, hd);
            BahdanauDecoder.requireSize("readout", readout, hd, embedding.size(1));
            switch (score) {
                case DOT -> {
                    if (scoreWeight != null || c != hd) {
                        throw new IllegalArgumentException("the dot score has no weight and needs Hd = C, got Hd = "
                            + hd + ", C = " + c + (scoreWeight != null ? " and a weight" : ""));
                    }
                }
                case GENERAL -> Shapes.requireShape(scoreWeight, "W_a (general)", "[Hd, C]", hd, c);
                case LOCATION -> {
                    Shapes.requireMatrix(scoreWeight, "W_a (location)", "[Tx, Hd]");
                    BahdanauDecoder.requireSize("W_a (location) columns", scoreWeight.size(1), hd);
                }
            }
        }

        /**
         * Seeded, PyTorch's default ranges.
         *
         * @param tx the input length (used only by the location score)
         */
        public static Weights fromSeed(Score score, long vOut, long ey, long c, long hd, long tx, TorchRandom random) {
            double bound = 1 / Math.sqrt(vOut);
            INDArray e = random.uniform(-bound, bound, ey, vOut);
            Linear init = Linear.init(c, hd, true, random);
            GruCell.Weights gru = GruCell.Weights.fromSeed(ey + hd, hd, random);
            INDArray wA = switch (score) {
                case DOT -> null;
                case GENERAL -> MultiplicativeScore.fromWeights(Linear.init(c, hd, false, random).weight()).w();
                case LOCATION -> Linear.init(hd, tx, false, random).weight();
            };
            return new Weights(e, init, gru, score, wA, Linear.init(c + hd, hd, false, random),
                Linear.init(hd, vOut, true, random));
        }
    }

    private final Score score;
    private final SDVariable embedding;   // [Ey, Vout]
    private final TrainableLinear init;
    private final GruCell gru;
    private final SDVariable wA;          // [Hd, C], [Tx, Hd] or null
    private final TrainableLinear combine;
    private final TrainableLinear readout;

    private LuongDecoder(SameDiff sd, String name, Weights w) {
        score = w.score();
        embedding = sd.var(name + ".embedding", w.embedding().dup('c'));
        init = TrainableLinear.from(sd, name + ".init", w.init());
        gru = GruCell.from(sd, name + ".gru", w.gru());
        wA = w.scoreWeight() == null ? null : sd.var(name + ".attention.w", w.scoreWeight().dup('c'));
        combine = TrainableLinear.from(sd, name + ".combine", w.combine());
        readout = TrainableLinear.from(sd, name + ".readout", w.readout());
    }

    /** Variables {@code name.embedding}, {@code name.gru.W_r}, {@code name.attention.w}, ... copied from {@code weights}. */
    public static LuongDecoder from(SameDiff sd, String name, Weights weights) {
        return new LuongDecoder(sd, name, weights);
    }

    @Override
    public State start(EncoderStates encoder) {
        if (score == Score.LOCATION && wA.getShape()[0] != encoder.length()) {
            throw new IllegalArgumentException("location attention was built for " + wA.getShape()[0]
                + " input positions, the encoder has " + encoder.length());
        }
        SameDiff sd = encoder.states().getSameDiff();
        SDVariable h0 = sd.math.tanh(init.forwardRows(encoder.last()));                      // [b, Hd]
        return new State(h0, h0.mul(0.0));                                                    // h̃_0 = 0
    }

    @Override
    public Step step(State previous, SDVariable previousCharacter, EncoderStates encoder) {
        SameDiff sd = previousCharacter.getSameDiff();
        SDVariable ey = sd.mmul(previousCharacter, embedding, false, true, false);            // [b, Ey]
        SDVariable h = gru.step(sd.concat(1, ey, previous.attentional()), previous.hidden());  // h_t [b, Hd]
        SDVariable keys = encoder.states();                                                    // h̄_s [b, Tx, C]
        SDVariable e = switch (score) {
            case DOT -> sd.expandDims(h, 1).mul(keys).sum(2);                                  // [b, Tx]
            case GENERAL -> sd.expandDims(sd.mmul(h, wA), 1).mul(keys).sum(2);                // (h_tᵀ W_a) h̄_s
            case LOCATION -> sd.mmul(h, wA, false, true, false);                               // W_a h_t [b, Tx]
        };
        SDVariable a = sd.nn.softmax(e.add(encoder.blocked()), -1);                            // [b, Tx]
        SDVariable context = sd.squeeze(sd.mmul(sd.expandDims(a, 1), keys), 1);              // [b, C]
        SDVariable attentional = sd.math.tanh(combine.forwardRows(sd.concat(1, context, h)));  // h̃_t [b, Hd]
        return new Step(new State(h, attentional), readout.forwardRows(attentional), a);
    }

    /** The current (trained) values, copied. */
    public Weights weights() {
        return new Weights(embedding.getArr().dup(), init.toPlain(), gru.weights(), score,
            wA == null ? null : wA.getArr().dup(), combine.toPlain(), readout.toPlain());
    }

    /** The trained general score as chapter 05's plain class, or null for the dot and location scores. */
    public MultiplicativeScore generalScore() {
        return score == Score.GENERAL ? MultiplicativeScore.fromWeights(wA.getArr()) : null;
    }

    public Score score() {
        return score;
    }

    @Override
    public String describe() {
        return "Luong et al. 2015, " + score.name().toLowerCase(java.util.Locale.ROOT)
            + " score (attention from h_t, attentional state h̃_t fed back)";
    }
}
