package dev.attentionkit.statedict;

import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.pretrained.SafeTensors;
import dev.attentionkit.pretrained.TensorFormatException;
import dev.attentionkit.tensor.Shapes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Saves a module's named parameters (its PyTorch {@code state_dict}: {@code W_query.weight}, {@code out_proj.bias},
 * {@code ln1.weight}, ...) to one {@code .safetensors} file, and loads them back, by name. It is the kit's
 * {@code safetensors.torch.save_file(model.state_dict(), path)} and {@code model.load_state_dict(load_file(path))}:
 *
 * <pre>
 * StateDict.save(mha, Path.of("mha.safetensors"));                 // any module's parameters(), by name
 *
 * MultiHeadAttention fresh = MultiHeadAttention.fromSeed(config, 0); // the same configuration, any weights
 * StateDict.loadInto(fresh, Path.of("mha.safetensors"));           // now computes what mha computed, bit for bit
 *
 * Map&lt;String, INDArray&gt; w = StateDict.load(Path.of("mha.safetensors"));  // or build it from explicit weights
 * MultiHeadAttention built = MultiHeadAttention.fromWeights(w.get("W_query.weight"), ...);
 * </pre>
 *
 * Any module that names its weights ({@link NamedParameters}) works the same way: every attention module,
 * {@code LayerNorm}, {@code FeedForward}, {@code TransformerBlock}, the scores with weights; the fast modules through
 * their map ({@code StateDict.save(block.parameters(), path)}); and a SameDiff twin's trained values
 * ({@code StateDict.save(twin.parameters().values(), path)}). The file holds weights only: the configuration (heads,
 * context length, eps) is the module's you load into, as in PyTorch.
 *
 * <p><b>Loading checks the whole file before it writes anything</b>, and every failure is a
 * {@link TensorFormatException} that names the file and the problem: not a safetensors file or a corrupt header;
 * a truncated file, or tensors that do not fill the data back to back; a name the module needs that the file lacks,
 * or one the module does not have; a shape that differs (both shapes given); a data type outside the kit's rule
 * (float32 or float64, the module's own type, never cast silently: see the {@code tensor} package); NaN or
 * infinite values. Either every parameter is written or none is.
 *
 * <p><b>Saving never loses a file</b>: the bytes go to a temporary file in the same directory, which replaces the
 * old file in one atomic rename; a save that fails (NaN in the weights, an unwritable directory) leaves the old file
 * as it was.
 */
public final class StateDict {
    /** What Python's {@code safetensors.torch.save_file} writes, so tools that check it accept the kit's files. */
    private static final Map<String, String> METADATA = Map.of("format", "pt");

    private StateDict() {}

    /**
     * Saves {@code module.parameters()} to {@code file} (see {@link #save(Map, Path)}).
     */
    public static void save(NamedParameters module, Path file) {
        Objects.requireNonNull(module, "module");
        save(module.parameters(), file);
    }

    /**
     * Saves named parameters to {@code file}, replacing it atomically if it exists.
     *
     * @param parameters a module's {@code parameters()} (or a twin's {@code values()}): state_dict name → array,
     *                   all float32 or all float64, every value finite
     * @throws IllegalArgumentException for no parameters, another data type, mixed types or non-finite values
     *                                  (nothing is written)
     * @throws java.io.UncheckedIOException if the file cannot be written (the old one is kept)
     */
    public static void save(Map<String, INDArray> parameters, Path file) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(parameters, "parameters");
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException(file + ": nothing to save, the module has no parameters");
        }
        DataType type = null;
        for (Map.Entry<String, INDArray> e : parameters.entrySet()) {
            String name = e.getKey();
            INDArray array = e.getValue();
            if (name == null || name.isEmpty() || array == null) {
                throw new IllegalArgumentException(file + ": parameter " + name + " has no name or no array");
            }
            if (array.dataType() != DataType.FLOAT && array.dataType() != DataType.DOUBLE) {
                throw new IllegalArgumentException(file + ": parameter '" + name + "' is " + array.dataType()
                    + "; the kit's modules hold FLOAT or DOUBLE weights");
            }
            if (type != null && array.dataType() != type) {
                throw new IllegalArgumentException(file + ": parameter '" + name + "' is " + array.dataType()
                    + " but the ones before it are " + type + "; a module's weights share one type");
            }
            type = array.dataType();
            try {
                Shapes.requireFinite(array, "parameter '" + name + "'");
            } catch (IllegalArgumentException nonFinite) {
                throw new IllegalArgumentException(file + ": not saved, " + nonFinite.getMessage()
                    + " (did training diverge?)", nonFinite);
            }
        }
        SafeTensors.write(file, parameters, METADATA);
    }

    /**
     * The named parameters in {@code file}, as new arrays in the file's order: {@code safetensors.torch.load_file}.
     * Use them with a module's explicit-weights factory ({@code fromWeights}).
     *
     * @return an unmodifiable map, name → array (float32 or float64, one type for all)
     * @throws TensorFormatException if the file is not a complete safetensors file of finite float32 or float64
     *                               tensors of one type
     */
    public static Map<String, INDArray> load(Path file) {
        SafeTensors st = open(file);
        if (st.names().isEmpty()) {
            throw new TensorFormatException(file + ": the file holds no tensors");
        }
        String dtype = null;
        for (String name : st.names()) {
            String d = allowedType(st, name);
            if (dtype != null && !d.equals(dtype)) {
                throw new TensorFormatException(String.format("%s: tensor '%s' is %s but the ones before it are %s; "
                    + "a module's weights share one type", file, name, d, dtype));
            }
            dtype = d;
        }
        DataType type = dtype.equals("F64") ? DataType.DOUBLE : DataType.FLOAT;
        Map<String, INDArray> loaded = new LinkedHashMap<>();
        for (String name : st.names()) {
            loaded.put(name, read(st, name, type));
        }
        return Collections.unmodifiableMap(loaded);
    }

    /**
     * Loads {@code file} into {@code module}'s parameters and checks that the module now holds them (a module whose
     * {@code parameters()} returned copies would otherwise ignore the load); returns {@code module}.
     *
     * @throws TensorFormatException as {@link #loadInto(Map, Path)}; nothing is written then
     */
    public static <M extends NamedParameters> M loadInto(M module, Path file) {
        Objects.requireNonNull(module, "module");
        Map<String, INDArray> written = loadInto(module.parameters(), file);
        Map<String, INDArray> now = module.parameters();
        written.forEach((name, value) -> {
            if (!sameValues(value, now.get(name))) {
                throw new IllegalStateException(module.getClass().getSimpleName() + ".parameters() returned a copy of '"
                    + name + "', so loading could not change the module");
            }
        });
        return module;
    }

    /**
     * Loads {@code file} into live parameters (a module's {@code parameters()}), by name: the file must hold exactly
     * these names, with these shapes and this data type, and finite values. Everything is checked first; then
     * every array is overwritten, or, on any problem, none is.
     *
     * @param parameters name → the module's own arrays, which are written in place
     * @return the values loaded, by name (new arrays, equal to what the module now holds)
     * @throws TensorFormatException naming the file and the first problem: missing or unexpected names (all of
     *                               them), a shape (both shapes), a data type (both types), non-finite values, or a
     *                               truncated or corrupt file
     */
    public static Map<String, INDArray> loadInto(Map<String, INDArray> parameters, Path file) {
        Objects.requireNonNull(parameters, "parameters");
        SafeTensors st = open(file);
        Set<String> missing = new TreeSet<>(parameters.keySet());
        missing.removeAll(st.names());
        Set<String> unexpected = new TreeSet<>(st.names());
        unexpected.removeAll(parameters.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new TensorFormatException(file + ": the names differ from the module's"
                + (missing.isEmpty() ? "" : "; missing from the file: " + missing)
                + (unexpected.isEmpty() ? "" : "; in the file but not in the module: " + unexpected)
                + " (the module has " + parameters.keySet() + ")");
        }
        Map<String, INDArray> loaded = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : parameters.entrySet()) {
            String name = e.getKey();
            INDArray target = e.getValue();
            String dtype = allowedType(st, name);
            DataType type = dtype.equals("F64") ? DataType.DOUBLE : DataType.FLOAT;
            if (type != target.dataType()) {
                throw new TensorFormatException(String.format("%s: tensor '%s' is %s (%s) but the module's is %s, and "
                    + "the kit never casts silently: build the module in %s, or save it in %s", file, name, dtype,
                    type, target.dataType(), type, target.dataType()));
            }
            long[] shape = st.entry(name).shape();
            if (!Arrays.equals(shape, target.shape())) {
                throw new TensorFormatException(String.format("%s: tensor '%s' has shape %s in the file but %s in "
                    + "the module", file, name, Arrays.toString(shape), Shapes.describe(target)));
            }
            loaded.put(name, read(st, name, type));
        }
        parameters.forEach((name, target) -> target.assign(loaded.get(name)));
        return Collections.unmodifiableMap(loaded);
    }

    /** Opens {@code file} and checks that its tensors fill the data back to back, as the format requires. */
    private static SafeTensors open(Path file) {
        Objects.requireNonNull(file, "file");
        SafeTensors st;
        try {
            st = SafeTensors.open(file);
        } catch (TensorFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {   // a header that is JSON but not an object of tensors
            throw new TensorFormatException(file + ": not a safetensors header: " + e.getMessage(), e);
        }
        List<SafeTensors.Entry> byOffset = new ArrayList<>();
        st.names().forEach(name -> byOffset.add(st.entry(name)));
        byOffset.sort(Comparator.comparingLong(SafeTensors.Entry::begin).thenComparingLong(SafeTensors.Entry::end));
        long end = 0;
        for (SafeTensors.Entry e : byOffset) {
            if (e.begin() != end) {
                throw new TensorFormatException(String.format("%s: tensor '%s' starts at byte %d of the data, where "
                    + "%d was expected: tensors overlap or leave a gap (a corrupt header)", file, e.name(), e.begin(), end));
            }
            end = e.end();
        }
        if (end != st.dataBytes()) {
            throw new TensorFormatException(String.format("%s: the tensors take %d bytes but the file holds %d after "
                + "its header (%s)", file, end, st.dataBytes(), end > st.dataBytes() ? "truncated" : "extra bytes at the end"));
        }
        return st;
    }

    /** Exactly the same shape and values (float32 values are exact as doubles). */
    private static boolean sameValues(INDArray a, INDArray b) {
        return b != null && Arrays.equals(a.shape(), b.shape()) && Arrays.equals(
            a.castTo(DataType.DOUBLE).dup('c').reshape(a.length()).toDoubleVector(),
            b.castTo(DataType.DOUBLE).dup('c').reshape(b.length()).toDoubleVector());
    }

    /** The tensor's safetensors type if the kit's rule allows it: F32 or F64. */
    private static String allowedType(SafeTensors st, String name) {
        String dtype = st.entry(name).dtype();
        if (!dtype.equals("F32") && !dtype.equals("F64")) {
            throw new TensorFormatException(String.format("%s: tensor '%s' is %s; the kit's modules compute in "
                + "float32 (F32) or float64 (F64) and cast nothing silently (cast it before saving, in Python "
                + "{k: v.float() for k, v in state_dict.items()})", st.path(), name, dtype));
        }
        return dtype;
    }

    private static INDArray read(SafeTensors st, String name, DataType type) {
        INDArray array = st.tensor(name, type);
        try {
            Shapes.requireFinite(array, "tensor '" + name + "'");
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException(st.path() + ": " + e.getMessage(), e);
        }
        return array;
    }
}
