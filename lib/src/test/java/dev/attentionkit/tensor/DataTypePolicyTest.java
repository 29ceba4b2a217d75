package dev.attentionkit.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.transformer.LayerNorm;
import dev.attentionkit.transformer.LearnedPositionalEmbedding;
import dev.attentionkit.transformer.SinusoidalPositionalEncoding;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("One data-type rule: modules with weights refuse another type, nothing is cast silently")
class DataTypePolicyTest {

    @Test
    @DisplayName("float64 input into float32 modules is refused with both types and the cast to make")
    void mixedTypesAreRefused() {
        INDArray doubles = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
        Map<String, Function<INDArray, INDArray>> modules = Map.of(
            "Linear", Linear.fromWeights(Nd4j.rand(DataType.FLOAT, 5, 4), null)::forward,
            "LayerNorm", LayerNorm.of(4)::forward,
            "LearnedPositionalEmbedding", LearnedPositionalEmbedding.fromSeed(8, 4, 1)::add,
            "MultiHeadAttention", MultiHeadAttention.fromSeed(4, 4, 8, 0, 2, 1).eval()::forward);
        modules.forEach((name, module) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> module.apply(doubles), name);
            assertTrue(e.getMessage().contains("is DOUBLE but the module's weights are FLOAT")
                && e.getMessage().contains("castTo(DataType.FLOAT)") && e.getMessage().contains("[2, 3, 4]"),
                name + ": " + e.getMessage());
        });
    }

    @Test
    @DisplayName("a module built in float64 computes in float64, and gives the float32 module's values")
    void float64ModulesComputeInFloat64() {
        LayerNorm floats = LayerNorm.fromWeights(Nd4j.createFromArray(1f, 2f, 0.5f, -1f), Nd4j.createFromArray(0f, 1f, 0f, 0.5f), 1e-5);
        LayerNorm doubles = LayerNorm.fromWeights(floats.gamma().castTo(DataType.DOUBLE), floats.beta().castTo(DataType.DOUBLE), 1e-5);
        INDArray x = Nd4j.createFromArray(new float[][] {{1, 2, 3, 5}, {-2, 0, 0.5f, 4}});
        INDArray y64 = doubles.forward(x.castTo(DataType.DOUBLE));
        assertEquals(DataType.DOUBLE, y64.dataType());
        INDArray y32 = floats.forward(x);
        assertEquals(DataType.FLOAT, y32.dataType());
        assertTrue(y64.castTo(DataType.FLOAT).equalsWithEps(y32, 1e-5), y64 + " vs " + y32);
    }

    @Test
    @DisplayName("operations without weights keep their input's type")
    void parameterFreeOperationsKeepTheInputType() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 3, 4);
        assertEquals(DataType.DOUBLE, Softmax.lastAxis(x).dataType());
        assertEquals(DataType.DOUBLE, SinusoidalPositionalEncoding.add(x).dataType());
    }
}
