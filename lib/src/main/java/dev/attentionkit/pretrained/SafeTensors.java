package dev.attentionkit.pretrained;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
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
 *
 * <p>{@link #write} writes the same format (F32 and F64 tensors, the header padded with spaces to 8 bytes, the
 * tensors back to back as the format requires), so Python's {@code safetensors.torch.load_file} reads what the kit
 * saves; {@code statedict.StateDict} saves and loads a module's named parameters with it.
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

    /** Bytes after the header; the format wants the tensors to fill them exactly, back to back. */
    public long dataBytes() {
        return data.capacity();
    }

    /**
     * Writes {@code tensors} (F32 for float32 arrays, F64 for float64; any shape, row-major) and {@code metadata}
     * to {@code file} without ever leaving a half-written file there: the bytes go to a temporary file in the same
     * directory, which then replaces {@code file} in one atomic rename. If anything fails, {@code file} keeps what
     * it held (or stays absent) and the temporary file is deleted.
     *
     * <p>The header lists the tensors in the map's order; in the data, float64 tensors come first so that every
     * tensor starts at a multiple of its width.
     *
     * @param tensors  name → array, float32 or float64 (other types are refused before anything is written)
     * @param metadata strings for {@code __metadata__} (may be empty)
     * @throws UncheckedIOException if the file cannot be written or moved into place
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, INDArray>> layout = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            DataType type = e.getValue().dataType();
            if (type != DataType.FLOAT && type != DataType.DOUBLE) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is " + type
                    + "; the kit writes FLOAT (F32) and DOUBLE (F64) tensors");
            }
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is the format's own key, not a tensor name");
            }
            layout.add(e);
        }
        layout.sort((a, b) -> Integer.compare(width(b.getValue()), width(a.getValue())));   // stable: F64 first
        Map<String, long[]> offsets = new LinkedHashMap<>();
        long end = 0;
        for (Map.Entry<String, INDArray> e : layout) {
            long bytes = e.getValue().length() * width(e.getValue());
            offsets.put(e.getKey(), new long[] {end, end + bytes});
            end += bytes;
        }
        StringJoiner json = new StringJoiner(",", "{", "}");
        if (!metadata.isEmpty()) {
            StringJoiner strings = new StringJoiner(",", "{", "}");
            metadata.forEach((k, v) -> strings.add(quote(k) + ":" + quote(v)));
            json.add(quote("__metadata__") + ":" + strings);
        }
        tensors.forEach((name, array) -> {
            long[] at = offsets.get(name);
            json.add(quote(name) + ":{\"dtype\":\"" + (width(array) == 8 ? "F64" : "F32") + "\",\"shape\":"
                + Arrays.toString(array.shape()).replace(" ", "") + ",\"data_offsets\":[" + at[0] + "," + at[1] + "]}");
        });
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;             // the data starts on an 8-byte boundary
        if (8L + padded + end > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + ": " + end + " bytes of tensors; files over 2 GiB are not supported");
        }
        ByteBuffer out = ByteBuffer.allocate(8 + padded + (int) end).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Map.Entry<String, INDArray> e : layout) {
            INDArray flat = Nd4j.toFlattened('c', e.getValue());   // row-major, whatever the array's own order
            if (width(flat) == 8) {
                for (double v : flat.toDoubleVector()) {
                    out.putDouble(v);
                }
            } else {
                for (float v : flat.toFloatVector()) {
                    out.putFloat(v);
                }
            }
        }
        replaceAtomically(file, out.array());
    }

    private static int width(INDArray array) {
        return array.dataType() == DataType.DOUBLE ? 8 : 4;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** Writes {@code bytes} to a temporary file beside {@code file}, forces them to disk, then renames it over {@code file}. */
    private static void replaceAtomically(Path file, byte[] bytes) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = null;
        try {
            String prefix = "." + target.getFileName() + ".";
            temp = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                // rw-r--r-- (less the umask), as a file written directly would be; createTempFile alone gives rw-------
                ? Files.createTempFile(dir, prefix, ".partial", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-r--r--")))
                : Files.createTempFile(dir, prefix, ".partial");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": could not be saved (" + e + "); "
                + (Files.exists(target) ? "the file there is unchanged" : "nothing was written"), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original error says what went wrong; a left-over temporary file is named after the target
                }
            }
        }
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
