package dev.attentionkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.CausalAttention;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.score.AdditiveScore;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The twins take their variables from the plain modules' named parameters (state_dict names), one each, and write
 * trained values back by the same names.
 */
@DisplayName("Trainable twins: variables from named parameters")
class TrainableParametersTest {

    /** The graph's trainable variables, by name (SameDiff lists them in an order of its own). */
    private static Set<String> variableNames(SameDiff sd) {
        return sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
            .map(SDVariable::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> prefixed(String prefix, Map<String, INDArray> named) {
        return named.keySet().stream().map(n -> prefix + "." + n).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    @DisplayName("each twin's graph holds exactly one variable per plain parameter, named prefix.state_dict name")
    void oneVariablePerParameter() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 4, 6, 0.0, 2, true, 1);
        SameDiff sd = SameDiff.create();
        TrainableMultiHeadAttention twin = TrainableMultiHeadAttention.from(sd, "mha", mha);
        assertEquals(prefixed("mha", mha.parameters()), variableNames(sd));
        assertEquals(mha.parameters().keySet(), twin.parameters().names());

        TransformerBlock block = TransformerBlock.fromSeed(4, 2, 8, 6, 2);
        SameDiff sd2 = SameDiff.create();
        TrainableTransformerBlock blockTwin = TrainableTransformerBlock.from(sd2, "block", block);
        assertEquals(prefixed("block", block.parameters()), variableNames(sd2));
        assertEquals(List.copyOf(block.parameters().keySet()), List.copyOf(blockTwin.parameters().names()));

        AdditiveScore score = AdditiveScore.fromSeed(3, 4, 5, 3);
        SameDiff sd3 = SameDiff.create();
        TrainableAdditiveScore.from(sd3, "attention", score);
        assertEquals(new TreeSet<>(List.of("attention.wQ.weight", "attention.wK.weight", "attention.v")), variableNames(sd3));
    }

    @Test
    @DisplayName("a block's parameter count is the sum over its named parameters")
    void blockParameterCount() {
        TransformerBlock block = TransformerBlock.fromSeed(4, 2, 8, 6, 2);
        long sum = block.parameters().values().stream().mapToLong(INDArray::length).sum();
        assertEquals(block.parameterCount(), sum);
        assertTrue(block.parameters().keySet().containsAll(List.of("ln1.weight", "attention.W_query.weight",
            "attention.out_proj.bias", "ln2.bias", "ffn.fc2.bias")), block.parameters().keySet().toString());
    }

    @Test
    @DisplayName("variables start as copies; copyInto writes trained values into the module's live arrays by name")
    void copyIntoByName() {
        CausalAttention plain = CausalAttention.fromSeed(3, 4, 6, 0.0, true, 5);
        INDArray before = plain.query().weight().dup();
        SameDiff sd = SameDiff.create();
        TrainableCausalAttention twin = TrainableCausalAttention.from(sd, "causal", plain);
        SDVariable wq = twin.parameters().variable("W_query.weight");
        assertNotSame(plain.query().weight(), wq.getArr(), "the variable is a copy");
        wq.getArr().addi(1.0);
        twin.parameters().variable("W_key.bias").getArr().muli(-1.0);
        assertEquals(before, plain.query().weight(), "training the twin leaves the plain module alone");

        INDArray trainedKeyBias = twin.parameters().variable("W_key.bias").getArr().dup();
        CausalAttention same = twin.copyInto(plain);
        assertSame(plain, same);
        assertEquals(before.add(1.0), plain.query().weight());
        assertEquals(trainedKeyBias, plain.key().bias().orElseThrow());
        assertEquals(plain.query().weight(), twin.toPlain().query().weight(), "toPlain agrees with copyInto");

        TransformerBlock block = TransformerBlock.fromSeed(4, 2, 8, 6, 2);
        SameDiff sd2 = SameDiff.create();
        TrainableTransformerBlock blockTwin = TrainableTransformerBlock.from(sd2, "block", block);
        blockTwin.parameters().variable("ffn.fc1.bias").getArr().addi(0.5);
        INDArray expected = blockTwin.parameters().variable("ffn.fc1.bias").getArr().dup();
        blockTwin.copyInto(block);
        assertEquals(expected, block.ffn().fc1().bias().orElseThrow());
    }

    @Test
    @DisplayName("unknown names and mismatched modules are refused with messages naming them")
    void badInput() {
        CausalAttention plain = CausalAttention.fromSeed(3, 4, 6, 0.0, false, 5);
        TrainableCausalAttention twin = TrainableCausalAttention.from(SameDiff.create(), "causal", plain);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> twin.parameters().variable("W_query.bias"));
        assertTrue(unknown.getMessage().contains("W_query.bias") && unknown.getMessage().contains("W_query.weight"),
            unknown.getMessage());

        CausalAttention withBias = CausalAttention.fromSeed(3, 4, 6, 0.0, true, 5);
        IllegalArgumentException names = assertThrows(IllegalArgumentException.class, () -> twin.copyInto(withBias));
        assertTrue(names.getMessage().contains("W_query.bias"), names.getMessage());

        CausalAttention wider = CausalAttention.fromSeed(3, 5, 6, 0.0, false, 5);
        INDArray untouched = wider.query().weight().dup();
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class, () -> twin.copyInto(wider));
        assertTrue(shapes.getMessage().contains("causal.W_query.weight"), shapes.getMessage());
        assertEquals(untouched, wider.query().weight(), "nothing written when a shape differs");

        assertThrows(IllegalArgumentException.class, () -> TrainableParameters.of(SameDiff.create(), "none", Map.of()));
    }
}
