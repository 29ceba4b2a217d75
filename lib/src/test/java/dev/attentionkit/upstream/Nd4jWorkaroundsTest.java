package dev.attentionkit.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDataFormat;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDirectionMode;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMLayerConfig;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.weights.LSTMLayerWeights;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The ND4J / SameDiff 1.0.0-M2.1 behaviours the kit works around, each pinned by a test (the list, with where
 * each workaround lives, is {@code lib/ND4J-WORKAROUNDS.md}). These tests assert the <em>faulty</em> behaviour:
 * when one fails after an ND4J upgrade, the bug is gone and the workaround it names can be removed.
 */
@DisplayName("ND4J 1.0.0-M2.1 behaviours the kit works around (a failure here means: the workaround can go)")
class Nd4jWorkaroundsTest {

    @Test
    @DisplayName("SDVariable.mean(true, -1) on a rank-3 input is wrong; on [n, d] rows it is right (TrainableLayerNorm)")
    void meanOverTheLastAxisOfRankThreeIsWrong() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2, 3);
        SDVariable direct = x.mean(true, -1);                       // [b, 2, 1]: what a learner would write
        SDVariable byRows = x.reshape(-1, 3).mean(true, 1);         // [b·2, 1]: the kit's workaround
        INDArray input = Nd4j.createFromArray(new float[][][] {{{1, 2, 3}, {4, 5, 9}}, {{-1, 0, 4}, {2, 2, 8}}});
        Map<String, INDArray> out = sd.output(Map.of("x", input), direct.name(), byRows.name());
        float[] expected = {2, 6, 1, 4};
        assertArrayEquals(expected, out.get(byRows.name()).reshape(-1).toFloatVector(), 1e-6f, "the workaround itself");
        float[] wrong = out.get(direct.name()).reshape(-1).toFloatVector();
        assertFalse(java.util.Arrays.equals(expected, wrong),
            "mean(true, -1) on rank 3 is right now: TrainableLayerNorm may reduce over -1 without reshaping to rows");
    }

    @Test
    @DisplayName("training listeners report a loss of 0 (the kit computes its losses with sd.output)")
    void listenersReportALossOfZero() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, 2);
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, 1);
        SDVariable w = sd.var("w", Nd4j.createFromArray(new float[][] {{0.5f}, {-0.25f}}));
        SDVariable loss = sd.loss.meanSquaredError("loss", label, in.mmul(w), null);
        loss.markAsLoss();
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Sgd(0.01))
            .dataSetFeatureMapping("in").dataSetLabelMapping("label").build());
        List<Double> reported = new ArrayList<>();
        sd.addListeners(new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return operation == Operation.TRAINING;
            }

            @Override
            public void iterationDone(SameDiff s, At at, MultiDataSet data, Loss l) {
                reported.add(l.totalLoss());
            }
        });
        INDArray x = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
        INDArray y = Nd4j.createFromArray(new float[][] {{3}, {-1}});
        double computed = sd.output(Map.of("in", x, "label", y), "loss").get("loss").getDouble(0);
        sd.fit(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x}, new INDArray[] {y}));
        assertTrue(computed > 1, "the loss computed with sd.output is the real one: " + computed);
        assertEquals(1, reported.size(), "one iteration, one report");
        assertEquals(0.0, reported.get(0), 0.0, "listeners report the real loss now: Seq2SeqTraining and "
            + "LongRangeClassifier may read it from a listener instead of a second sd.output pass");
    }

    @Test
    @DisplayName("the gradient of strided_slice with a point index fails (the kit selects by a 0/1 mask and a sum)")
    void stridedSliceWithAPointHasNoWorkingGradient() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, 4, 3);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 3));
        SDVariable h = in.reshape(-1, 3).mmul(w).reshape(-1, 4, 3);                   // [b, 4, 3]
        SDVariable last = h.get(SDIndex.all(), SDIndex.point(3), SDIndex.all());      // [b, 3]: the last step
        last.sum("loss").markAsLoss();
        RuntimeException failure = assertThrows(RuntimeException.class,
            () -> sd.calculateGradients(Map.of("in", Nd4j.rand(DataType.FLOAT, 2, 4, 3)), "w"),
            "strided_slice's gradient works now: DateTranslator and LongRangeClassifier may slice again");
        assertTrue(failure.getMessage().contains("strided_slice_bp"), failure.getMessage());
    }

    @Test
    @DisplayName("SameDiff.load cannot read back a graph with an LSTM layer (ModelFile saves the arrays instead)")
    void sameDiffCannotLoadAnLstmGraph(@TempDir Path dir) throws Exception {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 5, 3);
        LSTMLayerWeights weights = LSTMLayerWeights.builder()
            .weights(sd.var("inputWeights", Nd4j.rand(DataType.FLOAT, 3, 16)))
            .rWeights(sd.var("recurrentWeights", Nd4j.rand(DataType.FLOAT, 4, 16)))
            .bias(sd.var("bias", Nd4j.rand(DataType.FLOAT, 16))).build();
        LSTMLayerConfig config = LSTMLayerConfig.builder().lstmdataformat(LSTMDataFormat.NTS)
            .directionMode(LSTMDirectionMode.FWD).retFullSequence(true).retLastH(false).retLastC(false).build();
        sd.rnn.lstmLayer(x, weights, config)[0].sum("loss").markAsLoss();
        File file = dir.resolve("lstm.sd").toFile();
        sd.save(file, false);
        assertTrue(Files.size(file.toPath()) > 0, "save writes a file");
        assertThrows(NullPointerException.class, () -> SameDiff.load(file, false),
            "SameDiff.load reads an LSTM graph back now: ModelFile may use SameDiff's own save/load");
    }
}
