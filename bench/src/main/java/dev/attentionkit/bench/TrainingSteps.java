package dev.attentionkit.bench;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.efficient.FastTrainableMultiHeadAttention;
import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.train.TrainableMultiHeadAttention;
import dev.attentionkit.train.TrainableTransformerBlock;
import dev.attentionkit.transformer.FeedForward;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One training step (forward + backward, gradients of every parameter) of the kit's trainable modules, on
 * the same seeded inputs and weights as the Python PyTorch side ({@code bench/python/torch_bench.py}):
 * <ul>
 *   <li>{@code mha}: {@link TrainableMultiHeadAttention}, causal self-attention, q/k/v without bias;</li>
 *   <li>{@code fast-mha}: the same module and step through {@link FastTrainableMultiHeadAttention}'s hand-derived backward;</li>
 *   <li>{@code block}: {@link TrainableTransformerBlock}, pre-LN, ReLU feed-forward of {@code 4·d}.</li>
 * </ul>
 * The loss is {@code mean(y²)} over the output, the same in both. No optimiser step is timed: it is the same
 * element-wise work in both libraries and small beside the products.
 */
final class TrainingSteps {
    /** The training workload: batch 8, 256 tokens, d 256, 4 heads, causal. */
    static final Workload TRAIN = new Workload(8, 256, 256, 4, true);
    static final Workload QUICK = new Workload(2, 64, 64, 4, true);
    static final List<String> STEPS = List.of("mha", "fast-mha", "block");

    private TrainingSteps() {}

    /** The feed-forward weights of the block, seeded apart from {@link SeededInputs} (seed 43). */
    record FeedForwardWeights(float[] fc1w, float[] fc1b, float[] fc2w, float[] fc2b) {
        static FeedForwardWeights of(Workload w) {
            SplittableRandom random = new SplittableRandom(43);
            long d = w.dModel(), hidden = 4 * d;
            double b1 = 1 / Math.sqrt(d), b2 = 1 / Math.sqrt(hidden);
            return new FeedForwardWeights(SeededInputs.uniform(random, hidden * d, b1), SeededInputs.uniform(random, hidden, b1),
                SeededInputs.uniform(random, d * hidden, b2), SeededInputs.uniform(random, d, b2));
        }
    }

    /** A step ready to run: each call computes every parameter's gradient; {@link #queryGradient()} after a call. */
    interface Step extends Supplier<Map<String, INDArray>> {
        INDArray queryGradient();

        double loss();
    }

    /** {@link FastTrainableMultiHeadAttention}: the hand-derived backward, same loss. */
    static final class FastStep implements Step {
        private final FastTrainableMultiHeadAttention mha;
        private final INDArray x;
        private final boolean causal;
        private double loss;

        FastStep(FastTrainableMultiHeadAttention mha, INDArray x, boolean causal) {
            this.mha = mha;
            this.x = x;
            this.causal = causal;
        }

        @Override
        public Map<String, INDArray> get() {
            INDArray y = mha.forward(x, causal);
            loss = y.mul(y).meanNumber().doubleValue();
            mha.backward(y.muli(2.0 / y.length()));                  // d mean(y²) / dy
            return mha.gradients();
        }

        @Override
        public INDArray queryGradient() {
            return mha.gradients().get("W_query.weight");
        }

        @Override
        public double loss() {
            return loss;
        }
    }

    static final class GraphStep implements Step {
        private final SameDiff sd;
        private final Map<String, INDArray> feed;
        private final List<String> parameters;
        private final String queryWeight;
        private final SDVariable loss;
        private Map<String, INDArray> last;

        GraphStep(SameDiff sd, Map<String, INDArray> feed, String queryWeight, SDVariable loss) {
            this.sd = sd;
            this.feed = feed;
            this.queryWeight = queryWeight;
            this.loss = loss;
            this.parameters = sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
                .map(SDVariable::name).toList();
        }

        @Override
        public Map<String, INDArray> get() {
            last = sd.calculateGradients(feed, parameters);
            return last;
        }

        @Override
        public INDArray queryGradient() {
            return last.get(queryWeight);
        }

        @Override
        public double loss() {
            return sd.outputSingle(feed, loss.name()).getDouble(0);
        }
    }

    static Step build(String name, Workload w) {
        SeededInputs seeded = SeededInputs.of(w, 42);
        Nd4jInputs in = Nd4jInputs.of(seeded);
        MultiHeadAttention mha = MultiHeadAttention.fromWeights(in.wPart(0), in.wPart(1), in.wPart(2), in.wOut(), in.bOut(),
            w.heads(), w.tokens());
        if (name.equals("fast-mha")) {
            return new FastStep(FastTrainableMultiHeadAttention.from(mha), in.x(), w.causal());
        }
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, w.batch(), w.tokens(), w.dModel());
        SDVariable y;
        String query;
        switch (name) {
            case "mha" -> {
                y = TrainableMultiHeadAttention.from(sd, "mha", mha).attend(x).context();
                query = "mha.W_query.weight";
            }
            case "block" -> {
                FeedForwardWeights f = FeedForwardWeights.of(w);
                long d = w.dModel(), hidden = 4 * d;
                FeedForward ffn = FeedForward.fromLayers(
                    Linear.fromWeights(Nd4j.createFromArray(f.fc1w()).reshape('c', hidden, d), Nd4j.createFromArray(f.fc1b())),
                    Linear.fromWeights(Nd4j.createFromArray(f.fc2w()).reshape('c', d, hidden), Nd4j.createFromArray(f.fc2b())));
                TransformerBlock block = TransformerBlock.of(LayerNorm.of(d), mha, LayerNorm.of(d), ffn);
                y = TrainableTransformerBlock.from(sd, "block", block).attend(x, w.tokens(), w.causal() ? CausalMask.of(w.tokens()) : null)
                    .context();
                query = "block.attention.W_query.weight";
            }
            default -> throw new IllegalArgumentException("unknown training step '" + name + "'; known: " + STEPS);
        }
        SDVariable loss = y.mul(y).sum().div((double) w.batch() * w.tokens() * w.dModel()).rename("loss");
        sd.setLossVariables(loss);
        return new GraphStep(sd, Map.of("x", in.x()), query, loss);
    }
}
