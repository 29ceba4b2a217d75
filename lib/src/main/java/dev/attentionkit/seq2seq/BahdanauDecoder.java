package dev.attentionkit.seq2seq;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.score.AdditiveScore;
import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.train.TrainableLinear;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The decoder of Bahdanau, Cho and Bengio, <em>Neural Machine Translation by Jointly Learning to Align and
 * Translate</em> (ICLR 2015): attention is computed from the <em>previous</em> state {@code s_{i-1}} and its
 * context enters the GRU step as input.
 *
 * <pre>
 * e_ij = v_aᵀ tanh(W_a s_{i-1} + U_a h_j)          additive score          [b, Tx]   (padding: -1e9)
 * α_ij = softmax_j(e_ij)                                                   [b, Tx]
 * c_i  = Σ_j α_ij h_j                              context                 [b, C]    (C = 2·He)
 * s_i  = GRU([E y_{i-1}; c_i], s_{i-1})            {@link GruCell}         [b, Hd]
 * o_i  = W_o [s_i; E y_{i-1}; c_i] + b_o           logits of y_i           [b, Vout]
 * s_0  = tanh(W_s [h→_Tx; h←_1] + b_s)
 * </pre>
 *
 * Two simplifications against the paper, both shared by the other decoders so that only attention differs: the
 * output layer is linear in the paper's three inputs (the paper adds a maxout layer), and {@code s_0} reads the
 * encoder's summary (the paper uses {@code h←_1} alone). The score's weights are an {@link AdditiveScore}
 * ({@code wQ = W_a [Ha, Hd]}, {@code wK = U_a [Ha, C]}, {@code v = v_a [Ha]}), chapter 05's class.
 */
public final class BahdanauDecoder implements RecurrentDecoder {
    /**
     * @param embedding {@code [Ey, Vout]} output-character embeddings {@code E}
     * @param init      {@code W_s [Hd, C]} with bias
     * @param attention {@code W_a}, {@code U_a}, {@code v_a}
     * @param gru       input {@code Ey + C}, hidden {@code Hd}
     * @param readout   {@code W_o [Vout, Hd + Ey + C]} with bias
     */
    public record Weights(INDArray embedding, Linear init, AdditiveScore attention, GruCell.Weights gru, Linear readout) {
        public Weights {
            Shapes.requireMatrix(embedding, "embedding", "[Ey, Vout]");
            long ey = embedding.size(0);
            long c = attention.dK();
            long hd = gru.hidden();
            requireSize("init", init, c, hd);
            requireSize("attention wQ", attention.dQ(), hd);
            requireSize("gru input", gru.in(), ey + c);
            requireSize("readout", readout, hd + ey + c, embedding.size(1));
        }

        /** Seeded, PyTorch's default ranges (±1/√fan-in; the embedding ±1/√Vout). */
        public static Weights fromSeed(long vOut, long ey, long c, long hd, long ha, TorchRandom random) {
            double bound = 1 / Math.sqrt(vOut);
            INDArray e = random.uniform(-bound, bound, ey, vOut);
            Linear init = Linear.init(c, hd, true, random);
            AdditiveScore score = AdditiveScore.fromWeights(Linear.init(hd, ha, false, random).weight(),
                Linear.init(c, ha, false, random).weight(), random.uniform(-1 / Math.sqrt(ha), 1 / Math.sqrt(ha), ha));
            GruCell.Weights gru = GruCell.Weights.fromSeed(ey + c, hd, random);
            return new Weights(e, init, score, gru, Linear.init(hd + ey + c, vOut, true, random));
        }
    }

    static void requireSize(String what, long got, long expected) {
        if (got != expected) {
            throw new IllegalArgumentException(what + " has size " + got + ", expected " + expected);
        }
    }

    static void requireSize(String what, Linear l, long in, long out) {
        if (l.inFeatures() != in || l.outFeatures() != out) {
            throw new IllegalArgumentException(String.format("%s is [%d, %d], expected [out, in] = [%d, %d]", what,
                l.outFeatures(), l.inFeatures(), out, in));
        }
    }

    private final SDVariable embedding;  // [Ey, Vout]
    private final TrainableLinear init;
    private final SDVariable wA;         // [Ha, Hd]
    private final SDVariable uA;         // [Ha, C]
    private final SDVariable vA;         // [Ha]
    private final GruCell gru;
    private final TrainableLinear readout;
    private SDVariable projectedKeys;    // U_a h_j, [b, Tx, Ha], computed once in start
    private EncoderStates startedWith;

    private BahdanauDecoder(SameDiff sd, String name, Weights w) {
        embedding = sd.var(name + ".embedding", w.embedding().dup('c'));
        init = TrainableLinear.from(sd, name + ".init", w.init());
        wA = sd.var(name + ".attention.wQ", w.attention().wQ().dup('c'));
        uA = sd.var(name + ".attention.wK", w.attention().wK().dup('c'));
        vA = sd.var(name + ".attention.v", w.attention().v().dup('c'));
        gru = GruCell.from(sd, name + ".gru", w.gru());
        readout = TrainableLinear.from(sd, name + ".readout", w.readout());
    }

    /** Variables {@code name.embedding}, {@code name.attention.wQ}, {@code name.gru.W_r}, ... copied from {@code weights}. */
    public static BahdanauDecoder from(SameDiff sd, String name, Weights weights) {
        return new BahdanauDecoder(sd, name, weights);
    }

    @Override
    public State start(EncoderStates encoder) {
        SameDiff sd = encoder.states().getSameDiff();
        long c = uA.getShape()[1];
        long ha = uA.getShape()[0];
        projectedKeys = sd.mmul(encoder.states().reshape(-1, c), uA, false, true, false)
            .reshape(-1, encoder.length(), ha);                                                 // [b, Tx, Ha]
        startedWith = encoder;
        return new State(sd.math.tanh(init.forwardRows(encoder.last())), null);                   // [b, Hd]
    }

    @Override
    public Step step(State previous, SDVariable previousCharacter, EncoderStates encoder) {
        if (encoder != startedWith) {
            throw new IllegalStateException("step must get the encoder states that start was given");
        }
        SameDiff sd = previousCharacter.getSameDiff();
        SDVariable s = previous.hidden();                                                      // s_{i-1} [b, Hd]
        SDVariable query = sd.expandDims(sd.mmul(s, wA, false, true, false), 1);              // [b, 1, Ha]
        SDVariable e = sd.math.tanh(query.add(projectedKeys)).mul(vA).sum(2);                 // [b, Tx]
        SDVariable alpha = sd.nn.softmax(e.add(encoder.blocked()), -1);                        // [b, Tx]
        SDVariable context = sd.squeeze(sd.mmul(sd.expandDims(alpha, 1), encoder.states()), 1);  // [b, C]
        SDVariable ey = sd.mmul(previousCharacter, embedding, false, true, false);            // [b, Ey]
        SDVariable next = gru.step(sd.concat(1, ey, context), s);                              // s_i [b, Hd]
        SDVariable logits = readout.forwardRows(sd.concat(1, next, ey, context));                  // [b, Vout]
        return new Step(new State(next, null), logits, alpha);
    }

    /** The current (trained) values, copied. */
    public Weights weights() {
        return new Weights(embedding.getArr().dup(), init.toPlain(),
            AdditiveScore.fromWeights(wA.getArr(), uA.getArr(), vA.getArr()), gru.weights(), readout.toPlain());
    }

    /** The trained score as chapter 05's plain class. */
    public AdditiveScore score() {
        return AdditiveScore.fromWeights(wA.getArr(), uA.getArr(), vA.getArr());
    }

    @Override
    public String describe() {
        return "Bahdanau et al. 2015 (additive score from s_{i-1}, context into the GRU)";
    }
}
