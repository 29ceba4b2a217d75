package dev.attentionkit.seq2seq;

import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.train.TrainableScaledDotProductAttention;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDataFormat;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDirectionMode;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMLayerConfig;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.weights.LSTMLayerWeights;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The bidirectional encoder of Bahdanau et al. (2015): character embeddings read by a recurrent network forwards
 * and another backwards; the annotation of position j is {@code h_j = [h→_j; h←_j]}, so it summarises the
 * characters on both sides of j. Each direction is an LSTM (Hochreiter and Schmidhuber 1997):
 *
 * <pre>
 * x_j = E_x one-hot_j                                     [b, Tx, E]
 * z   = x_j W + h_{j-1} R + b                             [b, 4·He]  gate blocks i, f, g, o
 * c_j = σ(z_f) ⊙ c_{j-1} + σ(z_i) ⊙ tanh(z_g)             [b, He]    (h_0 = c_0 = 0)
 * h_j = σ(z_o) ⊙ tanh(c_j)                                [b, He]
 * </pre>
 *
 * Bahdanau et al. used GRUs; this encoder uses ND4J's fused {@code lstmLayer} op, which runs both directions in
 * one operation, because its gradient is about four times faster than that of ND4J's {@code gru} op (measured on
 * this kit's sizes) and a graph of one operation per character would be slower still. The decoders' recurrent
 * unit is the paper's GRU ({@link GruCell}).
 *
 * <p>Inputs are right-aligned (padding first), so the forward direction ends on the last character.
 */
public final class BidirectionalLstmEncoder {
    /**
     * The weights in the layout of ND4J's {@code lstmLayer} op, direction 0 forward, 1 backward.
     *
     * @param embedding        {@code [E, Vin]}, {@code nn.Linear} layout: column v is character v's embedding
     * @param inputWeights     {@code [2, E, 4·He]}, gate blocks i, f, g, o along the last axis
     * @param recurrentWeights {@code [2, He, 4·He]}
     * @param bias             {@code [2, 4·He]}
     */
    public record Weights(INDArray embedding, INDArray inputWeights, INDArray recurrentWeights, INDArray bias) {
        public Weights {
            Shapes.requireMatrix(embedding, "embedding", "[E, Vin]");
            Shapes.requireRank(inputWeights, "inputWeights", "[2, E, 4·He]", 3);
            long h4 = inputWeights.size(2);
            if (inputWeights.size(0) != 2 || inputWeights.size(1) != embedding.size(0) || h4 % 4 != 0) {
                throw new IllegalArgumentException("inputWeights must be [2, E, 4·He] with E = " + embedding.size(0)
                    + ", got " + java.util.Arrays.toString(inputWeights.shape()));
            }
            Shapes.requireShape(recurrentWeights, "recurrentWeights", "[2, He, 4·He]", 2, h4 / 4, h4);
            Shapes.requireShape(bias, "bias", "[2, 4·He]", 2, h4);
        }

        /** Seeded: embedding uniform in ±1/√Vin, every LSTM value uniform in ±1/√He (PyTorch's ranges). */
        public static Weights fromSeed(long vocabulary, long embedding, long hidden, TorchRandom random) {
            double e = 1 / Math.sqrt(vocabulary);
            double bound = 1 / Math.sqrt(hidden);
            return new Weights(random.uniform(-e, e, embedding, vocabulary),
                random.uniform(-bound, bound, 2, embedding, 4 * hidden),
                random.uniform(-bound, bound, 2, hidden, 4 * hidden), random.uniform(-bound, bound, 2, 4 * hidden));
        }

        public long hidden() {
            return bias.size(1) / 4;
        }
    }

    private final String name;
    private final SDVariable embedding;
    private final SDVariable inputWeights;
    private final SDVariable recurrentWeights;
    private final SDVariable bias;
    private final long hidden;

    private BidirectionalLstmEncoder(SameDiff sd, String name, Weights w) {
        this.name = name;
        embedding = sd.var(name + ".embedding", w.embedding().dup('c'));
        inputWeights = sd.var(name + ".inputWeights", w.inputWeights().dup('c'));
        recurrentWeights = sd.var(name + ".recurrentWeights", w.recurrentWeights().dup('c'));
        bias = sd.var(name + ".bias", w.bias().dup('c'));
        hidden = w.hidden();
    }

    /** Variables {@code name.embedding}, {@code name.inputWeights}, ... in {@code sd}, copied from {@code weights}. */
    public static BidirectionalLstmEncoder from(SameDiff sd, String name, Weights weights) {
        return new BidirectionalLstmEncoder(sd, name, weights);
    }

    /**
     * @param source {@code [b, Tx, Vin]} one-hot characters, right-aligned, index 0 = padding
     * @return the annotations {@code [b, Tx, 2·He]}, the padding scores and the summary {@code [b, 2·He]}
     */
    public EncoderStates encode(SDVariable source) {
        SameDiff sd = source.getSameDiff();
        long tx = source.getShape()[1];
        long vIn = embedding.getShape()[1];
        SDVariable x = sd.mmul(source.reshape(-1, vIn), embedding, false, true, false)
            .reshape(-1, tx, embedding.getShape()[0]);                                          // [b, Tx, E]
        LSTMLayerWeights w = LSTMLayerWeights.builder().weights(inputWeights).rWeights(recurrentWeights).bias(bias)
            .build();
        LSTMLayerConfig config = LSTMLayerConfig.builder().lstmdataformat(LSTMDataFormat.NTS)
            .directionMode(LSTMDirectionMode.BIDIR_CONCAT).retFullSequence(true).retLastH(false).retLastC(false).build();
        SDVariable states = sd.rnn.lstmLayer(x, w, config)[0];                                 // [b, Tx, 2·He]
        // [h→_Tx; h←_1] picked by a 0/1 mask and a sum: strided_slice's gradient fails in SameDiff M2.1.
        INDArray pick = Nd4j.zeros(source.dataType(), 1, tx, 2 * hidden);
        pick.get(NDArrayIndex.point(0), NDArrayIndex.point(tx - 1), NDArrayIndex.interval(0, hidden)).assign(1);
        pick.get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.interval(hidden, 2 * hidden)).assign(1);
        SDVariable last = states.mul(sd.constant(name + ".pickLast", pick)).sum(1);          // [b, 2·He]
        SDVariable blocked = source.get(SDIndex.all(), SDIndex.all(), SDIndex.point(0))
            .mul(TrainableScaledDotProductAttention.BLOCKED);                                  // [b, Tx]
        return new EncoderStates(states, blocked, last, tx);
    }

    /** Size of the annotations, {@code 2·He}. */
    public long stateSize() {
        return 2 * hidden;
    }

    /** The current (trained) values, copied. */
    public Weights weights() {
        return new Weights(embedding.getArr().dup(), inputWeights.getArr().dup(), recurrentWeights.getArr().dup(),
            bias.getArr().dup());
    }
}
