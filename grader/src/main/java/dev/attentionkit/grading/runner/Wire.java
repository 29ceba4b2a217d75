package dev.attentionkit.grading.runner;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Values passed between the trusted JVM that runs the graded tests and the sandboxed JVM that
 * hosts the submission: primitives, strings, arrays, lists, ND4J arrays (by value: type, shape,
 * numbers), the kit's records and modules (by value, see {@link KitModules}), objects of the submission (by handle) and the tests' lambdas (by callback id). The
 * reader trusts nothing it reads: sizes are bounded and only these shapes of data are built, so
 * the sandboxed side can send wrong answers but nothing that runs code in the trusted JVM.
 */
public final class Wire {
    static final int NULL = 0;
    static final int BOOLEAN = 1;
    static final int BYTE = 2;
    static final int CHAR = 3;
    static final int SHORT = 4;
    static final int INT = 5;
    static final int LONG = 6;
    static final int FLOAT = 7;
    static final int DOUBLE = 8;
    static final int STRING = 9;
    static final int ARRAY = 10;
    static final int LIST = 11;
    static final int NDARRAY = 12;
    static final int HANDLE = 13;
    static final int CALLBACK = 14;
    static final int RECORD = 15;
    static final int MODULE = 16;
    static final int GRAPHVAR = 17;
    static final int GRAPH = 18;

    private static final int MAX_STRING = 16 << 20;
    private static final int MAX_LENGTH = 1 << 26;
    private static final int MAX_RANK = 32;

    private Wire() {
    }

    /** How one side turns its references into ids and back. */
    interface Refs {
        /** The handle id of {@code o} if it is an object living on the submission's side, else -1. */
        long handleOf(Object o);

        /** The callback id of {@code o} (registering it) if it should stay on this side and be called back, else -1. */
        long callbackOf(Object o, Class<?> declared);

        /** The local stand-in for the submission's object {@code id}. */
        Object handle(long id, Class<?> expected) throws IOException;

        /** The local stand-in for the other side's callback {@code id}, of interface {@code expected}. */
        Object callback(long id, Class<?> expected) throws IOException;
    }

    /** Writes {@code o}, declared as {@code declared}. */
    static void write(DataOutputStream out, Object o, Class<?> declared, Refs refs) throws IOException {
        if (o == null) {
            out.writeByte(NULL);
            return;
        }
        long h = refs.handleOf(o);
        if (h >= 0) {
            out.writeByte(HANDLE);
            out.writeLong(h);
            return;
        }
        if (o instanceof Boolean b) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(b);
        } else if (o instanceof Byte b) {
            out.writeByte(BYTE);
            out.writeByte(b);
        } else if (o instanceof Character c) {
            out.writeByte(CHAR);
            out.writeChar(c);
        } else if (o instanceof Short s) {
            out.writeByte(SHORT);
            out.writeShort(s);
        } else if (o instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (o instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (o instanceof Float f) {
            out.writeByte(FLOAT);
            out.writeFloat(f);
        } else if (o instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (o instanceof String s) {
            out.writeByte(STRING);
            writeString(out, s);
        } else if (o.getClass().isArray()) {
            out.writeByte(ARRAY);
            Class<?> component = o.getClass().getComponentType();
            writeString(out, descriptor(component));
            int n = Array.getLength(o);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                write(out, Array.get(o, i), component, refs);
            }
        } else if (o instanceof INDArray a) {
            out.writeByte(NDARRAY);
            writeString(out, a.dataType().name());
            long[] shape = a.shape();
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            double[] data = a.length() == 0 ? new double[0] : a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            out.writeInt(data.length);
            for (double d : data) {
                out.writeDouble(d);
            }
        } else if (o instanceof org.nd4j.autodiff.samediff.SDVariable v) {
            // SameDiff graphs (exercise 7.4): variables by value, the submission's graph as a list of operations.
            Graphs.write(out, v, refs);
        } else if (KitModules.handles(o)) {
            // The kit's modules (exercises 2.2 and 4.3): by what they are built from, rebuilt by the kit's factories.
            out.writeByte(MODULE);
            KitModules.write(out, o, refs);
        } else if (isKitRecord(o.getClass())) {
            // The kit's records (AttentionOutput, OnlineSoftmax.State): by value, component by component.
            out.writeByte(RECORD);
            writeString(out, o.getClass().getName());
            java.lang.reflect.RecordComponent[] rc = o.getClass().getRecordComponents();
            out.writeInt(rc.length);
            for (java.lang.reflect.RecordComponent c : rc) {
                try {
                    write(out, c.getAccessor().invoke(o), c.getType(), refs);
                } catch (ReflectiveOperationException e) {
                    throw new IOException("cannot read " + c, e);
                }
            }
        } else if (o instanceof List<?> list) {
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object e : list) {
                write(out, e, Object.class, refs);
            }
        } else {
            long cb = refs.callbackOf(o, declared);
            if (cb < 0) {
                throw new IOException("a " + o.getClass().getName() + " cannot be passed between the graded tests and the submission");
            }
            out.writeByte(CALLBACK);
            out.writeLong(cb);
        }
    }

    /** Reads a value for a place declared as {@code expected}. */
    static Object read(DataInputStream in, Class<?> expected, ClassLoader loader, Refs refs) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case NULL -> {
                if (expected.isPrimitive()) {
                    throw new IOException("null for a " + expected);
                }
                yield null;
            }
            case BOOLEAN -> in.readBoolean();
            case BYTE -> in.readByte();
            case CHAR -> in.readChar();
            case SHORT -> in.readShort();
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case FLOAT -> in.readFloat();
            case DOUBLE -> in.readDouble();
            case STRING -> readString(in);
            case ARRAY -> {
                Class<?> component = classOf(readString(in), loader);
                int n = in.readInt();
                if (n < 0 || n > MAX_LENGTH) {
                    throw new IOException("array length " + n);
                }
                Object array = Array.newInstance(component, n);
                for (int i = 0; i < n; i++) {
                    Array.set(array, i, read(in, component, loader, refs));
                }
                yield array;
            }
            case LIST -> {
                int n = in.readInt();
                if (n < 0 || n > MAX_LENGTH) {
                    throw new IOException("list length " + n);
                }
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    list.add(read(in, Object.class, loader, refs));
                }
                yield list;
            }
            case NDARRAY -> readArray(in);
            case RECORD -> readRecord(in, loader, refs);
            case MODULE -> KitModules.read(in, loader, refs);
            case GRAPHVAR, GRAPH -> Graphs.read(in, tag, loader, refs);
            case HANDLE -> refs.handle(in.readLong(), expected);
            case CALLBACK -> refs.callback(in.readLong(), expected);
            default -> throw new IOException("unknown value tag " + tag);
        };
    }

    /** Whether internal name {@code n} is one of the kit's modules sent by value ({@link KitModules}). */
    public static boolean isKitModule(String n) {
        return KitModules.INTERNAL_NAMES.contains(n) || n.equals(Graphs.SDVARIABLE);
    }

    /** A record of the kit (never of the submission): its class is trusted code, built from data by its canonical constructor. */
    static boolean isKitRecord(Class<?> c) {
        return c.isRecord() && c.getName().startsWith("dev.attentionkit.") && !c.getName().startsWith("dev.attentionkit.exercises.")
                && !c.getName().startsWith("dev.attentionkit.grading.");
    }

    private static Object readRecord(DataInputStream in, ClassLoader loader, Refs refs) throws IOException {
        String name = readString(in);
        Class<?> c;
        try {
            c = Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IOException("unknown record " + name, e);
        }
        if (!isKitRecord(c)) {
            throw new IOException(name + " is not one of the kit's records");
        }
        java.lang.reflect.RecordComponent[] rc = c.getRecordComponents();
        if (in.readInt() != rc.length) {
            throw new IOException("component count of " + name);
        }
        Class<?>[] types = new Class<?>[rc.length];
        Object[] values = new Object[rc.length];
        for (int i = 0; i < rc.length; i++) {
            types[i] = rc[i].getType();
            values[i] = read(in, types[i], loader, refs);
        }
        try {
            return c.getDeclaredConstructor(types).newInstance(values);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IOException("the submission's " + c.getSimpleName() + " is invalid: " + e.getCause().getMessage(), e);
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot build " + name, e);
        }
    }

    private static INDArray readArray(DataInputStream in) throws IOException {
        DataType type;
        try {
            type = DataType.valueOf(readString(in));
        } catch (IllegalArgumentException e) {
            throw new IOException("unknown data type", e);
        }
        int rank = in.readInt();
        if (rank < 0 || rank > MAX_RANK) {
            throw new IOException("rank " + rank);
        }
        long[] shape = new long[rank];
        long length = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readLong();
            if (shape[i] < 0 || shape[i] > MAX_LENGTH) {
                throw new IOException("dimension " + shape[i]);
            }
            length *= shape[i];
            if (length > MAX_LENGTH) {
                throw new IOException("array too large");
            }
        }
        int n = in.readInt();
        if (n != length) {
            throw new IOException(n + " numbers for shape of length " + length);
        }
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
            data[i] = in.readDouble();
        }
        if (n == 0) {
            return Nd4j.create(type, shape);
        }
        INDArray a = rank == 0 ? Nd4j.scalar(data[0]) : Nd4j.createFromArray(data).reshape('c', shape);
        return a.castTo(type);
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_STRING) {
            throw new IOException("string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** The JVM descriptor of {@code c}. */
    static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (c == int.class) {
            return "I";
        } else if (c == long.class) {
            return "J";
        } else if (c == double.class) {
            return "D";
        } else if (c == float.class) {
            return "F";
        } else if (c == boolean.class) {
            return "Z";
        } else if (c == byte.class) {
            return "B";
        } else if (c == char.class) {
            return "C";
        } else if (c == short.class) {
            return "S";
        } else if (c == void.class) {
            return "V";
        }
        return "L" + c.getName().replace('.', '/') + ";";
    }

    /** The class for JVM descriptor {@code d}, not initialised. */
    static Class<?> classOf(String d, ClassLoader loader) throws IOException {
        switch (d) {
            case "I": return int.class;
            case "J": return long.class;
            case "D": return double.class;
            case "F": return float.class;
            case "Z": return boolean.class;
            case "B": return byte.class;
            case "C": return char.class;
            case "S": return short.class;
            case "V": return void.class;
            default:
        }
        try {
            if (d.startsWith("[")) {
                return Class.forName(d.replace('/', '.'), false, loader);
            }
            if (d.startsWith("L") && d.endsWith(";")) {
                return Class.forName(d.substring(1, d.length() - 1).replace('/', '.'), false, loader);
            }
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IOException("unknown type " + d, e);
        }
        throw new IOException("bad descriptor " + d);
    }

    /** The parameter descriptors and the return descriptor (last) of method descriptor {@code desc}. */
    static List<String> split(String desc) {
        List<String> parts = new ArrayList<>();
        int i = 1;
        while (desc.charAt(i) != ')') {
            int start = i;
            while (desc.charAt(i) == '[') {
                i++;
            }
            if (desc.charAt(i) == 'L') {
                i = desc.indexOf(';', i);
            }
            i++;
            parts.add(desc.substring(start, i));
        }
        parts.add(desc.substring(i + 1));
        return parts;
    }

    /** The descriptor of a method or constructor's parameters and return type. */
    static String descriptor(Class<?>[] params, Class<?> ret) {
        StringBuilder b = new StringBuilder("(");
        for (Class<?> p : params) {
            b.append(descriptor(p));
        }
        return b.append(')').append(descriptor(ret)).toString();
    }
}
