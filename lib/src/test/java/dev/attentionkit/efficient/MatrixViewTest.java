package dev.attentionkit.efficient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.testkit.Seeded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

@DisplayName("Matrix products on blocks of arrays, by pointer")
class MatrixViewTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FLOAT", "DOUBLE"})
    @DisplayName("c = alpha·op(a)·op(b) + beta·c on blocks of views (a slice of a 3-D array, column ranges) equals ND4J's mmul, nothing else written")
    void blocksOfViews(String typeName) {
        DataType type = DataType.valueOf(typeName);
        INDArray a3 = Seeded.array(1, 3, 7, 9).castTo(type), b3 = Seeded.array(2, 2, 9, 11).castTo(type);
        INDArray c3 = Seeded.array(3, 3, 6, 12).castTo(type);
        INDArray before = c3.dup();
        INDArray a = a3.get(NDArrayIndex.point(2)), b = b3.get(NDArrayIndex.point(1)), c = c3.get(NDArrayIndex.point(1));
        // op(a) = rows 1..6 of a's columns 2..7, transposed input: aᵀ block [5 x 6] -> use a.block(1,6, 2,8)ᵀ = [6, 5]
        MatrixView av = MatrixView.of(a).block(1, 6, 2, 8);        // [5, 6]
        MatrixView bv = MatrixView.of(b).block(0, 4, 3, 8);        // [4, 5]
        MatrixView cv = MatrixView.of(c).block(1, 5, 4, 10);       // [4, 6]
        // c = 0.5·bv·av + 2·c  ->  [4,5]·[5,6]
        MatrixView.gemm(0.5, bv, false, av, false, 2.0, cv);
        INDArray expected = before.dup();
        INDArray target = expected.get(NDArrayIndex.point(1), NDArrayIndex.interval(1, 5), NDArrayIndex.interval(4, 10));
        INDArray prod = b.get(NDArrayIndex.interval(0, 4), NDArrayIndex.interval(3, 8)).dup()
            .mmul(a.get(NDArrayIndex.interval(1, 6), NDArrayIndex.interval(2, 8)).dup()).muli(0.5);
        target.assign(target.mul(2.0).addi(prod));
        double tol = type == DataType.FLOAT ? 1e-5 : 1e-12;
        assertTrue(c3.equalsWithEps(expected, tol), () -> "max |diff| " + c3.sub(expected).amaxNumber());
        // transposes: cᵀ-shaped product aᵀ·bᵀ on the same blocks: [6,5]·[5,4] into a fresh [6, 4]
        INDArray out = Nd4j.zeros(type, 6, 4);
        MatrixView.gemm(1, av, true, bv, true, 0, MatrixView.of(out));
        INDArray direct = a.get(NDArrayIndex.interval(1, 6), NDArrayIndex.interval(2, 8)).dup().transpose()
            .mmul(b.get(NDArrayIndex.interval(0, 4), NDArrayIndex.interval(3, 8)).dup().transpose());
        assertTrue(out.equalsWithEps(direct, tol), () -> "transposed: max |diff| " + out.sub(direct).amaxNumber());
    }

    @ParameterizedTest(name = "transposed a: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a product in pieces of rows on all cores equals ND4J's mmul; a bad piece size or shape is refused")
    void inPieces(boolean transA) {
        INDArray a = Seeded.array(4, transA ? 40 : 300, transA ? 300 : 40).castTo(DataType.DOUBLE);
        INDArray b = Seeded.array(5, 40, 7).castTo(DataType.DOUBLE);
        INDArray c = Nd4j.zeros(DataType.DOUBLE, 300, 7);
        MatrixView.gemmOnAllCores(1, MatrixView.of(a), transA, MatrixView.of(b), false, 0, MatrixView.of(c), 64);  // 5 pieces, the last 44 rows
        INDArray expected = (transA ? a.transpose() : a).mmul(b);
        assertTrue(c.equalsWithEps(expected, 1e-12), () -> "max |diff| " + c.sub(expected).amaxNumber());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatrixView.gemmOnAllCores(1, MatrixView.of(a),
            !transA, MatrixView.of(b), false, 0, MatrixView.of(c), 64));
        assertTrue(e.getMessage().contains("[300, 7]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MatrixView.gemmOnAllCores(1, MatrixView.of(a), transA, MatrixView.of(b), false, 0,
            MatrixView.of(c), 0));
    }

    @Test
    @DisplayName("copy writes a block of one array into a block of another, nothing else; different shapes are refused")
    void copyBlocks() {
        INDArray from = Seeded.array(6, 5, 9).castTo(DataType.FLOAT), to = Nd4j.zeros(DataType.FLOAT, 4, 6);
        MatrixView.copy(MatrixView.of(from).block(1, 4, 2, 7), MatrixView.of(to).block(0, 3, 1, 6));
        INDArray expected = Nd4j.zeros(DataType.FLOAT, 4, 6);
        expected.get(NDArrayIndex.interval(0, 3), NDArrayIndex.interval(1, 6))
            .assign(from.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 7)));
        assertEquals(expected, to);
        INDArray whole = Nd4j.zeros(DataType.FLOAT, 5, 9);
        MatrixView.copy(MatrixView.of(from), MatrixView.of(whole));                                // contiguous: one memcpy
        assertEquals(from, whole);
        assertThrows(IllegalArgumentException.class, () -> MatrixView.copy(MatrixView.of(from), MatrixView.of(to)));
    }

    @Test
    @DisplayName("mismatched shapes and types are refused with both shapes named")
    void badShapes() {
        MatrixView a = MatrixView.allocate(DataType.FLOAT, 3, 4), b = MatrixView.allocate(DataType.FLOAT, 5, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatrixView.gemm(1, a, false, b, false, 0, a));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[5, 2]"), e.getMessage());
        MatrixView d = MatrixView.allocate(DataType.DOUBLE, 4, 3);
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
            () -> MatrixView.gemm(1, a, false, d, false, 0, MatrixView.allocate(DataType.FLOAT, 3, 3)));
        assertTrue(t.getMessage().contains("DOUBLE"), t.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MatrixView.of(Nd4j.zeros(DataType.FLOAT, 3, 4).transpose()));
        assertEquals(12 * 4, a.bytes());
    }
}
