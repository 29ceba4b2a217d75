package dev.attentionkit.grading.runner;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The trusted side of a forwarded call. The graded tests run in this JVM, which holds none of
 * the submission's classes: in their place are generated proxies (same names, same signatures)
 * whose bodies call {@link #callStatic}, {@link #construct} and {@link #callVirtual}. Each call
 * goes to the sandboxed JVM ({@link HostMain}) that runs the submission, and its value comes
 * back as data; every assertion, and so pass/fail, happens here, where the submission's code
 * never runs. If the sandboxed JVM dies (System.exit, out of memory, a crash), the call fails
 * with the reason and the next call starts a fresh one.
 */
public final class Remote {
    private static List<String> command = List.of();
    private static String heap = "?";
    private static Remote current;

    private final Process process;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Map<Long, Object> callbacks = new HashMap<>();
    private final Map<Object, Long> callbackIds = new IdentityHashMap<>();
    private long nextCallback = 1;
    private final Thread stderrReader;

    /** Implemented by every generated proxy: the id of the submission's object it stands for. */
    public interface Proxied {
        /** The handle of the object in the sandboxed JVM. */
        long akHandle();
    }

    /** Marks the proxies' constructor that wraps an existing handle. */
    public static final class Marker {
        private Marker() {
        }
    }

    private static final Marker MARKER = new Marker();

    /** Starts every message from the sandboxed JVM; whatever else the submission writes to its stdout is skipped. */
    static final byte[] MAGIC = {0, 'A', 'K', '-', 'H', 'O', 'S', 'T', 1, 2};
    private static final int MAX_MESSAGE = 256 << 20;
    private static final long MAX_SKIPPED = 256L << 20;
    private final ByteArrayOutputStream skipped = new ByteArrayOutputStream();

    private final Wire.Refs refs = new Wire.Refs() {
        @Override
        public long handleOf(Object o) {
            return o instanceof Proxied p ? p.akHandle() : -1;
        }

        @Override
        public long callbackOf(Object o, Class<?> declared) {
            if (!declared.isInterface()) {
                return -1;
            }
            return callbackIds.computeIfAbsent(o, x -> {
                long id = nextCallback++;
                callbacks.put(id, x);
                return id;
            });
        }

        @Override
        public Object handle(long id, Class<?> expected) throws IOException {
            if (!Proxied.class.isAssignableFrom(expected)) {
                throw new IOException("the submission returned one of its own objects where a " + expected.getName() + " was expected");
            }
            try {
                Constructor<?> c = expected.getDeclaredConstructor(long.class, Marker.class);
                return c.newInstance(id, MARKER);
            } catch (ReflectiveOperationException e) {
                throw new IOException("no proxy for " + expected.getName(), e);
            }
        }

        @Override
        public Object callback(long id, Class<?> expected) throws IOException {
            throw new IOException("the submission cannot pass functions to the graded tests");
        }
    };

    private Remote(Process process) {
        this.process = process;
        this.in = new DataInputStream(new BufferedInputStream(process.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
        stderrReader = new Thread(() -> drain(process.getErrorStream(), stderr), "host-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /** Sets the command that starts the sandboxed JVM (from the grader), and starts one ahead of the first call. */
    static synchronized void configure(List<String> cmd, String heapLimit) {
        command = List.copyOf(cmd);
        heap = heapLimit;
        try {
            current = start();
        } catch (IOException e) {
            current = null; // reported at the first call
        }
    }

    /** Whether calls go to a sandboxed JVM (the grader set one up). */
    static synchronized boolean configured() {
        return !command.isEmpty();
    }

    private static Remote start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("LANG", "C.UTF-8");
        return new Remote(pb.start());
    }

    private static synchronized Remote host() {
        if (command.isEmpty()) {
            throw new IllegalStateException("no sandboxed JVM configured for the submission");
        }
        if (current == null || !current.process.isAlive()) {
            try {
                current = start();
            } catch (IOException e) {
                throw new AssertionError("could not start the JVM for your code: " + e.getMessage());
            }
        }
        return current;
    }

    /** Forwards a static method call {@code owner.name(args)} with JVM descriptor {@code desc}. */
    public static Object callStatic(String owner, String name, String desc, Object[] args) throws Throwable {
        return host().call('S', owner, 0, name, desc, args);
    }

    /** Forwards {@code new owner(args)}; returns the handle of the new object. */
    public static long construct(String owner, String desc, Object[] args) throws Throwable {
        Object h = host().call('N', owner, 0, "<init>", desc, args);
        return (Long) h;
    }

    /** Forwards an instance method call on the object behind {@code handle}. */
    public static Object callVirtual(long handle, String owner, String name, String desc, Object[] args) throws Throwable {
        return host().call('V', owner, handle, name, desc, args);
    }

    private synchronized Object call(char kind, String owner, long handle, String name, String desc, Object[] args)
            throws Throwable {
        ClassLoader loader = Remote.class.getClassLoader();
        List<String> types = Wire.split(desc);
        try {
            out.writeByte('C');
            out.writeByte(kind);
            Wire.writeString(out, owner);
            out.writeLong(handle);
            Wire.writeString(out, name);
            Wire.writeString(out, desc);
            out.writeInt(args.length);
            for (int i = 0; i < args.length; i++) {
                Wire.write(out, args[i], Wire.classOf(types.get(i), loader), refs);
            }
            out.flush();
            return await(kind == 'N' ? null : Wire.classOf(types.get(types.size() - 1), loader), loader);
        } catch (IOException e) {
            throw died(e);
        }
    }

    /** Reads messages until the call's answer, running the tests' callbacks in between. */
    /** The next framed message, skipping (and keeping the end of) anything printed around it. */
    private DataInputStream nextMessage() throws IOException {
        int matched = 0;
        long skippedBytes = 0;
        while (matched < MAGIC.length) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("the submission's JVM closed its output");
            }
            if (b == (MAGIC[matched] & 0xff)) {
                matched++;
                continue;
            }
            for (int i = 0; i < matched; i++) {
                keep(MAGIC[i]);
            }
            matched = b == (MAGIC[0] & 0xff) ? 1 : 0;
            if (matched == 0) {
                keep(b);
            }
            if (++skippedBytes > MAX_SKIPPED) {
                throw new IOException("more than " + (MAX_SKIPPED >> 20) + " MB of raw output between answers");
            }
        }
        int n = in.readInt();
        if (n < 0 || n > MAX_MESSAGE) {
            throw new IOException("message of " + n + " bytes");
        }
        return new DataInputStream(new java.io.ByteArrayInputStream(in.readNBytes(n)));
    }

    private void keep(int b) {
        if (skipped.size() >= 8192) {
            byte[] tail = skipped.toByteArray();
            skipped.reset();
            skipped.write(tail, 4096, tail.length - 4096);
        }
        skipped.write(b);
    }

    private Object await(Class<?> returnType, ClassLoader loader) throws Throwable {
        while (true) {
            DataInputStream in = nextMessage();
            int type = in.readUnsignedByte();
            switch (type) {
                case 'R' -> {
                    System.out.print(Wire.readString(in));
                    if (returnType == null) {
                        int tag = in.readUnsignedByte();
                        if (tag != Wire.HANDLE) {
                            throw new IOException("expected a new object's handle");
                        }
                        return in.readLong();
                    }
                    return Wire.read(in, returnType == void.class ? Object.class : returnType, loader, refs);
                }
                case 'E' -> {
                    System.out.print(Wire.readString(in));
                    throw readThrowable(in, loader);
                }
                case 'B' -> serveCallback(in, loader);
                default -> throw new IOException("the submission's JVM sent " + type + ", not an answer");
            }
        }
    }

    private void serveCallback(DataInputStream in, ClassLoader loader) throws IOException {
        long id = in.readLong();
        String name = Wire.readString(in);
        String desc = Wire.readString(in);
        List<String> types = Wire.split(desc);
        int n = in.readInt();
        if (n != types.size() - 1) {
            throw new IOException("callback argument count");
        }
        Object target = callbacks.get(id);
        if (target == null) {
            throw new IOException("no callback " + id);
        }
        Object[] args = new Object[n];
        Class<?>[] params = new Class<?>[n];
        for (int i = 0; i < n; i++) {
            params[i] = Wire.classOf(types.get(i), loader);
            args[i] = Wire.read(in, params[i], loader, refs);
        }
        Method m = findInterfaceMethod(target.getClass(), name, desc);
        Object result;
        try {
            m.setAccessible(true);
            result = m.invoke(target, args);
        } catch (InvocationTargetException e) {
            out.writeByte('E');
            Wire.writeString(out, e.getCause().getClass().getName());
            Wire.writeString(out, String.valueOf(e.getCause().getMessage()));
            out.flush();
            return;
        } catch (ReflectiveOperationException e) {
            throw new IOException("callback " + name + desc + ": " + e, e);
        }
        out.writeByte('R');
        Wire.write(out, m.getReturnType() == void.class ? null : result, m.getReturnType(), refs);
        out.flush();
    }

    private static Method findInterfaceMethod(Class<?> c, String name, String desc) throws IOException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                for (Method m : i.getMethods()) {
                    if (m.getName().equals(name) && Wire.descriptor(m.getParameterTypes(), m.getReturnType()).equals(desc)) {
                        return m;
                    }
                }
            }
        }
        throw new IOException("the tests' function has no method " + name + desc);
    }

    /**
     * The submission's exception as a throwable of this JVM: the same JDK or kit exception type
     * where there is one with a message constructor (so {@code assertThrows} works), else a
     * {@link RuntimeException} naming it; with the submission's stack frames.
     */
    private static Throwable readThrowable(DataInputStream in, ClassLoader loader) throws IOException {
        String cls = Wire.readString(in);
        String message = Wire.readString(in);
        boolean noMessage = message.equals("\u0000");
        int n = in.readInt();
        if (n < 0 || n > 64) {
            throw new IOException("stack depth " + n);
        }
        StackTraceElement[] st = new StackTraceElement[n];
        for (int i = 0; i < n; i++) {
            st[i] = new StackTraceElement(Wire.readString(in), Wire.readString(in), emptyToNull(Wire.readString(in)), in.readInt());
        }
        Throwable t = null;
        if ((cls.startsWith("java.") || cls.startsWith("org.nd4j.") || cls.startsWith("dev.attentionkit."))
                && !cls.startsWith("dev.attentionkit.exercises.") && !cls.startsWith("dev.attentionkit.grading.")) {
            try {
                Class<?> c = Class.forName(cls, false, loader);
                if (Throwable.class.isAssignableFrom(c)) {
                    t = noMessage ? (Throwable) c.getConstructor().newInstance()
                            : (Throwable) c.getConstructor(String.class).newInstance(message);
                }
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                t = null;
            }
        }
        if (t == null) {
            t = new RuntimeException(cls + (noMessage ? "" : ": " + message));
        }
        t.setStackTrace(st);
        return t;
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    /** The call failed because the sandboxed JVM died or broke the protocol: the reason, as the grader words it. */
    private AssertionError died(IOException e) {
        try {
            process.waitFor(3, TimeUnit.SECONDS);
            stderrReader.join(1000); // the JVM's last words (out of memory?) may still be in the pipe
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        String err;
        synchronized (stderr) {
            err = stderr.toString(StandardCharsets.UTF_8) + skipped.toString(StandardCharsets.UTF_8);
        }
        process.destroyForcibly();
        String why;
        if (err.contains("Terminating due to java.lang.OutOfMemoryError")) {
            why = "ran out of memory (heap limit " + heap + ")";
        } else if (process.isAlive()) {
            why = "your code's JVM broke the protocol: " + e.getMessage();
        } else if (process.exitValue() >= 128) {
            why = "test JVM was killed by signal " + (process.exitValue() - 128) + " (crash, or a resource limit)";
        } else {
            why = "test JVM exited with status " + process.exitValue() + " during this test (System.exit?)";
        }
        AssertionError a = new AssertionError(why);
        a.setStackTrace(new StackTraceElement[0]);
        return a;
    }

    private static void drain(InputStream in, ByteArrayOutputStream sink) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (sink) {
                    if (sink.size() < 16 * 1024) {
                        sink.write(buf, 0, Math.min(n, 16 * 1024 - sink.size()));
                    }
                }
            }
        } catch (IOException e) {
            // the JVM ended
        }
    }
}
