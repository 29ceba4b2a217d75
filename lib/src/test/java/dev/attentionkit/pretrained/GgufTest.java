package dev.attentionkit.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class GgufTest {
    @TempDir
    Path dir;

    // Halves used as scales: exact bit patterns of IEEE binary16.
    private static final int HALF_0_5 = 0x3800;   // 0.5
    private static final int HALF_0_25 = 0x3400;  // 0.25
    private static final int HALF_MINUS_1 = 0xBC00; // -1.0

    /** Q8_0, two rows of 32: d = 0.5 and d = 0.25, q_j = j - 16 (row 0) and 3·(j % 5) - 6 (row 1). */
    private static byte[] q8Data() {
        TestFiles.Bytes b = new TestFiles.Bytes();
        b.u16(HALF_0_5);
        for (int j = 0; j < 32; j++) {
            b.u8((j - 16) & 0xFF);
        }
        b.u16(HALF_0_25);
        for (int j = 0; j < 32; j++) {
            b.u8((3 * (j % 5) - 6) & 0xFF);
        }
        return b.toArray();
    }

    /** Q4_1, one row of 32: d = 0.5, m = -1, byte j = low nibble j % 16, high nibble 15 - j. */
    private static byte[] q41Data() {
        TestFiles.Bytes b = new TestFiles.Bytes().u16(HALF_0_5).u16(HALF_MINUS_1);
        for (int j = 0; j < 16; j++) {
            b.u8((j % 16) | ((15 - j) << 4));
        }
        return b.toArray();
    }

    private Path file() throws IOException {
        byte[] f32 = new TestFiles.Bytes().f32(1f).f32(-2f).f32(0.125f).f32(4f).f32(5f).f32(6f).toArray();
        byte[] f16 = new TestFiles.Bytes().u16(0x3C00).u16(0xC000).toArray();
        Path p = dir.resolve("small.gguf");
        Files.write(p, TestFiles.gguf(List.of(
            new TestFiles.GgufTensor("f32", new long[] {3, 2}, 0, f32),
            new TestFiles.GgufTensor("f16", new long[] {2}, 1, f16),
            new TestFiles.GgufTensor("q8", new long[] {32, 2}, 8, q8Data()),
            new TestFiles.GgufTensor("q41", new long[] {32}, 3, q41Data()),
            new TestFiles.GgufTensor("q5k", new long[] {256}, 13, new byte[176]))));
        return p;
    }

    @Test
    @DisplayName("metadata of each kind: strings, integers, floats, string arrays")
    void metadata() throws IOException {
        Gguf g = Gguf.open(file());
        assertEquals(3, g.version());
        assertEquals("test", g.meta("general.architecture"));
        assertEquals(7L, g.metaLong("test.count"));
        assertEquals(0.5, g.metaDouble("test.scale"));
        assertEquals(List.of("a", "bc", "Ġd"), g.metaStrings("tokenizer.ggml.tokens"));
        assertTrue(assertThrows(TensorFormatException.class, () -> g.meta("nope")).getMessage().contains("'nope'"));
    }

    @Test
    @DisplayName("F32 and F16 in PyTorch's axis order (ne reversed)")
    void floats() throws IOException {
        Gguf g = Gguf.open(file());
        INDArray f32 = g.tensor("f32", DataType.FLOAT);
        assertArrayEquals(new long[] {2, 3}, f32.shape());                  // ne = [3, 2]: rows of 3
        assertEquals(0.125f, f32.getFloat(0, 2));
        assertEquals(4f, f32.getFloat(1, 0));
        assertArrayEquals(new float[] {1f, -2f}, g.tensor("f16", DataType.FLOAT).data().asFloat());
    }

    @Test
    @DisplayName("Q8_0: x = d · q for every value of every block")
    void q8() throws IOException {
        INDArray x = Gguf.open(file()).tensor("q8", DataType.DOUBLE, 2, 32);
        for (int j = 0; j < 32; j++) {
            assertEquals(0.5 * (j - 16), x.getDouble(0, j), "row 0, value " + j);
            assertEquals(0.25 * (3 * (j % 5) - 6), x.getDouble(1, j), "row 1, value " + j);
        }
    }

    @Test
    @DisplayName("Q4_1: x = d · q + m, low nibbles are values 0..15 and high nibbles values 16..31")
    void q41() throws IOException {
        INDArray x = Gguf.open(file()).tensor("q41", DataType.DOUBLE);
        for (int j = 0; j < 16; j++) {
            assertEquals(0.5 * j - 1, x.getDouble(j), "value " + j);
            assertEquals(0.5 * (15 - j) - 1, x.getDouble(j + 16), "value " + (j + 16));
        }
    }

    @Test
    @DisplayName("an unknown tensor type is an error naming the tensor and the type; the others stay readable")
    void unknownType() throws IOException {
        Gguf g = Gguf.open(file());
        String m = assertThrows(TensorFormatException.class, () -> g.tensor("q5k", DataType.FLOAT)).getMessage();
        assertTrue(m.contains("'q5k'") && m.contains("Q5_K"), m);
        m = assertThrows(TensorFormatException.class, () -> g.tensor("q8", DataType.FLOAT, 32, 2)).getMessage();
        assertTrue(m.contains("'q8'") && m.contains("[2, 32]") && m.contains("[32, 2]"), m);
    }

    @Test
    @DisplayName("a file cut anywhere, or not a GGUF file at all, is a clear error")
    void truncated() throws IOException {
        byte[] good = Files.readAllBytes(file());
        for (int cut = 0; cut < good.length; cut += 7) {
            Path p = dir.resolve("cut.gguf");
            Files.write(p, Arrays.copyOf(good, cut));
            // The last 204 bytes are q41's 12 bytes of padding, then q5k's 176 and its padding: q5k has a type
            // this kit cannot size, so it is never read.
            boolean tailOnly = cut > good.length - 204;
            if (tailOnly) {
                continue;
            }
            final int at = cut;
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> Gguf.open(p), "cut at " + at);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("not a GGUF"),
                "cut at " + at + ": " + e.getMessage());
        }
        Path other = dir.resolve("other.gguf");
        Files.writeString(other, "GGML is not GGUF");
        assertTrue(assertThrows(TensorFormatException.class, () -> Gguf.open(other)).getMessage().contains("not a GGUF"));
    }

    @Test
    @DisplayName("SmolLM2's GGUF: dequantised Q8_0, Q4_1 and F32 rows equal llama.cpp's gguf package")
    void realSmolLm2() {
        Assumptions.assumeTrue(ModelFiles.present(ModelFiles.SMOLLM2, ModelFiles.SMOLLM2_GGUF), "run ./kit models");
        Gguf g = Gguf.open(ModelFiles.require(ModelFiles.SMOLLM2, ModelFiles.SMOLLM2_GGUF));
        assertEquals("llama", g.meta("general.architecture"));
        assertEquals(30, g.metaLong("llama.block_count"));
        assertEquals(49152, g.metaStrings("tokenizer.ggml.tokens").size());
        SafeTensors golden = SafeTensors.open(Path.of("src/test/resources/dev/attentionkit/pretrained/smollm2-dequantized.safetensors"));
        assertEquals(6, golden.names().size());
        for (String name : golden.names()) {
            INDArray expected = golden.tensor(name, DataType.FLOAT);
            INDArray all = g.tensor(name, DataType.FLOAT);
            INDArray got = expected.rank() == 1 ? all
                : all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, expected.size(0)),
                          org.nd4j.linalg.indexing.NDArrayIndex.all());
            assertArrayEquals(expected.shape(), got.shape(), name);
            assertEquals(0.0, got.sub(expected).amaxNumber().doubleValue(), 0.0, name + " (" + g.info(name).typeName() + ")");
        }
    }
}
