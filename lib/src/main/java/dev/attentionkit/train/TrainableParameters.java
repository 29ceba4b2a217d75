package dev.attentionkit.train;

import dev.attentionkit.tensor.Shapes;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A plain module's named parameters (its PyTorch {@code state_dict}: {@code W_query.weight}, {@code out_proj.bias},
 * ...) as SameDiff variables, one each, named {@code prefix.name}. This is how every {@code Trainable*} twin gets its
 * weights: from the names, never from the module's accessors, so a module with a new parameter needs no new wiring.
 *
 * <p>The variables start as copies (the plain module is not touched while training); {@link #values()} gives the
 * trained values back by the same names and {@link #copyInto(Map)} writes them into any live parameter map
 * (a module's {@code parameters()}), checking that names and shapes agree.
 */
public final class TrainableParameters {
    private final String prefix;
    private final Map<String, SDVariable> variables;   // by state_dict name, in the module's order

    private TrainableParameters(String prefix, Map<String, SDVariable> variables) {
        this.prefix = prefix;
        this.variables = variables;
    }

    /**
     * One variable {@code prefix.name} per entry of {@code named}, initialised from a copy of its array.
     *
     * @param named a module's {@code parameters()}: state_dict name → array (any shape)
     */
    public static TrainableParameters of(SameDiff sd, String prefix, Map<String, INDArray> named) {
        Objects.requireNonNull(sd, "sd");
        Objects.requireNonNull(prefix, "prefix");
        if (named == null || named.isEmpty()) {
            throw new IllegalArgumentException("TrainableParameters " + prefix + ": the module has no parameters");
        }
        Map<String, SDVariable> variables = new LinkedHashMap<>();
        named.forEach((name, array) -> variables.put(name, sd.var(prefix + "." + name, array.dup('c'))));
        return new TrainableParameters(prefix, Collections.unmodifiableMap(variables));
    }

    /**
     * The parameters of a module's parts under the parts' names ({@code ln1.weight}, {@code attention.W_query.weight},
     * ...), ordered as {@code order} (the module's own {@code parameters()} names), which they must cover exactly.
     */
    static TrainableParameters union(String prefix, Map<String, TrainableParameters> parts, Set<String> order) {
        Map<String, SDVariable> all = new LinkedHashMap<>();
        parts.forEach((part, p) -> p.variables.forEach((name, v) -> all.put(part + "." + name, v)));
        if (!all.keySet().equals(order)) {
            throw new IllegalStateException(prefix + ": the parts' parameters " + all.keySet()
                + " are not the module's " + order);
        }
        Map<String, SDVariable> ordered = new LinkedHashMap<>();
        order.forEach(name -> ordered.put(name, all.get(name)));
        return new TrainableParameters(prefix, Collections.unmodifiableMap(ordered));
    }

    /** The variable of one parameter, by its state_dict name ({@code W_query.weight}). */
    public SDVariable variable(String name) {
        SDVariable v = variables.get(name);
        if (v == null) {
            throw new IllegalArgumentException(prefix + " has no parameter " + name + "; it has " + variables.keySet());
        }
        return v;
    }

    /** Whether a parameter of that name exists (an optional bias, say). */
    public boolean has(String name) {
        return variables.containsKey(name);
    }

    /**
     * The linear layer whose parameters are {@code layer.weight} {@code [out, in]} and, if present,
     * {@code layer.bias} {@code [out]}.
     */
    public TrainableLinear linear(String layer) {
        String bias = layer + ".bias";
        return TrainableLinear.of(variable(layer + ".weight"), has(bias) ? variable(bias) : null);
    }

    /** The state_dict names, in the module's order. */
    public Set<String> names() {
        return variables.keySet();
    }

    /** Every variable by state_dict name (the live SameDiff variables). */
    public Map<String, SDVariable> variables() {
        return variables;
    }

    /** The current (trained) values by state_dict name, copied. */
    public Map<String, INDArray> values() {
        Map<String, INDArray> values = new LinkedHashMap<>();
        variables.forEach((name, v) -> values.put(name, v.getArr().dup('c')));
        return values;
    }

    /**
     * Writes the current values into {@code live} (a module's {@code parameters()}, whose arrays are the module's
     * own): the same names and the same shapes, or nothing is written and the error names the difference.
     */
    public void copyInto(Map<String, INDArray> live) {
        if (!live.keySet().equals(variables.keySet())) {
            throw new IllegalArgumentException(prefix + ": the module's parameters are " + live.keySet()
                + ", the twin's are " + variables.keySet());
        }
        live.forEach((name, target) -> {
            INDArray trained = variables.get(name).getArr();
            if (!Arrays.equals(target.shape(), trained.shape())) {
                throw new IllegalArgumentException(prefix + "." + name + " is " + Shapes.describe(trained)
                    + " in the twin but " + Shapes.describe(target) + " in the module");
            }
        });
        live.forEach((name, target) -> target.assign(variables.get(name).getArr()));
    }

    @Override
    public String toString() {
        return "TrainableParameters(" + prefix + ": " + variables.keySet() + ")";
    }
}
