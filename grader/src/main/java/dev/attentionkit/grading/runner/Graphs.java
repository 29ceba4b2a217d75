package dev.attentionkit.grading.runner;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseReduceOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.ScalarOp;

/**
 * SameDiff graphs between the judge and the host (exercise 7.4), as data: a graph cannot cross as an object,
 * so the host describes the graph the submission built, operation by operation, and the judge builds the same
 * operations itself, with SameDiff's own calls, on the test's variables. The test then differentiates, checks
 * gradients and compares with its references on a graph built in the judge: its verdict is the judge's, and a
 * forged answer can only be a graph, which the test then checks like any other.
 *
 * <p>An {@code SDVariable} the test passes goes across as its name and value; the host puts it, as a variable,
 * in a SameDiff of its own (one per call), which is where the submission builds. What the submission returns is
 * described from the inputs back: the test's variables by name, variables and constants it made by value, and
 * these operations: {@code mmul} (with its transpose flags), arithmetic with a number or a variable
 * ({@code add, sub, mul, div, rsub, rdiv}), {@code softmax} on an axis, {@code exp}, {@code sqrt},
 * {@code neg}, {@code transpose}, and {@code sum}/{@code max} over axes. Anything else is refused with its
 * name, as the graded test's message says.
 */
final class Graphs {
    private static final int MAX_NODES = 10_000;
    static final String SDVARIABLE = "org/nd4j/autodiff/samediff/SDVariable";

    /** True in the sandboxed host; set once by {@link HostMain}. */
    static volatile boolean onHost;

    // Judge: the variables of the test's SameDiff sent with the current call, by name.
    private static SameDiff sentFrom;
    private static final Map<String, SDVariable> SENT = new LinkedHashMap<>();
    // Host: the SameDiff of the current call, built from the variables the judge sent.
    private static SameDiff hostGraph;
    private static final java.util.Set<String> inputs = new java.util.HashSet<>();

    private Graphs() {
    }

    /** Writes {@code v}: on the judge an argument (name, value), on the host a result (its graph). */
    static synchronized void write(DataOutputStream out, SDVariable v, Wire.Refs refs) throws IOException {
        if (!onHost) {
            if (v.getVariableType() != VariableType.VARIABLE || v.getArr() == null) {
                throw new IOException("only SameDiff variables with a value (sd.var) can be passed to the submission");
            }
            if (v.getSameDiff() != sentFrom) {
                sentFrom = v.getSameDiff();
                SENT.clear();
            }
            SENT.put(v.name(), v);
            out.writeByte(Wire.GRAPHVAR);
            Wire.writeString(out, v.name());
            Wire.write(out, v.getArr(), INDArray.class, refs);
            return;
        }
        out.writeByte(Wire.GRAPH);
        describe(out, v, refs);
    }

    /** Reads a value written by {@link #write} on the other side. */
    static synchronized SDVariable read(DataInputStream in, int tag, ClassLoader loader, Wire.Refs refs) throws IOException {
        if (tag == Wire.GRAPHVAR) {
            if (!onHost) {
                throw new IOException("a graph variable sent to the judge");
            }
            String name = Wire.readString(in);
            Object value = Wire.read(in, INDArray.class, loader, refs);
            if (!(value instanceof INDArray a)) {
                throw new IOException("a graph variable without a value");
            }
            if (hostGraph == null || hostGraph.hasVariable(name)) {
                hostGraph = SameDiff.create(); // a new call: a graph of its own
                inputs.clear();
            }
            inputs.add(name);
            return hostGraph.var(name, a);
        }
        if (onHost) {
            throw new IOException("a graph sent to the host");
        }
        return rebuild(in, loader, refs);
    }

    /** The host side: the nodes from the call's inputs to {@code result}, in an order where inputs come first. */
    private static void describe(DataOutputStream out, SDVariable result, Wire.Refs refs) throws IOException {
        SameDiff sd = result.getSameDiff();
        if (sd == null || sd != hostGraph) {
            throw new IOException("the result must be built on the SameDiff of the arguments (queries.getSameDiff()),"
                    + " not on a SameDiff of its own");
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        List<SDVariable> order = new ArrayList<>();
        visit(sd, result, index, order);
        out.writeInt(order.size());
        for (SDVariable v : order) {
            VariableType type = v.getVariableType();
            if (type == VariableType.VARIABLE && inputs.contains(v.name())) {
                Wire.writeString(out, "input");
                Wire.writeString(out, v.name());
            } else if (type == VariableType.VARIABLE || type == VariableType.CONSTANT) {
                Wire.writeString(out, type == VariableType.VARIABLE ? "variable" : "constant");
                Wire.write(out, v.getArr(), INDArray.class, refs);
            } else {
                DifferentialFunction op = sd.getVariableOutputOp(v.name());
                String kind = kind(op);
                Wire.writeString(out, kind);
                SDVariable[] args = op.args();
                out.writeInt(args.length);
                for (SDVariable a : args) {
                    out.writeInt(index.get(a.name()));
                }
                switch (kind) {
                    case "mmul" -> {
                        Map<String, Object> p = op.propertiesForFunction();
                        out.writeBoolean(Boolean.TRUE.equals(p.get("transposeA")));
                        out.writeBoolean(Boolean.TRUE.equals(p.get("transposeB")));
                        out.writeBoolean(Boolean.TRUE.equals(p.get("transposeResult")));
                    }
                    case "add_scalar", "sub_scalar", "mul_scalar", "div_scalar", "rsub_scalar", "rdiv_scalar" ->
                            out.writeDouble(((ScalarOp) op).scalar().getDouble(0));
                    case "softmax" -> {
                        long[] i = ((DynamicCustomOp) op).iArgs();
                        out.writeInt(i.length == 0 ? -1 : (int) i[0]);
                    }
                    case "sum", "max" -> {
                        BaseReduceOp r = (BaseReduceOp) op;
                        int[] dims = r.dimensions() == null ? new int[0] : r.dimensions().toIntVector();
                        out.writeBoolean(r.isKeepDims());
                        out.writeInt(dims.length);
                        for (int d : dims) {
                            out.writeInt(d);
                        }
                    }
                    default -> { }
                }
            }
        }
    }

    /** Depth-first from {@code v} to the inputs, so every node's inputs are listed before it. */
    private static void visit(SameDiff sd, SDVariable v, Map<String, Integer> index, List<SDVariable> order) throws IOException {
        if (index.containsKey(v.name())) {
            return;
        }
        if (order.size() > MAX_NODES) {
            throw new IOException("the graph has more than " + MAX_NODES + " nodes");
        }
        if (v.getVariableType() == VariableType.ARRAY) {
            DifferentialFunction op = sd.getVariableOutputOp(v.name());
            if (op == null) {
                throw new IOException("graph value " + v.name() + " comes from no operation");
            }
            kind(op);
            if (op.outputVariables().length != 1) {
                throw new IOException("operation " + op.opName() + " has " + op.outputVariables().length + " outputs");
            }
            for (SDVariable a : op.args()) {
                visit(sd, a, index, order);
            }
        } else if (v.getVariableType() == VariableType.PLACEHOLDER) {
            throw new IOException("the graph uses a placeholder (" + v.name() + "): build it from the variables passed in");
        }
        index.put(v.name(), order.size());
        order.add(v);
    }

    /** The operation's name as the judge rebuilds it; an operation outside the list is refused, by name. */
    private static String kind(DifferentialFunction op) throws IOException {
        String c = op.getClass().getName();
        String kind = switch (c) {
            case "org.nd4j.linalg.api.ops.impl.reduce.Mmul" -> "mmul";
            case "org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd" -> "add_scalar";
            case "org.nd4j.linalg.api.ops.impl.scalar.ScalarSubtraction" -> "sub_scalar";
            case "org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication" -> "mul_scalar";
            case "org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision" -> "div_scalar";
            case "org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction" -> "rsub_scalar";
            case "org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseDivision" -> "rdiv_scalar";
            case "org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp" -> "add";
            case "org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp" -> "sub";
            case "org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp" -> "mul";
            case "org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp" -> "div";
            case "org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax" -> "softmax";
            case "org.nd4j.linalg.api.ops.impl.transforms.strict.Exp" -> "exp";
            case "org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt" -> "sqrt";
            case "org.nd4j.linalg.api.ops.impl.transforms.same.Negative" -> "neg";
            case "org.nd4j.linalg.api.ops.impl.shape.Transpose" -> "transpose";
            case "org.nd4j.linalg.api.ops.impl.reduce.same.Sum" -> "sum";
            case "org.nd4j.linalg.api.ops.impl.reduce.same.Max" -> "max";
            default -> null;
        };
        if (kind == null) {
            throw new IOException("operation " + op.opName() + " (" + op.getClass().getSimpleName() + ") cannot be graded:"
                    + " build the graph from sd.mmul, add/sub/mul/div (by a number or a variable), sd.nn.softmax,"
                    + " sd.math.exp, sd.math.sqrt, neg, sd.transpose, sum and max");
        }
        return kind;
    }

    /** The judge side: the same operations, built with SameDiff's own calls on the test's variables. */
    private static SDVariable rebuild(DataInputStream in, ClassLoader loader, Wire.Refs refs) throws IOException {
        if (sentFrom == null) {
            throw new IOException("a graph came back for a call that passed no graph variables");
        }
        SameDiff sd = sentFrom;
        int n = in.readInt();
        if (n <= 0 || n > MAX_NODES) {
            throw new IOException(n + " graph nodes");
        }
        List<SDVariable> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String kind = Wire.readString(in);
                SDVariable v;
                switch (kind) {
                    case "input" -> {
                        v = SENT.get(Wire.readString(in));
                        if (v == null) {
                            throw new IOException("the graph names an input the test did not pass");
                        }
                    }
                    case "variable", "constant" -> {
                        Object a = Wire.read(in, INDArray.class, loader, refs);
                        if (!(a instanceof INDArray arr)) {
                            throw new IOException("a graph " + kind + " without a value");
                        }
                        v = kind.equals("variable") ? sd.var(arr) : sd.constant(arr);
                    }
                    default -> {
                        int k = in.readInt();
                        if (k < 0 || k > 2) {
                            throw new IOException(kind + " with " + k + " inputs");
                        }
                        SDVariable[] a = new SDVariable[k];
                        for (int j = 0; j < k; j++) {
                            int at = in.readInt();
                            if (at < 0 || at >= nodes.size()) {
                                throw new IOException("graph input " + at + " out of order");
                            }
                            a[j] = nodes.get(at);
                        }
                        v = op(sd, kind, a, in);
                    }
                }
                nodes.add(v);
            }
        } catch (RuntimeException e) {
            throw new IOException("the submission's graph cannot be rebuilt: " + e.getMessage(), e);
        }
        return nodes.get(n - 1);
    }

    private static SDVariable op(SameDiff sd, String kind, SDVariable[] a, DataInputStream in) throws IOException {
        int want = switch (kind) {
            case "mmul", "add", "sub", "mul", "div" -> 2;
            default -> 1;
        };
        if (a.length != want) {
            throw new IOException(kind + " with " + a.length + " inputs");
        }
        return switch (kind) {
            case "mmul" -> sd.mmul(a[0], a[1], in.readBoolean(), in.readBoolean(), in.readBoolean());
            case "add_scalar" -> a[0].add(in.readDouble());
            case "sub_scalar" -> a[0].sub(in.readDouble());
            case "mul_scalar" -> a[0].mul(in.readDouble());
            case "div_scalar" -> a[0].div(in.readDouble());
            case "rsub_scalar" -> a[0].rsub(in.readDouble());
            case "rdiv_scalar" -> a[0].rdiv(in.readDouble());
            case "add" -> a[0].add(a[1]);
            case "sub" -> a[0].sub(a[1]);
            case "mul" -> a[0].mul(a[1]);
            case "div" -> a[0].div(a[1]);
            case "softmax" -> sd.nn.softmax(a[0], in.readInt());
            case "exp" -> sd.math.exp(a[0]);
            case "sqrt" -> sd.math.sqrt(a[0]);
            case "neg" -> a[0].neg();
            case "transpose" -> sd.transpose(a[0]);
            case "sum", "max" -> {
                boolean keep = in.readBoolean();
                int k = in.readInt();
                if (k < 0 || k > 32) {
                    throw new IOException(k + " axes");
                }
                int[] dims = new int[k];
                for (int i = 0; i < k; i++) {
                    dims[i] = in.readInt();
                }
                yield kind.equals("sum") ? a[0].sum(keep, dims) : a[0].max(keep, dims);
            }
            default -> throw new IOException("unknown graph operation " + kind);
        };
    }
}
