package dev.attentionkit.pretrained;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a GGUF file, llama.cpp's single-file model format (version 2 or 3), all little-endian:
 *
 * <pre>
 * "GGUF", version u32, tensor count u64, metadata count u64
 * metadata:     key (string), value type u32, value          string = u64 length + UTF-8 bytes
 *               types: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string,
 *                      9 array (element type u32, count u64, elements), 10 u64, 11 i64, 12 f64
 * tensor infos: name (string), dims u32, ne[dims] u64 (ne[0] varies fastest), ggml type u32, offset u64
 * padding to general.alignment (default 32), then the tensor data; offsets count from there
 * </pre>
 *
 * Metadata values become Long (integers), Double (floats), Boolean, String or List (arrays, e.g. the
 * tokenizer's vocabulary and merges). {@link #tensor} dequantises F32, F16, BF16, Q8_0, Q4_0 and Q4_1 and
 * returns the array in PyTorch's axis order, {@code ne} reversed: a weight with {@code ne = [in, out]} comes
 * back {@code [out, in]}, as {@code nn.Linear} stores it.
 */
public final class Gguf {
    /** One tensor's header: name, ggml type number, {@code ne} (innermost first), offset in the data. */
    public record TensorInfo(String name, int typeId, long[] ne, long offset) {
        public long elements() {
            return Arrays.stream(ne).reduce(1, (a, b) -> a * b);
        }

        /** The shape in PyTorch's order (ne reversed). */
        public long[] shape() {
            long[] s = new long[ne.length];
            for (int i = 0; i < ne.length; i++) {
                s[i] = ne[ne.length - 1 - i];
            }
            return s;
        }

        public String typeName() {
            return GgmlType.nameOf(typeId);
        }

        @Override
        public String toString() {
            return name + " " + typeName() + " " + Arrays.toString(shape());
        }
    }

    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32

    private final Path path;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;
    private final ByteBuffer data;

    private Gguf(Path path, int version, Map<String, Object> metadata, Map<String, TensorInfo> tensors,
                 ByteBuffer data) {
        this.path = path;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.data = data;
    }

    /** Opens {@code path} and reads its header, metadata and tensor infos; tensor data are read on demand. */
    public static Gguf open(Path path) {
        ByteBuffer b;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() > Integer.MAX_VALUE) {
                throw new TensorFormatException(path + ": GGUF files over 2 GiB are not supported");
            }
            b = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new TensorFormatException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
        String reading = "the header";
        try {
            if (b.capacity() < 4 || b.getInt(0) != MAGIC) {
                throw new TensorFormatException(path + ": not a GGUF file (it does not start with \"GGUF\")");
            }
            b.position(4);
            int version = b.getInt();
            if (version != 2 && version != 3) {
                throw new TensorFormatException(path + ": GGUF version " + version + "; this reader knows 2 and 3");
            }
            long tensorCount = b.getLong();
            long kvCount = b.getLong();
            if (tensorCount < 0 || kvCount < 0 || tensorCount > b.capacity() || kvCount > b.capacity()) {
                throw new TensorFormatException(path + ": impossible counts (" + tensorCount + " tensors, "
                    + kvCount + " metadata entries): corrupt header");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                reading = "metadata entry " + i;
                String key = string(b, path);
                reading = "metadata '" + key + "'";
                metadata.put(key, value(b, b.getInt(), path, key));
            }
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                reading = "tensor info " + i;
                String name = string(b, path);
                reading = "tensor info of '" + name + "'";
                int dims = b.getInt();
                if (dims < 1 || dims > 4) {
                    throw new TensorFormatException(path + ": tensor '" + name + "' has " + dims + " dimensions (1 to 4 allowed)");
                }
                long[] ne = new long[dims];
                for (int d = 0; d < dims; d++) {
                    ne[d] = b.getLong();
                    if (ne[d] < 0) {
                        throw new TensorFormatException(path + ": tensor '" + name + "' has a negative size");
                    }
                }
                tensors.put(name, new TensorInfo(name, b.getInt(), ne, b.getLong()));
            }
            Object alignValue = metadata.getOrDefault("general.alignment", 32L);
            long alignment = alignValue instanceof Long l ? l : 32;
            if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
                throw new TensorFormatException(path + ": general.alignment " + alignment + " is not a power of two");
            }
            long start = (b.position() + alignment - 1) / alignment * alignment;
            if (start > b.capacity()) {
                throw new TensorFormatException(path + ": truncated before the tensor data");
            }
            ByteBuffer data = b.slice((int) start, b.capacity() - (int) start).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorInfo t : tensors.values()) {
                checkFits(path, t, data.capacity(), alignment);
            }
            return new Gguf(path, version, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors), data);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new TensorFormatException(path + ": truncated while reading " + reading + " (file has "
                + b.capacity() + " bytes)", e);
        }
    }

    private static void checkFits(Path path, TensorInfo t, long dataBytes, long alignment) {
        GgmlType type = GgmlType.byId(t.typeId());
        if (t.offset() % alignment != 0) {
            throw new TensorFormatException(path + ": tensor '" + t.name() + "' starts at offset " + t.offset()
                + ", not a multiple of the alignment " + alignment);
        }
        if (type == null) {
            return; // reported when the tensor is read: the rest of the file stays usable
        }
        if (t.ne()[0] % type.blockSize != 0) {
            throw new TensorFormatException(String.format("%s: tensor '%s' of type %s has rows of %d values, "
                + "not a multiple of its block size %d", path, t.name(), type, t.ne()[0], type.blockSize));
        }
        long end = t.offset() + type.bytesFor(t.elements());
        if (end > dataBytes) {
            throw new TensorFormatException(String.format("%s: tensor '%s' (%s, %s) needs bytes %d..%d of the "
                + "data, which has %d: the file is truncated", path, t.name(), type, Arrays.toString(t.shape()),
                t.offset(), end, dataBytes));
        }
    }

    private static String string(ByteBuffer b, Path path) {
        long n = b.getLong();
        if (n < 0 || n > b.remaining()) {
            throw new TensorFormatException(path + ": a string of " + n + " bytes at byte " + (b.position() - 8)
                + " runs past the end of the file (truncated or corrupt)");
        }
        byte[] bytes = new byte[(int) n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer b, int type, Path path, String key) {
        switch (type) {
            case 0: return (long) (b.get() & 0xFF);
            case 1: return (long) b.get();
            case 2: return (long) (b.getShort() & 0xFFFF);
            case 3: return (long) b.getShort();
            case 4: return b.getInt() & 0xFFFFFFFFL;
            case 5: return (long) b.getInt();
            case 6: return (double) b.getFloat();
            case 7: return b.get() != 0;
            case 8: return string(b, path);
            case 9: {
                int elementType = b.getInt();
                long count = b.getLong();
                if (count < 0 || count > b.remaining()) {
                    throw new TensorFormatException(path + ": metadata '" + key + "' claims " + count
                        + " elements, more than the file holds");
                }
                List<Object> list = new ArrayList<>((int) count);
                for (long i = 0; i < count; i++) {
                    list.add(value(b, elementType, path, key));
                }
                return Collections.unmodifiableList(list);
            }
            case 10: return b.getLong();
            case 11: return b.getLong();
            case 12: return b.getDouble();
            default:
                throw new TensorFormatException(path + ": metadata '" + key + "' has unknown value type " + type);
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    /** Every metadata entry, in file order. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The tensor infos, in file order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** Metadata {@code key}, which must exist. */
    public Object meta(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new TensorFormatException(path + ": no metadata '" + key + "'");
        }
        return v;
    }

    /** An integer metadata entry. */
    public long metaLong(String key) {
        if (!(meta(key) instanceof Long l)) {
            throw new TensorFormatException(path + ": metadata '" + key + "' is " + meta(key) + ", not an integer");
        }
        return l;
    }

    /** A float metadata entry (integers accepted). */
    public double metaDouble(String key) {
        Object v = meta(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new TensorFormatException(path + ": metadata '" + key + "' is " + v + ", not a number");
    }

    /** An array metadata entry whose elements are strings. */
    public List<String> metaStrings(String key) {
        if (!(meta(key) instanceof List<?> list)) {
            throw new TensorFormatException(path + ": metadata '" + key + "' is not an array");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new TensorFormatException(path + ": metadata '" + key + "' is not an array of strings");
            }
            out.add(s);
        }
        return out;
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new TensorFormatException(path + ": no tensor named '" + name + "' (it has " + tensors.size() + ")");
        }
        return t;
    }

    /**
     * The tensor {@code name} dequantised to {@code type} (FLOAT or DOUBLE), shape {@code ne} reversed.
     *
     * @throws TensorFormatException naming the tensor if it is missing or of a type this kit cannot read
     */
    public INDArray tensor(String name, DataType type) {
        TensorInfo t = info(name);
        GgmlType ggml = GgmlType.byId(t.typeId());
        if (ggml == null) {
            throw new TensorFormatException(String.format("%s: tensor '%s' has ggml type %s; this kit dequantises %s",
                path, name, t.typeName(), Arrays.toString(GgmlType.values())));
        }
        int n = Math.toIntExact(t.elements());
        ByteBuffer b = data.slice((int) t.offset(), (int) ggml.bytesFor(n)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = dequantize(ggml, b, n);
        return Nd4j.create(values, t.shape(), 'c').castTo(type);
    }

    /**
     * The tensor {@code name}, checked to have {@code expected} shape (PyTorch order).
     *
     * @throws TensorFormatException naming the tensor and both shapes if they differ
     */
    public INDArray tensor(String name, DataType type, long... expected) {
        TensorInfo t = info(name);
        if (!Arrays.equals(t.shape(), expected)) {
            throw new TensorFormatException(String.format("%s: tensor '%s' has shape %s, the model needs %s",
                path, name, Arrays.toString(t.shape()), Arrays.toString(expected)));
        }
        return tensor(name, type);
    }

    /** Dequantises {@code n} values of {@code type} from {@code b} (positioned at the first block). */
    static float[] dequantize(GgmlType type, ByteBuffer b, int n) {
        float[] out = new float[n];
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getFloat(4 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.fromFloat16(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.fromBFloat16(b.getShort(2 * i));
                }
            }
            case Q8_0 -> {
                for (int block = 0; block < n / 32; block++) {
                    int at = block * 34;
                    float d = HalfFloats.fromFloat16(b.getShort(at));
                    for (int j = 0; j < 32; j++) {
                        out[block * 32 + j] = d * b.get(at + 2 + j);
                    }
                }
            }
            case Q4_0, Q4_1 -> {
                boolean withMin = type == GgmlType.Q4_1;
                int bytes = type.blockBytes;
                int header = withMin ? 4 : 2;
                for (int block = 0; block < n / 32; block++) {
                    int at = block * bytes;
                    float d = HalfFloats.fromFloat16(b.getShort(at));
                    float m = withMin ? HalfFloats.fromFloat16(b.getShort(at + 2)) : 0f;
                    int shift = withMin ? 0 : 8;
                    for (int j = 0; j < 16; j++) {
                        int q = b.get(at + header + j) & 0xFF;
                        out[block * 32 + j] = withMin ? (q & 0x0F) * d + m : ((q & 0x0F) - shift) * d;
                        out[block * 32 + j + 16] = withMin ? (q >>> 4) * d + m : ((q >>> 4) - shift) * d;
                    }
                }
            }
            default -> throw new IllegalStateException(type.toString());
        }
        return out;
    }

    @Override
    public String toString() {
        return "Gguf(" + path.getFileName() + ", version " + version + ", " + metadata.size() + " metadata, "
            + tensors.size() + " tensors)";
    }
}
