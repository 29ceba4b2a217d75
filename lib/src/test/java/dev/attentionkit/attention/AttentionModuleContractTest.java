package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.attentionkit.efficient.FastMultiHeadAttention;
import dev.attentionkit.mask.PaddingMask;
import dev.attentionkit.testkit.Seeded;
import dev.attentionkit.testkit.Values;
import dev.attentionkit.transformer.FeedForward;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.TransformerBlock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("One contract for every attention module: self-attention with a mask, weights, train/eval, named parameters")
class AttentionModuleContractTest {

    /** Every public attention module, built small (dIn 4, dOut 4, 2 heads where it has heads). */
    static Stream<Arguments> modules() {
        return Stream.of(
            module("SelfAttentionV1", false, () -> SelfAttentionV1.fromSeed(4, 4, 1), List.of("W_query", "W_key", "W_value")),
            module("SelfAttentionV2", false, () -> SelfAttentionV2.fromSeed(4, 4, true, 2),
                List.of("W_query.weight", "W_query.bias", "W_key.weight", "W_key.bias", "W_value.weight", "W_value.bias")),
            module("CausalAttention", true, () -> CausalAttention.fromSeed(4, 4, 8, 0.5, false, 3),
                List.of("W_query.weight", "W_key.weight", "W_value.weight")),
            module("MultiHeadAttentionWrapper", true, () -> MultiHeadAttentionWrapper.fromSeed(4, 2, 8, 0.5, 2, false, 4),
                List.of("heads.0.W_query.weight", "heads.0.W_key.weight", "heads.0.W_value.weight",
                    "heads.1.W_query.weight", "heads.1.W_key.weight", "heads.1.W_value.weight")),
            module("MultiHeadAttention", true, () -> MultiHeadAttention.fromSeed(4, 4, 8, 0.5, 2, false, 5),
                List.of("W_query.weight", "W_key.weight", "W_value.weight", "out_proj.weight", "out_proj.bias")),
            module("MultiHeadAttention.bidirectional", false, () -> MultiHeadAttention.fromSeed(4, 4, 8, 0.5, 2, true, 6).bidirectional(),
                List.of("W_query.weight", "W_query.bias", "W_key.weight", "W_key.bias", "W_value.weight", "W_value.bias",
                    "out_proj.weight", "out_proj.bias")),
            module("TalkingHeadsAttention", true, () -> TalkingHeadsAttention.fromSeed(
                    AttentionConfig.builder().dIn(4).dOut(4).contextLength(8).dropout(0.5).numHeads(2).build(), 9),
                List.of("W_query.weight", "W_key.weight", "W_value.weight", "pre_softmax_proj", "post_softmax_proj",
                    "out_proj.weight", "out_proj.bias")),
            module("FusedQkvAttention", true, () -> FusedQkvAttention.fromSeed(4, 4, 8, 0.5, 2, false, 7),
                List.of("qkv.weight", "out_proj.weight", "out_proj.bias")),
            module("FastMultiHeadAttention", true, () -> FastMultiHeadAttention.fromSeed(4, 4, 2, true, 8),
                List.of("qkv.weight", "qkv.bias", "out_proj.weight", "out_proj.bias")));
    }

    private static Arguments module(String name, boolean causal, Supplier<AttentionModule> make, List<String> names) {
        return Arguments.of(name, causal, make, names);
    }

    @Test
    @DisplayName("every public class in attention/ and efficient/ named ...Attention(...) implements AttentionModule")
    void everyModuleImplementsTheContract() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.attentionkit.attention", "dev.attentionkit.efficient");
        List<String> modules = classes.stream()
            .filter(c -> c.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC))
            .filter(c -> !c.isInterface() && !c.isRecord() && !c.isNestedClass())
            .filter(c -> c.getSimpleName().matches("(SelfAttentionV\\d|CausalAttention|MultiHeadAttention.*|TalkingHeadsAttention|FusedQkvAttention|FastMultiHeadAttention)"))
            .map(JavaClass::getName).sorted().toList();
        assertEquals(8, modules.size(), "the eight modules of the course: " + modules);
        for (String name : modules) {
            assertTrue(classes.get(name).isAssignableTo(AttentionModule.class), name + " does not implement AttentionModule");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    @DisplayName("parameters are named as PyTorch's state_dict, counted, and live: editing one changes the output")
    void namedLiveParameters(String name, boolean causal, Supplier<AttentionModule> make, List<String> names) {
        AttentionModule m = make.get().eval();
        Map<String, INDArray> parameters = m.parameters();
        assertEquals(names, List.copyOf(parameters.keySet()));
        assertEquals(parameters.values().stream().mapToLong(INDArray::length).sum(), m.parameterCount());
        INDArray x = Seeded.array(11, 2, 5, 4);
        double[] before = Values.flat(m.forward(x));
        INDArray first = parameters.values().iterator().next();
        first.addi(0.5);                                                   // edit the live array in place
        double[] after = Values.flat(m.forward(x));
        assertFalse(java.util.Arrays.equals(before, after), name + ": editing " + names.get(0) + " changed nothing");
        assertSame(first, m.parameters().values().iterator().next(), "the same array, not a copy");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    @DisplayName("self-attention: causal modules hide later keys, the others do not; a mask is combined; weights come back")
    void selfAttentionAndMask(String name, boolean causal, Supplier<AttentionModule> make, List<String> names) {
        AttentionModule m = make.get().eval();
        assertEquals(causal, m.isCausal());
        INDArray x = Seeded.array(12, 2, 5, 4);
        AttentionOutput out = m.attend(x, null);
        assertArrayEquals(new long[] {2, 5, m.dOut()}, out.context().shape());
        assertArrayEquals(Values.flat(m.forward(x)), Values.flat(out.context()), 1e-5, "forward = attend's context");
        double[] w = Values.flat(out.weights());                             // [2, (h,) 5, 5]
        double future = 0;
        for (int r = 0; r < w.length / 25; r++) {
            for (int i = 0; i < 5; i++) {
                for (int j = i + 1; j < 5; j++) {
                    future += w[r * 25 + i * 5 + j];
                }
            }
        }
        if (causal) {
            assertEquals(0.0, future, 0.0, name + " looked ahead");
        } else {
            assertTrue(future > 0.1, name + " should see later tokens, weight on them " + future);
        }
        // Padding: sequence 0 has 3 valid keys, so no query of it may weigh keys 3 and 4.
        double[] padded = Values.flat(m.attend(x, PaddingMask.validLengths(5, 5, 3, 5)).weights());
        int perSequence = padded.length / 2;
        for (int k = 0; k < perSequence; k++) {
            if (k % 5 >= 3) {
                assertEquals(0.0, padded[k], 0.0, name + ": weight on a padded key");
            }
        }
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
            () -> m.attend(x, PaddingMask.validLengths(4, 4, 3, 4)));
        assertTrue(wrong.getMessage().contains("[2, 4, 4]"), name + ": " + wrong.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    @DisplayName("modules start in training mode; train() and eval() return the module and switch the mode")
    void trainAndEval(String name, boolean causal, Supplier<AttentionModule> make, List<String> names) {
        AttentionModule m = make.get();
        assertTrue(m.isTraining(), name + " starts in training mode, as a PyTorch module");
        assertSame(m, m.eval());
        assertFalse(m.isTraining());
        assertSame(m, m.train());
        assertTrue(m.isTraining());
    }

    @Test
    @DisplayName("cross-attention has its own name and is never causal; bidirectional() shares the weights")
    void crossAttentionAndBidirectional() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(4, 4, 8, 0, 2, false, 9);
        INDArray x = Seeded.array(13, 1, 5, 4);
        INDArray crossWeights = mha.crossAttend(x, x, null).weights();
        assertTrue(crossWeights.getDouble(0, 0, 0, 4) > 0, "cross-attention sees every key");
        MultiHeadAttention encoder = mha.bidirectional();
        assertNotSame(mha, encoder);
        assertSame(mha.query().weight(), encoder.query().weight(), "shared, not copied");
        assertArrayEquals(Values.flat(crossWeights), Values.flat(encoder.attend(x).weights()), 0.0);
    }

    @Test
    @DisplayName("FastMultiHeadAttention's readable attend gives its fast forward's output, with weights")
    void fastModuleAttendMatchesForward() {
        FastMultiHeadAttention fast = FastMultiHeadAttention.fromSeed(8, 8, 2, true, 10);
        INDArray x = Seeded.array(14, 2, 7, 8);
        AttentionOutput out = fast.attend(x);
        assertArrayEquals(Values.flat(fast.forward(x)), Values.flat(out.context()), 1e-5);
        assertArrayEquals(new long[] {2, 2, 7, 7}, out.weights().shape());
    }

    @Test
    @DisplayName("TransformerBlock takes any attention module and leaves its train/eval state alone")
    void blockTakesAnyModuleAsIs() {
        CausalAttention decoderAttention = CausalAttention.fromSeed(4, 4, 8, 0.2, false, 15);
        TransformerBlock block = TransformerBlock.of(LayerNorm.of(4), decoderAttention, LayerNorm.of(4),
            FeedForward.fromSeed(4, 8, 16));
        assertTrue(decoderAttention.isTraining(), "of(...) must not call eval() on its argument");
        assertSame(decoderAttention, block.attention());
        decoderAttention.eval();
        AttentionOutput out = block.attend(Seeded.array(17, 1, 5, 4), null);
        assertEquals(0.0, out.weights().getDouble(0, 0, 4), 0.0, "a causal module makes a decoder block");
    }
}
