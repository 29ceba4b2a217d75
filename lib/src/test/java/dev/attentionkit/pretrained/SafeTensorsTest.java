package dev.attentionkit.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private Path mixedFile() throws IOException {
        TestFiles.Bytes data = new TestFiles.Bytes();
        for (float v : new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, -7f}) {
            data.f32(v);                                             // a: F32 [2, 3], bytes 0..24
        }
        // b: F16 [4], bytes 24..32: 1.0, -2.0, 65504 (largest half), 2^-24 (smallest subnormal)
        data.u16(0x3C00).u16(0xC000).u16(0x7BFF).u16(0x0001);
        // c: BF16 [2], bytes 32..36: 1.0 (0x3F80), -0.5 (0xBF00)
        data.u16(0x3F80).u16(0xBF00);
        data.u32(0);                                                 // padding to 8
        data.f64(Math.PI);                                           // d: F64 [1], bytes 40..48
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
            + "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]},"
            + "\"c\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[32,36]},"
            + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[40,48]}}";
        return TestFiles.safetensors(dir, "mixed.safetensors", header, data.toArray());
    }

    @Test
    @DisplayName("F32, F16, BF16 and F64 tensors read back in their shapes, metadata kept")
    void readsEveryType() throws IOException {
        SafeTensors st = SafeTensors.open(mixedFile());
        assertEquals(java.util.List.of("a", "b", "c", "d"), java.util.List.copyOf(st.names()));
        assertEquals("pt", st.metadata().get("format"));
        INDArray a = st.tensor("a", DataType.FLOAT, 2, 3);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, -7f}, a.data().asFloat());
        assertEquals(3.25f, a.getFloat(0, 2));
        assertArrayEquals(new double[] {1.0, -2.0, 65504.0, Math.pow(2, -24)},
            st.tensor("b", DataType.DOUBLE).data().asDouble());
        assertArrayEquals(new double[] {1.0, -0.5}, st.tensor("c", DataType.DOUBLE).data().asDouble());
        assertEquals(Math.PI, st.tensor("d", DataType.DOUBLE).getDouble(0));
    }

    @Test
    @DisplayName("a shape the model does not expect is an error naming the tensor and both shapes")
    void shapeMismatch() throws IOException {
        SafeTensors st = SafeTensors.open(mixedFile());
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> st.tensor("a", DataType.FLOAT, 3, 2));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"),
            e.getMessage());
        e = assertThrows(TensorFormatException.class, () -> st.tensor("missing", DataType.FLOAT));
        assertTrue(e.getMessage().contains("'missing'"), e.getMessage());
    }

    @Test
    @DisplayName("truncated files, bad headers, unknown dtypes and inconsistent offsets are clear errors")
    void badFiles() throws IOException {
        byte[] good = Files.readAllBytes(mixedFile());
        // Cut inside the header, and inside the data.
        for (int cut : new int[] {0, 5, 8, 40, good.length - 4}) {
            Path p = dir.resolve("cut" + cut);
            Files.write(p, Arrays.copyOf(good, cut));
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> SafeTensors.open(p), "cut at " + cut);
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            if (cut == good.length - 4) {
                assertTrue(e.getMessage().contains("'d'") && e.getMessage().contains("truncated"), e.getMessage());
            }
        }
        Path badJson = TestFiles.safetensors(dir, "json", "{\"a\":{\"dtype\":", new byte[0]);
        assertTrue(assertThrows(TensorFormatException.class, () -> SafeTensors.open(badJson)).getMessage().contains("JSON"));
        Path wrongBytes = TestFiles.safetensors(dir, "bytes",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        String m = assertThrows(TensorFormatException.class, () -> SafeTensors.open(wrongBytes)).getMessage();
        assertTrue(m.contains("'w'") && m.contains("12 bytes"), m);
        Path int8 = TestFiles.safetensors(dir, "int8",
            "{\"q\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]);
        SafeTensors st = SafeTensors.open(int8);
        m = assertThrows(TensorFormatException.class, () -> st.tensor("q", DataType.FLOAT)).getMessage();
        assertTrue(m.contains("'q'") && m.contains("I8"), m);
    }

    @Test
    @DisplayName("write: the format's layout (header padded with spaces to 8 bytes, F64 first, back to back), read back exactly")
    void writes() throws IOException {
        java.util.Map<String, INDArray> tensors = new java.util.LinkedHashMap<>();
        tensors.put("w", org.nd4j.linalg.factory.Nd4j.createFromArray(new float[][] {{1.5f, -2f, 3.25f}, {0f, 1e-3f, -7f}}));
        tensors.put("d", org.nd4j.linalg.factory.Nd4j.createFromArray(Math.PI, -Math.E));
        tensors.put("t", tensors.get("w").transpose());                 // an 'f'-ordered view: written row-major
        Path p = dir.resolve("written.safetensors");
        SafeTensors.write(p, tensors, java.util.Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(p);
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "the data starts on an 8-byte boundary");
        String header = new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],"
            + "\"data_offsets\":[16,40]}"), header);
        assertTrue(header.contains("\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}"), header);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("]}}") && header.substring(json.length()).chars().allMatch(c -> c == ' ')
            && header.length() - json.length() < 8, "the JSON, then fewer than 8 spaces: [" + header + "]");
        SafeTensors st = SafeTensors.open(p);
        assertEquals(java.util.List.of("w", "d", "t"), java.util.List.copyOf(st.names()));
        assertEquals(8L * 2 + 4 * 6 + 4 * 6, st.dataBytes());
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, -7f}, st.tensor("w", DataType.FLOAT).data().asFloat());
        assertArrayEquals(new float[] {1.5f, 0f, -2f, 1e-3f, 3.25f, -7f}, st.tensor("t", DataType.FLOAT, 3, 2).data().asFloat());
        assertArrayEquals(new double[] {Math.PI, -Math.E}, st.tensor("d", DataType.DOUBLE).data().asDouble());
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("ints"),
            java.util.Map.of("i", org.nd4j.linalg.factory.Nd4j.createFromArray(1, 2)), java.util.Map.of()));
        assertTrue(Files.notExists(dir.resolve("ints")));
    }

    @Test
    @DisplayName("MiniLM's model.safetensors: 103 float tensors (as Python's json module counts them) with BERT's shapes")
    void realMiniLm() {
        Assumptions.assumeTrue(ModelFiles.present(ModelFiles.MINILM, "model.safetensors"), "run ./kit models");
        SafeTensors st = SafeTensors.open(ModelFiles.require(ModelFiles.MINILM, "model.safetensors"));
        long floats = st.names().stream().filter(n -> st.entry(n).dtype().equals("F32")).count();
        // 5 embedding tensors + 6 layers × 16 + the pooler's 2 = 103 F32, plus position_ids (I64)
        assertEquals(5 + 6 * 16 + 2, floats);
        assertEquals("I64", st.entry("embeddings.position_ids").dtype());
        assertArrayEquals(new long[] {30522, 384}, st.entry("embeddings.word_embeddings.weight").shape());
        assertArrayEquals(new long[] {1536, 384}, st.entry("encoder.layer.5.intermediate.dense.weight").shape());
    }
}
