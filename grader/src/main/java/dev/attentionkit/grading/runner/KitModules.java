package dev.attentionkit.grading.runner;

import dev.attentionkit.attention.CausalAttention;
import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.attention.MultiHeadAttentionWrapper;
import dev.attentionkit.attention.SelfAttentionV1;
import dev.attentionkit.attention.SelfAttentionV2;
import dev.attentionkit.nn.Dropout;
import dev.attentionkit.nn.Linear;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kit's modules that graded tests hand to the submission or get back from it (exercises 2.2 and 4.3), sent
 * by value: what each is built from (weights, sizes, dropout rate and mode) goes across as data, and the other
 * side rebuilds the module with the kit's own factory. So the judge runs the kit's real {@code forward} on the
 * weights the submission chose, never the submission's code; the host gets a module of its own to read.
 * Dropout masks are not carried (each side draws its own), so compare in eval mode or with {@code p = 0}, as
 * the tests do.
 */
final class KitModules {
    /** The modules (internal names) sent this way; exactly these classes, never a subclass. */
    static final Set<String> INTERNAL_NAMES = Set.of(
            "dev/attentionkit/nn/Linear",
            "dev/attentionkit/attention/SelfAttentionV1",
            "dev/attentionkit/attention/SelfAttentionV2",
            "dev/attentionkit/attention/CausalAttention",
            "dev/attentionkit/attention/MultiHeadAttentionWrapper",
            "dev/attentionkit/attention/MultiHeadAttention");

    private static final int MAX_HEADS = 4096;

    private KitModules() {
    }

    /** Whether {@code o} is one of these modules (its exact class). */
    static boolean handles(Object o) {
        return INTERNAL_NAMES.contains(o.getClass().getName().replace('.', '/'));
    }

    static void write(DataOutputStream out, Object o, Wire.Refs refs) throws IOException {
        Wire.writeString(out, o.getClass().getSimpleName());
        if (o instanceof Linear l) {
            array(out, l.weight(), refs);
            array(out, l.bias().orElse(null), refs);
        } else if (o instanceof SelfAttentionV1 m) {
            array(out, m.wQuery(), refs);
            array(out, m.wKey(), refs);
            array(out, m.wValue(), refs);
        } else if (o instanceof SelfAttentionV2 m) {
            write(out, m.query(), refs);
            write(out, m.key(), refs);
            write(out, m.value(), refs);
        } else if (o instanceof CausalAttention m) {
            write(out, m.query(), refs);
            write(out, m.key(), refs);
            write(out, m.value(), refs);
            out.writeLong(m.contextLength());
            out.writeDouble(m.dropout().p());
            out.writeBoolean(m.isTraining());
        } else if (o instanceof MultiHeadAttentionWrapper m) {
            out.writeInt(m.heads().size());
            for (CausalAttention h : m.heads()) {
                write(out, h, refs);
            }
        } else if (o instanceof MultiHeadAttention m) {
            write(out, m.query(), refs);
            write(out, m.key(), refs);
            write(out, m.value(), refs);
            write(out, m.outProj(), refs);
            out.writeInt(m.numHeads());
            out.writeLong(m.contextLength());
            out.writeDouble(m.dropout().p());
            out.writeBoolean(m.isTraining());
            out.writeBoolean(m.isCausal());
        } else {
            throw new IOException("not a kit module: " + o.getClass().getName());
        }
    }

    /** Rebuilds a module with the kit's factories; a module the factories reject is reported as the submission's error. */
    static Object read(DataInputStream in, ClassLoader loader, Wire.Refs refs) throws IOException {
        String kind = Wire.readString(in);
        try {
            return switch (kind) {
                case "Linear" -> {
                    INDArray w = array(in, loader, refs);
                    INDArray b = array(in, loader, refs);
                    if (w == null) {
                        throw new IOException("a Linear without weights");
                    }
                    yield Linear.fromWeights(w, b);
                }
                case "SelfAttentionV1" -> SelfAttentionV1.fromWeights(array(in, loader, refs), array(in, loader, refs),
                        array(in, loader, refs));
                case "SelfAttentionV2" -> SelfAttentionV2.fromLayers(linear(in, loader, refs), linear(in, loader, refs),
                        linear(in, loader, refs));
                case "CausalAttention" -> causal(in, loader, refs);
                case "MultiHeadAttentionWrapper" -> {
                    int n = in.readInt();
                    if (n < 0 || n > MAX_HEADS) {
                        throw new IOException(n + " heads");
                    }
                    List<CausalAttention> heads = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        expect(in, "CausalAttention");
                        heads.add(causal(in, loader, refs));
                    }
                    yield MultiHeadAttentionWrapper.fromHeads(heads);
                }
                case "MultiHeadAttention" -> {
                    Linear q = linear(in, loader, refs);
                    Linear k = linear(in, loader, refs);
                    Linear v = linear(in, loader, refs);
                    Linear out = linear(in, loader, refs);
                    int heads = in.readInt();
                    long context = in.readLong();
                    double p = in.readDouble();
                    boolean training = in.readBoolean();
                    boolean causal = in.readBoolean();
                    MultiHeadAttention m = MultiHeadAttention.fromLayers(q, k, v, out, heads, context, Dropout.of(p, 0));
                    m = causal ? m : m.bidirectional();
                    yield training ? m.train() : m.eval();
                }
                default -> throw new IOException("unknown kit module " + kind);
            };
        } catch (IllegalArgumentException | NullPointerException | IllegalStateException e) {
            throw new IOException("the submission's " + kind + " is invalid: " + e.getMessage(), e);
        }
    }

    private static CausalAttention causal(DataInputStream in, ClassLoader loader, Wire.Refs refs) throws IOException {
        Linear q = linear(in, loader, refs);
        Linear k = linear(in, loader, refs);
        Linear v = linear(in, loader, refs);
        long context = in.readLong();
        double p = in.readDouble();
        boolean training = in.readBoolean();
        CausalAttention m = CausalAttention.fromLayers(q, k, v, context, Dropout.of(p, 0));
        return training ? m.train() : m.eval();
    }

    private static Linear linear(DataInputStream in, ClassLoader loader, Wire.Refs refs) throws IOException {
        expect(in, "Linear");
        return (Linear) read0(in, loader, refs);
    }

    private static Object read0(DataInputStream in, ClassLoader loader, Wire.Refs refs) throws IOException {
        INDArray w = array(in, loader, refs);
        INDArray b = array(in, loader, refs);
        if (w == null) {
            throw new IOException("a Linear without weights");
        }
        return Linear.fromWeights(w, b);
    }

    private static void expect(DataInputStream in, String kind) throws IOException {
        String got = Wire.readString(in);
        if (!got.equals(kind)) {
            throw new IOException("expected a " + kind + ", got " + got);
        }
    }

    private static void array(DataOutputStream out, INDArray a, Wire.Refs refs) throws IOException {
        Wire.write(out, a, INDArray.class, refs);
    }

    private static INDArray array(DataInputStream in, ClassLoader loader, Wire.Refs refs) throws IOException {
        Object o = Wire.read(in, INDArray.class, loader, refs);
        if (o != null && !(o instanceof INDArray)) {
            throw new IOException("expected an array, got " + o.getClass().getName());
        }
        return (INDArray) o;
    }
}
