package dev.attentionkit.grading.runner;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandboxed JVM that hosts the submission's classes, and nothing of the graded tests: it
 * runs each call the trusted test JVM forwards ({@link Remote}) and sends back the value, or the
 * exception with its stack, plus what the code printed. It decides nothing: whatever it sends
 * is only the submission's answer, which the graded tests then judge in the trusted JVM.
 */
public final class HostMain {
    private static final int OUTPUT_LIMIT = 16 * 1024;

    private final DataInputStream in;
    private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(message);
    private final DataOutputStream channel;
    private final CappedBuffer capture;
    private final Map<Long, Object> objects = new HashMap<>();
    private final Map<Object, Long> ids = new IdentityHashMap<>();
    private long nextId = 1;
    private final Wire.Refs refs = new Wire.Refs() {
        @Override
        public long handleOf(Object o) {
            if (!isSubmission(o.getClass())) {
                return -1;
            }
            return ids.computeIfAbsent(o, x -> {
                long id = nextId++;
                objects.put(id, x);
                return id;
            });
        }

        @Override
        public long callbackOf(Object o, Class<?> declared) {
            return -1;
        }

        @Override
        public Object handle(long id, Class<?> expected) throws IOException {
            Object o = objects.get(id);
            if (o == null) {
                throw new IOException("no object " + id);
            }
            return o;
        }

        @Override
        public Object callback(long id, Class<?> expected) throws IOException {
            if (!expected.isInterface()) {
                throw new IOException("a callback must be an interface, not " + expected);
            }
            InvocationHandler h = (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                    return switch (method.getName()) {
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        default -> "callback " + id + " (" + expected.getName() + ")";
                    };
                }
                if (method.isDefault()) {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                return callBack(id, method, args == null ? new Object[0] : args);
            };
            return Proxy.newProxyInstance(expected.getClassLoader(), new Class<?>[] {expected}, h);
        }
    };

    private HostMain(DataInputStream in, DataOutputStream channel, CappedBuffer capture) {
        this.in = in;
        this.channel = channel;
        this.capture = capture;
    }

    /**
     * Sends the message built in {@link #out}, framed by {@link Remote#MAGIC} and its length, so that
     * bytes the submission writes to file descriptor 1 itself are skipped by the reader.
     */
    private void send() throws IOException {
        channel.write(Remote.MAGIC);
        channel.writeInt(message.size());
        message.writeTo(channel);
        channel.flush();
        message.reset();
    }

    /** Entry point of the sandboxed JVM. */
    public static void main(String[] args) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in)));
        CappedBuffer capture = new CappedBuffer(OUTPUT_LIMIT);
        PrintStream captured = new PrintStream(capture, true, StandardCharsets.UTF_8);
        System.setOut(captured);
        System.setErr(captured);
        System.setIn(new ByteArrayInputStream(new byte[0]));
        Graphs.onHost = true;
        HostMain host = new HostMain(in, out, capture);
        try {
            while (true) {
                int type = in.readUnsignedByte();
                if (type != 'C') {
                    throw new IOException("expected a call, got " + type);
                }
                host.serveCall();
            }
        } catch (EOFException e) {
            Runtime.getRuntime().halt(0);
        }
        Runtime.getRuntime().halt(0);
    }

    private static boolean isSubmission(Class<?> c) {
        return c.getName().startsWith("dev.attentionkit.exercises.") && c.getClassLoader() == ClassLoader.getSystemClassLoader();
    }

    /** Reads one call (after its 'C'), runs it, replies. */
    private void serveCall() throws IOException {
        char kind = (char) in.readUnsignedByte();
        String owner = Wire.readString(in).replace('/', '.');
        long handle = in.readLong();
        String name = Wire.readString(in);
        String desc = Wire.readString(in);
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        List<String> types = Wire.split(desc);
        int n = in.readInt();
        if (n != types.size() - 1) {
            throw new IOException("argument count " + n + " for " + desc);
        }
        Object[] args = new Object[n];
        for (int i = 0; i < n; i++) {
            args[i] = Wire.read(in, Wire.classOf(types.get(i), loader), loader, refs);
        }
        Object result;
        Class<?> returnType;
        try {
            Class<?> c = Class.forName(owner, true, loader);
            if (!isSubmission(c)) {
                throw new IllegalStateException(owner + " is not a class of the submission");
            }
            Executable e = find(c, kind == 'N' ? "<init>" : name, desc);
            e.setAccessible(true);
            if (e instanceof Constructor<?> ctor) {
                result = ctor.newInstance(args);
                returnType = c;
            } else {
                Method m = (Method) e;
                Object target = kind == 'V' ? refs.handle(handle, c) : null;
                result = m.invoke(target, args);
                returnType = m.getReturnType();
            }
        } catch (InvocationTargetException e) {
            replyException(e.getCause());
            return;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            replyException(e instanceof ExceptionInInitializerError x && x.getCause() != null ? x.getCause() : e);
            return;
        }
        out.writeByte('R');
        Wire.writeString(out, capture.drain());
        Wire.write(out, returnType == void.class ? null : result, returnType, refs);
        send();
    }

    private static Executable find(Class<?> c, String name, String desc) throws NoSuchMethodException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (name.equals("<init>")) {
                for (Constructor<?> ctor : k.getDeclaredConstructors()) {
                    if (Wire.descriptor(ctor.getParameterTypes(), void.class).equals(desc)) {
                        return ctor;
                    }
                }
                break;
            }
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(name) && Wire.descriptor(m.getParameterTypes(), m.getReturnType()).equals(desc)) {
                    return m;
                }
            }
        }
        throw new NoSuchMethodException(c.getName() + "." + name + desc);
    }

    private void replyException(Throwable t) throws IOException {
        out.writeByte('E');
        Wire.writeString(out, capture.drain());
        writeThrowable(out, t);
        send();
    }

    static void writeThrowable(DataOutputStream out, Throwable t) throws IOException {
        Wire.writeString(out, t.getClass().getName());
        String message = String.valueOf(t.getMessage());
        Wire.writeString(out, t.getMessage() == null ? "\u0000" : message.length() > 4000 ? message.substring(0, 4000) : message);
        StackTraceElement[] st = t.getStackTrace();
        int n = Math.min(st.length, 64);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            Wire.writeString(out, st[i].getClassName());
            Wire.writeString(out, st[i].getMethodName());
            Wire.writeString(out, st[i].getFileName() == null ? "" : st[i].getFileName());
            out.writeInt(st[i].getLineNumber());
        }
    }

    /** Calls the tests' lambda {@code id} on the trusted side, serving nested calls until it answers. */
    private Object callBack(long id, Method method, Object[] args) throws Throwable {
        out.writeByte('B');
        out.writeLong(id);
        Wire.writeString(out, method.getName());
        String desc = Wire.descriptor(method.getParameterTypes(), method.getReturnType());
        Wire.writeString(out, desc);
        out.writeInt(args.length);
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < args.length; i++) {
            Wire.write(out, args[i], types[i], refs);
        }
        send();
        while (true) {
            int type = in.readUnsignedByte();
            switch (type) {
                case 'C' -> serveCall();
                case 'R' -> {
                    return Wire.read(in, method.getReturnType(), ClassLoader.getSystemClassLoader(), refs);
                }
                case 'E' -> {
                    String cls = Wire.readString(in);
                    String msg = Wire.readString(in);
                    throw new RuntimeException("the graded test's function failed: " + cls + ": " + msg);
                }
                default -> throw new IOException("unexpected message " + type);
            }
        }
    }
}
