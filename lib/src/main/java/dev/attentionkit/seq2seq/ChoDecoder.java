package dev.attentionkit.seq2seq;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.train.TrainableLinear;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The decoder of the RNN Encoder–Decoder without attention, Cho et al., <em>Learning Phrase Representations
 * using RNN Encoder–Decoder for Statistical Machine Translation</em> (EMNLP 2014): every step reads the same
 * fixed-size summary {@code c} of the input, the encoder's final states.
 *
 * <pre>
 * c    = [h→_Tx; h←_1]                              the only context             [b, C]
 * s_i  = GRU([E y_{i-1}; c], s_{i-1})               {@link GruCell}             [b, Hd]
 * o_i  = W_o [s_i; E y_{i-1}; c] + b_o              logits of y_i               [b, Vout]
 * s_0  = tanh(W_s c + b_s)
 * </pre>
 *
 * It is {@link BahdanauDecoder} with {@code c_i} replaced by {@code c}: same cell, same sizes, same output layer,
 * minus the attention weights. Whatever it gets right, it got through {@code C} numbers.
 */
public final class ChoDecoder implements RecurrentDecoder {
    /**
     * @param embedding {@code [Ey, Vout]}
     * @param init      {@code W_s [Hd, C]} with bias
     * @param gru       input {@code Ey + C}, hidden {@code Hd}
     * @param readout   {@code W_o [Vout, Hd + Ey + C]} with bias
     */
    public record Weights(INDArray embedding, Linear init, GruCell.Weights gru, Linear readout) {
        public Weights {
            Shapes.requireMatrix(embedding, "embedding", "[Ey, Vout]");
            long ey = embedding.size(0);
            long c = init.inFeatures();
            long hd = gru.hidden();
            BahdanauDecoder.requireSize("init", init, c, hd);
            BahdanauDecoder.requireSize("gru input", gru.in(), ey + c);
            BahdanauDecoder.requireSize("readout", readout, hd + ey + c, embedding.size(1));
        }

        /** Seeded, PyTorch's default ranges. */
        public static Weights fromSeed(long vOut, long ey, long c, long hd, TorchRandom random) {
            double bound = 1 / Math.sqrt(vOut);
            INDArray e = random.uniform(-bound, bound, ey, vOut);
            Linear init = Linear.init(c, hd, true, random);
            GruCell.Weights gru = GruCell.Weights.fromSeed(ey + c, hd, random);
            return new Weights(e, init, gru, Linear.init(hd + ey + c, vOut, true, random));
        }
    }

    private final SDVariable embedding;
    private final TrainableLinear init;
    private final GruCell gru;
    private final TrainableLinear readout;

    private ChoDecoder(SameDiff sd, String name, Weights w) {
        embedding = sd.var(name + ".embedding", w.embedding().dup('c'));
        init = TrainableLinear.from(sd, name + ".init", w.init());
        gru = GruCell.from(sd, name + ".gru", w.gru());
        readout = TrainableLinear.from(sd, name + ".readout", w.readout());
    }

    /** Variables {@code name.embedding}, {@code name.gru.W_r}, ... copied from {@code weights}. */
    public static ChoDecoder from(SameDiff sd, String name, Weights weights) {
        return new ChoDecoder(sd, name, weights);
    }

    @Override
    public State start(EncoderStates encoder) {
        return new State(encoder.states().getSameDiff().math.tanh(init.forwardRows(encoder.last())), null);
    }

    @Override
    public Step step(State previous, SDVariable previousCharacter, EncoderStates encoder) {
        SameDiff sd = previousCharacter.getSameDiff();
        SDVariable c = encoder.last();                                                         // [b, C]
        SDVariable ey = sd.mmul(previousCharacter, embedding, false, true, false);            // [b, Ey]
        SDVariable next = gru.step(sd.concat(1, ey, c), previous.hidden());                    // [b, Hd]
        return new Step(new State(next, null), readout.forwardRows(sd.concat(1, next, ey, c)), null);
    }

    /** The current (trained) values, copied. */
    public Weights weights() {
        return new Weights(embedding.getArr().dup(), init.toPlain(), gru.weights(), readout.toPlain());
    }

    @Override
    public String describe() {
        return "Cho et al. 2014 (no attention: the final encoder states at every step)";
    }
}
