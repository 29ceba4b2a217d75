package dev.attentionkit.grading;

import dev.attentionkit.grading.runner.Remote;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Reads the compiled graded tests (trusted: compiled from the kit's sources) and writes, for every
 * class of the submission they call, a proxy of the same name whose methods forward each call to
 * the sandboxed JVM ({@link Remote}). The graded tests then run in a JVM of their own that holds
 * none of the submission's code, so nothing the submission does can change a verdict.
 *
 * <p>A test class can be judged this way when everything it passes to or gets from the
 * submission is data: primitives, strings, arrays, lists, ND4J arrays, the submission's own
 * objects (by handle) and the tests' lambdas (called back). A test class that passes anything
 * else (kit objects that are neither data nor one of the modules of {@code runner.KitModules}, such as {@code SDVariable}), reads the
 * submission's fields, or takes method references to it, runs as before, inside the sandbox:
 * {@link #inSandbox()} lists them, and the report says so.
 */
final class Proxies {
    private static final String EXERCISES = "dev/attentionkit/exercises/";
    private static final Type REMOTE = Type.getType(Remote.class);
    private static final Type PROXIED = Type.getType(Remote.Proxied.class);
    private static final Type MARKER = Type.getType(Remote.Marker.class);
    private static final Type OBJECT = Type.getType(Object.class);
    private static final Type STRING = Type.getType(String.class);
    private static final String HANDLE_FIELD = "akHandle$";

    /** One member of the submission that a test uses. */
    private record Member(String name, String desc, boolean isStatic) {
    }

    private final Map<String, Set<Member>> owners = new LinkedHashMap<>();
    private final Set<String> inSandbox = new TreeSet<>();

    private Proxies() {
    }

    /**
     * Scans {@code testClasses}; {@code classPath} (the kit's) tells interfaces (callbacks) from
     * classes. Every test class is either judged through proxies or listed in {@link #inSandbox()}.
     */
    static Proxies scan(Path testClasses, List<Path> classPath) {
        Proxies p = new Proxies();
        Set<String> own = new LinkedHashSet<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(testClasses)) {
            for (Path f : s.filter(x -> x.toString().endsWith(".class")).sorted().toList()) {
                String name = testClasses.relativize(f).toString().replace('\\', '/');
                name = name.substring(0, name.length() - ".class".length());
                own.add(name);
                files.put(name, Files.readAllBytes(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (URLClassLoader kit = new URLClassLoader(urls(classPath), ClassLoader.getPlatformClassLoader())) {
            Map<String, Map<String, Set<Member>>> perTop = new LinkedHashMap<>();
            Set<String> bad = new LinkedHashSet<>();
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                String top = e.getKey().contains("$") ? e.getKey().substring(0, e.getKey().indexOf('$')) : e.getKey();
                Map<String, Set<Member>> uses = perTop.computeIfAbsent(top, k -> new LinkedHashMap<>());
                if (!collect(e.getValue(), own, uses, kit)) {
                    bad.add(top);
                }
            }
            for (Map.Entry<String, Map<String, Set<Member>>> e : perTop.entrySet()) {
                if (bad.contains(e.getKey())) {
                    p.inSandbox.add(e.getKey().replace('/', '.'));
                    continue;
                }
                e.getValue().forEach((owner, members) -> p.owners.computeIfAbsent(owner, k -> new LinkedHashSet<>()).addAll(members));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Top-level test classes (binary names) that must run inside the sandbox, as before. */
    Set<String> inSandbox() {
        return inSandbox;
    }

    /** Whether the test class {@code className} (binary name, maybe nested) is judged outside the sandbox. */
    boolean judged(String className) {
        String top = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        return !inSandbox.contains(top);
    }

    /** Writes the proxy classes under {@code dir}. */
    void write(Path dir) {
        try {
            for (Map.Entry<String, Set<Member>> e : owners.entrySet()) {
                Path f = dir.resolve(e.getKey() + ".class");
                Files.createDirectories(f.getParent());
                Files.write(f, proxy(e.getKey(), e.getValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records the submission's members that class file {@code bytes} uses; false if one cannot be forwarded. */
    private static boolean collect(byte[] bytes, Set<String> own, Map<String, Set<Member>> uses, ClassLoader kit) {
        boolean[] ok = {true};
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                if (isSubmission(superName, own)) {
                    ok[0] = false;
                }
                for (String i : interfaces == null ? new String[0] : interfaces) {
                    if (isSubmission(i, own)) {
                        ok[0] = false;
                    }
                }
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                        if (!isSubmission(owner, own) || owner.startsWith("[")) {
                            return;
                        }
                        if (itf || !forwardable(d, own, kit)) {
                            ok[0] = false;
                            return;
                        }
                        uses.computeIfAbsent(owner, k -> new LinkedHashSet<>())
                                .add(new Member(n, d, opcode == Opcodes.INVOKESTATIC));
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        if (isSubmission(type, own)) {
                            uses.computeIfAbsent(type, k -> new LinkedHashSet<>());
                        }
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String n, String d) {
                        if (isSubmission(owner, own)) {
                            ok[0] = false;
                        }
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (refersToSubmission(value, own)) {
                            ok[0] = false;
                        }
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String n, String d, Handle bsm, Object... args) {
                        for (Object a : args) {
                            if (refersToSubmission(a, own)) {
                                ok[0] = false;
                            }
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return ok[0];
    }

    private static boolean refersToSubmission(Object value, Set<String> own) {
        if (value instanceof Type t) {
            return t.getDescriptor().contains("L" + EXERCISES) && !ownOnly(t.getDescriptor(), own);
        }
        if (value instanceof Handle h) {
            return isSubmission(h.getOwner(), own);
        }
        return value instanceof ConstantDynamic;
    }

    private static boolean ownOnly(String descriptor, Set<String> own) {
        for (Type t : descriptor.startsWith("(") ? Type.getArgumentTypes(descriptor) : new Type[] {Type.getType(descriptor)}) {
            Type e = t.getSort() == Type.ARRAY ? t.getElementType() : t;
            if (e.getSort() == Type.OBJECT && isSubmission(e.getInternalName(), own)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSubmission(String internalName, Set<String> own) {
        return internalName != null && internalName.startsWith(EXERCISES) && !own.contains(internalName);
    }

    /** Whether every type in method descriptor {@code d} can cross between the JVMs. */
    private static boolean forwardable(String d, Set<String> own, ClassLoader kit) {
        for (Type t : Type.getArgumentTypes(d)) {
            if (!crosses(t, own, kit, true)) {
                return false;
            }
        }
        return crosses(Type.getReturnType(d), own, kit, false);
    }

    private static boolean crosses(Type t, Set<String> own, ClassLoader kit, boolean argument) {
        if (t.getSort() == Type.ARRAY) {
            return crosses(t.getElementType(), own, kit, false); // arrays of data, never of lambdas
        }
        if (t.getSort() != Type.OBJECT) {
            return true;
        }
        String n = t.getInternalName();
        if (n.equals("java/lang/String") || n.equals("java/util/List") || n.equals("org/nd4j/linalg/api/ndarray/INDArray")
                || isSubmission(n, own)) {
            return true;
        }
        if (dev.attentionkit.grading.runner.Wire.isKitModule(n) || isKitRecord(t, own, kit, 0)) {
            return true;
        }
        return argument && isCallback(t, own, kit);
    }

    /** A record of the kit whose components all cross (sent by value, as {@code Wire} does). */
    private static boolean isKitRecord(Type t, Set<String> own, ClassLoader kit, int depth) {
        if (depth > 4 || !t.getInternalName().startsWith("dev/attentionkit/") || isSubmission(t.getInternalName(), own)
                || t.getInternalName().startsWith("dev/attentionkit/grading/")) {
            return false;
        }
        try {
            Class<?> c = Class.forName(t.getClassName(), false, kit);
            if (!c.isRecord()) {
                return false;
            }
            for (java.lang.reflect.RecordComponent rc : c.getRecordComponents()) {
                if (!crosses(Type.getType(rc.getType()), own, kit, false)) {
                    return false;
                }
            }
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** An interface of the JDK or the kit that the tests implement with a lambda. */
    private static boolean isCallback(Type t, Set<String> own, ClassLoader kit) {
        if (t.getSort() != Type.OBJECT || isSubmission(t.getInternalName(), own) || t.getInternalName().equals("java/util/List")) {
            return false;
        }
        try {
            return Class.forName(t.getClassName(), false, kit).isInterface();
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The proxy class for {@code owner}: same name, one forwarding body per member the tests use. */
    private static byte[] proxy(String owner, Set<Member> members) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, owner, null, "java/lang/Object",
                new String[] {PROXIED.getInternalName()});
        cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, HANDLE_FIELD, "J", null, null).visitEnd();
        Type self = Type.getObjectType(owner);

        // Wraps an object that already lives in the sandboxed JVM.
        Method wrap = new Method("<init>", Type.VOID_TYPE, new Type[] {Type.LONG_TYPE, MARKER});
        GeneratorAdapter g = new GeneratorAdapter(Opcodes.ACC_PUBLIC, wrap, null, null, cw);
        g.loadThis();
        g.invokeConstructor(OBJECT, Method.getMethod("void <init> ()"));
        g.loadThis();
        g.loadArg(0);
        g.putField(self, HANDLE_FIELD, Type.LONG_TYPE);
        g.returnValue();
        g.endMethod();

        Method handle = new Method("akHandle", Type.LONG_TYPE, new Type[0]);
        g = new GeneratorAdapter(Opcodes.ACC_PUBLIC, handle, null, null, cw);
        g.loadThis();
        g.getField(self, HANDLE_FIELD, Type.LONG_TYPE);
        g.returnValue();
        g.endMethod();

        for (Member m : members) {
            Method method = new Method(m.name(), m.desc());
            if (m.name().equals("<init>")) {
                g = new GeneratorAdapter(Opcodes.ACC_PUBLIC, method, null, new Type[] {Type.getType(Throwable.class)}, cw);
                g.loadThis();
                g.invokeConstructor(OBJECT, Method.getMethod("void <init> ()"));
                g.loadThis();
                g.push(owner);
                g.push(m.desc());
                g.loadArgArray();
                g.invokeStatic(REMOTE, new Method("construct", Type.LONG_TYPE, new Type[] {STRING, STRING, Type.getType(Object[].class)}));
                g.putField(self, HANDLE_FIELD, Type.LONG_TYPE);
                g.returnValue();
                g.endMethod();
                continue;
            }
            int access = Opcodes.ACC_PUBLIC | (m.isStatic() ? Opcodes.ACC_STATIC : 0);
            g = new GeneratorAdapter(access, method, null, new Type[] {Type.getType(Throwable.class)}, cw);
            if (m.isStatic()) {
                g.push(owner);
                g.push(m.name());
                g.push(m.desc());
                g.loadArgArray();
                g.invokeStatic(REMOTE, new Method("callStatic", OBJECT, new Type[] {STRING, STRING, STRING, Type.getType(Object[].class)}));
            } else {
                g.loadThis();
                g.getField(self, HANDLE_FIELD, Type.LONG_TYPE);
                g.push(owner);
                g.push(m.name());
                g.push(m.desc());
                g.loadArgArray();
                g.invokeStatic(REMOTE, new Method("callVirtual", OBJECT,
                        new Type[] {Type.LONG_TYPE, STRING, STRING, STRING, Type.getType(Object[].class)}));
            }
            Type ret = method.getReturnType();
            if (ret.getSort() == Type.VOID) {
                g.pop();
            } else {
                g.unbox(ret);
            }
            g.returnValue();
            g.endMethod();
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static URL[] urls(List<Path> classPath) {
        return classPath.stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(e);
            }
        }).toArray(URL[]::new);
    }
}
