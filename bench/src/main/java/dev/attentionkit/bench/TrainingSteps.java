package dev.attentionkit.bench;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.efficient.FastTrainableBlockStack;
import dev.attentionkit.efficient.FastTrainableMultiHeadAttention;
import dev.attentionkit.efficient.FastTrainableTransformerBlock;
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
import java.util.function.UnaryOperator;
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
 *   <li>{@code block}: {@link TrainableTransformerBlock}, pre-LN, ReLU feed-forward of {@code 4·d};</li>
 *   <li>{@code fast-block}: the same block through {@link FastTrainableTransformerBlock}'s hand-derived backward;</li>
 *   <li>{@code fast-stack}, {@code fast-stack-checkpointed}: {@value #STACK} copies of that block in a
 *       {@link FastTrainableBlockStack}, without and with gradient checkpointing.</li>
 * </ul>
 * The loss is {@code mean(y²)} over the output, the same in both. No optimiser step is timed: it is the same
 * element-wise work in both libraries and small beside the products.
 */
final class TrainingSteps {
    /** The training workload: batch 8, 256 tokens, d 256, 4 heads, causal. */
    static final Workload TRAIN = new Workload(8, 256, 256, 4, true);
    static final Workload QUICK = new Workload(2, 64, 64, 4, true);
    static final List<String> STEPS = List.of("mha", "fast-mha", "block", "fast-block", "fast-stack", "fast-stack-checkpointed");
    /** Blocks in the stack of the {@code fast-stack} steps. */
    static final int STACK = 4;

    /** The Python PyTorch workload a step is compared with: the same module, whichever way the kit trains it. */
    static String comparator(String step) {
        return step.startsWith("fast-") ? step.substring("fast-".length()) : step;
    }

    /** The row name in the results: {@code kit-fast-...-step} for the hand-written steps, {@code kit-samediff-...-step} else. */
    static String rowName(String step) {
        return (step.startsWith("fast-") ? "kit-" : "kit-samediff-") + step + "-step";
    }

    /** The Python PyTorch workloads of {@link #STEPS}, in order, each once. */
    static List<String> comparators() {
        return STEPS.stream().map(TrainingSteps::comparator).distinct().toList();
    }

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

        /** Bytes kept from the forward pass for the backward one, where the step counts them (else NaN). */
        default double retainedBytes() {
            return Double.NaN;
        }

        /** Bytes of every buffer the step holds during the backward pass, where it counts them (else NaN). */
        default double bufferBytes() {
            return Double.NaN;
        }
    }

    /** A hand-derived step ({@code fast-*}): forward, the same loss, backward; the gradients from the module. */
    static class FastStep implements Step {
        private final UnaryOperator<INDArray> forward;
        private final UnaryOperator<INDArray> backward;
        private final Supplier<Map<String, INDArray>> gradients;
        private final String query;
        private final INDArray x;
        private double loss;

        FastStep(UnaryOperator<INDArray> forward, UnaryOperator<INDArray> backward, Supplier<Map<String, INDArray>> gradients,
                 String query, INDArray x) {
            this.forward = forward;
            this.backward = backward;
            this.gradients = gradients;
            this.query = query;
            this.x = x;
        }

        @Override
        public Map<String, INDArray> get() {
            INDArray y = forward.apply(x);
            double norm = y.norm2Number().doubleValue();
            loss = norm * norm / y.length();                           // mean(y²), one reduction
            backward.apply(y.muli(2.0 / y.length()));                 // d mean(y²) / dy
            return gradients.get();
        }

        @Override
        public INDArray queryGradient() {
            return gradients.get().get(query);
        }

        @Override
        public double loss() {
            return loss;
        }
    }

    /** The {@code fast-stack} steps: the first block's query gradient, and the stack's own byte counts. */
    static final class StackStep extends FastStep {
        private final FastTrainableBlockStack stack;

        StackStep(FastTrainableBlockStack stack, INDArray x) {
            super(stack::forward, stack::backward, () -> stack.gradients(0), "attention.W_query.weight", x);
            this.stack = stack;
        }

        @Override
        public double retainedBytes() {
            return stack.retainedActivationBytes();
        }

        @Override
        public double bufferBytes() {
            return stack.bufferBytes();
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

    /** The benchmark's pre-LN block: layer norms at γ = 1, β = 0, the seeded attention and feed-forward. */
    static TransformerBlock block(Workload w, MultiHeadAttention mha) {
        FeedForwardWeights f = FeedForwardWeights.of(w);
        long d = w.dModel(), hidden = 4 * d;
        FeedForward ffn = FeedForward.fromLayers(
            Linear.fromWeights(Nd4j.createFromArray(f.fc1w()).reshape('c', hidden, d), Nd4j.createFromArray(f.fc1b())),
            Linear.fromWeights(Nd4j.createFromArray(f.fc2w()).reshape('c', d, hidden), Nd4j.createFromArray(f.fc2b())));
        return TransformerBlock.of(LayerNorm.of(d), mha, LayerNorm.of(d), ffn);
    }

    static Step build(String name, Workload w) {
        SeededInputs seeded = SeededInputs.of(w, 42);
        Nd4jInputs in = Nd4jInputs.of(seeded);
        MultiHeadAttention mha = MultiHeadAttention.fromWeights(in.wPart(0), in.wPart(1), in.wPart(2), in.wOut(), in.bOut(),
            w.heads(), w.tokens());
        if (name.equals("fast-mha")) {
            FastTrainableMultiHeadAttention fast = FastTrainableMultiHeadAttention.from(mha);
            return new FastStep(x -> fast.forward(x, w.causal()), fast::backward, fast::gradients, "W_query.weight", in.x());
        }
        if (name.equals("fast-block")) {
            FastTrainableTransformerBlock fast = FastTrainableTransformerBlock.from(block(w, mha));
            return new FastStep(fast::forward, fast::backward, fast::gradients, "attention.W_query.weight", in.x());
        }
        if (name.startsWith("fast-stack")) {
            TransformerBlock block = block(w, mha);
            return new StackStep(FastTrainableBlockStack.from(java.util.Collections.nCopies(STACK, block),
                name.equals("fast-stack-checkpointed")), in.x());
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
                y = TrainableTransformerBlock.from(sd, "block", block(w, mha)).attend(x, w.tokens(), w.causal() ? CausalMask.of(w.tokens()) : null)
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
