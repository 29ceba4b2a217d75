package dev.attentionkit.pretrained;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small safetensors and GGUF files byte by byte, following each format's documentation. */
final class TestFiles {
    private TestFiles() {}

    /** A little-endian byte sink. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            return put(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v));
        }

        Bytes u32(long v) {
            return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v));
        }

        Bytes u64(long v) {
            return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v));
        }

        Bytes f32(float v) {
            return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v));
        }

        Bytes f64(double v) {
            return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v));
        }

        Bytes string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        Bytes raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        Bytes padTo(int alignment) {
            while (out.size() % alignment != 0) {
                out.write(0);
            }
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toArray() {
            return out.toByteArray();
        }

        private Bytes put(ByteBuffer b) {
            out.write(b.array(), 0, b.capacity());
            return this;
        }
    }

    /** A safetensors file from a header text and the data bytes. */
    static Path safetensors(Path dir, String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve(name);
        Files.write(p, new Bytes().u64(h.length).raw(h).raw(data).toArray());
        return p;
    }

    /** One GGUF tensor to write: name, ne (innermost first), ggml type id, raw data bytes. */
    record GgufTensor(String name, long[] ne, int type, byte[] data) {}

    /**
     * A GGUF v3 file: metadata {@code general.architecture = "test"}, {@code test.count = u32 7},
     * {@code test.scale = f32 0.5}, {@code tokenizer.ggml.tokens = ["a", "bc", "Ġd"]}, then the tensors,
     * aligned to 32 bytes.
     */
    static byte[] gguf(List<GgufTensor> tensors) {
        Bytes b = new Bytes().raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(tensors.size()).u64(4);
        b.string("general.architecture").u32(8).string("test");
        b.string("test.count").u32(4).u32(7);
        b.string("test.scale").u32(6).f32(0.5f);
        b.string("tokenizer.ggml.tokens").u32(9).u32(8).u64(3).string("a").string("bc").string("Ġd");
        List<Long> offsets = new ArrayList<>();
        long offset = 0;
        for (GgufTensor t : tensors) {
            offsets.add(offset);
            offset += (t.data().length + 31) / 32 * 32;
        }
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensor t = tensors.get(i);
            b.string(t.name()).u32(t.ne().length);
            for (long n : t.ne()) {
                b.u64(n);
            }
            b.u32(t.type()).u64(offsets.get(i));
        }
        b.padTo(32);
        for (GgufTensor t : tensors) {
            b.raw(t.data()).padTo(32);
        }
        return b.toArray();
    }
}
