package dev.attentionkit.pretrained;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a {@code .safetensors} file, the format Hugging Face models ship their weights in:
 *
 * <pre>
 * 8 bytes   N, the header's length, unsigned little-endian
 * N bytes   a JSON object: name → {"dtype": "F32", "shape": [out, in], "data_offsets": [begin, end]}
 *           (plus an optional "__metadata__" object of strings)
 * the rest  the tensors' bytes, row-major, little-endian; offsets count from the end of the header
 * </pre>
 *
 * F64, F32, F16 and BF16 tensors are read; other types, overlapping or out-of-file offsets, and byte counts
 * that disagree with the shape are errors naming the tensor. The file is memory-mapped, so opening it costs
 * nothing until a tensor is read.
 */
public final class SafeTensors {
    /** One entry of the header. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long elements() {
            return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape);
        }
    }

    private static final Map<String, Integer> BYTES = Map.of("F64", 8, "F32", 4, "F16", 2, "BF16", 2);

    private final Path path;
    private final ByteBuffer data;          // the bytes after the header, little-endian
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path path, ByteBuffer data, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and checks the header of {@code path}; no tensor is read yet. */
    public static SafeTensors open(Path path) {
        MappedByteBuffer all;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new TensorFormatException(path + ": " + size + " bytes, too short for a safetensors file "
                    + "(it starts with an 8-byte header length)");
            }
            if (size > Integer.MAX_VALUE) {
                throw new TensorFormatException(path + ": files over 2 GiB are not supported");
            }
            all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw new TensorFormatException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
        all.order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = all.getLong(0);
        if (headerLength < 2 || headerLength > all.capacity() - 8L) {
            throw new TensorFormatException(String.format("%s: header length %d does not fit a file of %d bytes "
                + "(truncated, or not a safetensors file)", path, headerLength, all.capacity()));
        }
        byte[] header = new byte[(int) headerLength];
        all.get(8, header);
        Object json;
        try {
            json = Json.parse(new String(header, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException(path + ": the header is not valid JSON: " + e.getMessage(), e);
        }
        ByteBuffer data = all.slice(8 + (int) headerLength, all.capacity() - 8 - (int) headerLength)
            .order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Json.object(json, path + ": header").entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                Json.object(e.getValue(), path + ": __metadata__").forEach((k, v) -> metadata.put(k, String.valueOf(v)));
                continue;
            }
            entries.put(e.getKey(), entry(path, e.getKey(), e.getValue(), data.capacity()));
        }
        return new SafeTensors(path, data, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static Entry entry(Path path, String name, Object value, long dataBytes) {
        String where = path + ": tensor '" + name + "'";
        Map<String, Object> info = Json.object(value, where);
        if (!(info.get("dtype") instanceof String dtype)) {
            throw new TensorFormatException(where + " has no \"dtype\"");
        }
        if (!(info.get("shape") instanceof List<?> shapeList) || !(info.get("data_offsets") instanceof List<?> offsets)
                || offsets.size() != 2) {
            throw new TensorFormatException(where + " needs \"shape\" and two \"data_offsets\"");
        }
        long[] shape = new long[shapeList.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long n) || n < 0) {
                throw new TensorFormatException(where + ": shape " + shapeList + " is not a list of sizes");
            }
            shape[i] = n;
        }
        if (!(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw new TensorFormatException(where + ": data_offsets " + offsets + " are not integers");
        }
        Entry entry = new Entry(name, dtype, shape, begin, end);
        if (begin < 0 || end < begin || end > dataBytes) {
            throw new TensorFormatException(String.format("%s: bytes %d..%d lie outside the %d data bytes of the "
                + "file (truncated?)", where, begin, end, dataBytes));
        }
        Integer width = BYTES.get(dtype);
        if (width != null && (end - begin) != entry.elements() * width) {
            throw new TensorFormatException(String.format("%s: shape %s of %s needs %d bytes, data_offsets give %d",
                where, Arrays.toString(shape), dtype, entry.elements() * width, end - begin));
        }
        return entry;
    }

    /** The tensors' names, in the header's order. */
    public Set<String> names() {
        return entries.keySet();
    }

    /** The header entry of {@code name}. */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new TensorFormatException(path + ": no tensor named '" + name + "' (it has " + entries.size()
                + " tensors, e.g. " + entries.keySet().stream().limit(3).toList() + ")");
        }
        return e;
    }

    /** The {@code __metadata__} strings (empty if the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public Path path() {
        return path;
    }

    /**
     * The tensor {@code name} as an array of {@code type} (FLOAT or DOUBLE), in its stored shape.
     *
     * @throws TensorFormatException if the tensor is missing or of a type this reader does not know
     */
    public INDArray tensor(String name, DataType type) {
        Entry e = entry(name);
        int width = BYTES.getOrDefault(e.dtype(), 0);
        if (width == 0) {
            throw new TensorFormatException(path + ": tensor '" + name + "' has dtype " + e.dtype()
                + "; this reader knows " + BYTES.keySet());
        }
        int n = Math.toIntExact(e.elements());
        ByteBuffer b = data.slice((int) e.begin(), (int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = switch (e.dtype()) {
                case "F64" -> b.getDouble(8 * i);
                case "F32" -> b.getFloat(4 * i);
                case "F16" -> HalfFloats.fromFloat16(b.getShort(2 * i));
                default -> HalfFloats.fromBFloat16(b.getShort(2 * i));
            };
        }
        long[] shape = e.shape().length == 0 ? new long[] {1} : e.shape();
        return Nd4j.create(values, shape, 'c').castTo(type);
    }

    /**
     * The tensor {@code name}, checked to have {@code expected} shape.
     *
     * @throws TensorFormatException naming the tensor and both shapes if they differ
     */
    public INDArray tensor(String name, DataType type, long... expected) {
        Entry e = entry(name);
        if (!Arrays.equals(e.shape(), expected)) {
            throw new TensorFormatException(String.format("%s: tensor '%s' has shape %s, the model needs %s",
                path, name, Arrays.toString(e.shape()), Arrays.toString(expected)));
        }
        return tensor(name, type);
    }
}
