package dev.attentionkit.grading;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * What exercise code may reference, checked on the compiled submission with ASM before any test runs.
 *
 * <p>Three kinds of rule, each violation scoring 0 for the exercises it affects, with the call, file and line:
 * <ul>
 *   <li><b>Everywhere</b>: no reflection, method handles, {@code StackWalker}, {@code Unsafe} or other JDK/ND4J
 *       internals and raw memory, class loading, processes, threads, files, network, {@code javax.tools},
 *       {@code System.exit}/{@code Runtime}, the grader, JUnit or the tests' fixtures ({@code dev.attentionkit.testkit}:
 *       its reference implementations would hand back the expected answers). Of {@code java.lang.invoke} only what javac
 *       emits for lambdas, string concatenation and records is allowed (their {@code invokedynamic} bootstraps).</li>
 *   <li><b>Per exercise</b>: nothing its graded test class lists in {@link MayNotUse} (the kit's own
 *       implementation of the same concept).</li>
 *   <li><b>Declared classes</b>: none in {@code dev.attentionkit.exercises} itself, none named like a graded
 *       test class or helper, like a class of the tests' fixtures ({@code dev.attentionkit.testkit}) or like a
 *       {@code java.lang} type: in the tests' package such a class would replace what the tests call.</li>
 * </ul>
 * An exercise is charged with the code its tests can reach: starting from its test classes, every method they
 * call, and from there every submission method those call (lambdas and method references included, all instance
 * methods of a class once it is instantiated, static initialisers of every class touched). Code no test reaches
 * cannot run (the reflection that could reach it is itself forbidden) and only earns a warning.
 */
final class ReferenceCheck {
    private static final String EXERCISES = "dev/attentionkit/exercises";
    /** The package of the tests' shared fixtures (the {@code testkit} module), which travels on the class path. */
    static final String FIXTURES = "dev/attentionkit/testkit";
    private static final Set<String> ALLOWED_BOOTSTRAPS = Set.of(
            "java/lang/invoke/LambdaMetafactory", "java/lang/invoke/StringConcatFactory", "java/lang/runtime/ObjectMethods");
    /** Package prefixes (ending in '/') and classes (with their nested classes) exercise code may not use, and why. */
    private static final Map<String, String> DENIED = new LinkedHashMap<>();
    private static final Set<String> CLASS_METHODS_ALLOWED = Set.of("getName", "getSimpleName", "getTypeName",
            "desiredAssertionStatus", "toString", "hashCode", "equals", "isInstance", "cast");
    private static final Set<String> SYSTEM_METHODS_DENIED = Set.of("exit", "load", "loadLibrary", "mapLibraryName",
            "setIn", "setOut", "setErr", "setProperty", "setProperties", "clearProperty", "getenv", "getProperties",
            "setSecurityManager", "getSecurityManager", "console", "inheritedChannel", "getLogger");
    /** ND4J methods that read or write files or reach native memory. */
    private static final Pattern ND4J_IO = Pattern.compile("(?i).*(file|npy|numpy|binary|txt|pointer|address|load|save|write|read|serializ).*");

    static {
        deny("reflection", "java/lang/reflect/", "java/beans/", "org/apache/commons/lang3/reflect/",
                "com/google/common/reflect/", "net/bytebuddy/", "org/objenesis/");
        deny("method handles", "java/lang/invoke/");
        deny("stack walking", "java/lang/StackWalker");
        deny("JDK internals or raw memory (Unsafe)", "sun/", "jdk/internal/", "org/bytedeco/", "org/nd4j/nativeblas/");
        deny("class loading", "java/lang/ClassLoader", "java/lang/Module", "java/lang/ModuleLayer",
                "java/util/ServiceLoader", "java/lang/instrument/");
        deny("processes", "java/lang/Process", "java/lang/ProcessBuilder", "java/lang/ProcessHandle",
                "java/lang/Runtime");
        deny("threads", "java/lang/Thread", "java/lang/ThreadGroup", "java/lang/ThreadLocal",
                "java/lang/InheritableThreadLocal", "java/util/concurrent/", "java/util/Timer", "java/lang/ref/");
        deny("files", "java/io/File", "java/io/FileInputStream", "java/io/FileOutputStream", "java/io/FileReader",
                "java/io/FileWriter", "java/io/FileDescriptor", "java/io/RandomAccessFile", "java/io/ObjectInputStream",
                "java/io/ObjectOutputStream", "java/nio/file/", "java/nio/channels/", "org/nd4j/common/io/",
                "org/apache/commons/io/");
        deny("the network", "java/net/", "javax/net/", "jdk/net/", "java/rmi/", "javax/naming/");
        deny("the compiler, scripting or JDK tools", "javax/tools/", "javax/script/", "javax/annotation/processing/",
                "com/sun/", "jdk/");
        deny("JVM management", "java/lang/management/", "javax/management/");
        deny("the grader", "dev/attentionkit/grading/");
        deny("the test framework", "org/junit/", "org/opentest4j/");
        deny("the graded tests' fixtures: their plain-loop references compute the answers the tests expect",
                FIXTURES + "/");
    }

    private static void deny(String why, String... prefixes) {
        for (String p : prefixes) {
            DENIED.put(p, why);
        }
    }

    private ReferenceCheck() {
    }

    /**
     * What the check found.
     *
     * @param byExercise the violations charged to each exercise, by {@link GradedTest#group()}
     * @param warnings   violations in code no graded test reaches (they cost nothing)
     */
    record Result(Map<String, List<String>> byExercise, List<String> warnings) {
        /** The failure reason for {@code test}, or null when its exercise is clean. */
        String reason(GradedTest test) {
            List<String> v = byExercise.get(test.group());
            if (v == null || v.isEmpty()) {
                return null;
            }
            return "scores 0: " + v.get(0) + (v.size() > 1 ? " (and " + (v.size() - 1) + " more)" : "");
        }

        /** Every violation charged to {@code test}'s exercise, one per line. */
        String details(GradedTest test) {
            return String.join("\n", byExercise.getOrDefault(test.group(), List.of()));
        }
    }

    /** One reference made by a method: a call, field, type, method handle or invokedynamic bootstrap. */
    private record Ref(char kind, String owner, String name, int line) {
        static final char CALL = 'c';
        static final char FIELD = 'f';
        static final char TYPE = 't';
        static final char HANDLE = 'h';
        static final char BOOTSTRAP = 'b';
        static final char DYNAMIC = 'd';
    }

    private record Method(String owner, String name, String desc, boolean isStatic, List<Ref> refs) {
        String key() {
            return name + desc;
        }
    }

    private static final class ClassInfo {
        String name;
        String superName;
        final List<String> interfaces = new ArrayList<>();
        String sourceFile;
        final Map<String, Method> methods = new LinkedHashMap<>();
        final List<String> mayNotUse = new ArrayList<>();

        String file() {
            int slash = name.lastIndexOf('/');
            String src = sourceFile != null ? sourceFile : name.substring(slash + 1).split("\\$")[0] + ".java";
            return (slash < 0 ? "" : name.substring(0, slash + 1)) + src;
        }
    }

    /**
     * Checks the submission's classes under {@code studentClasses} against the rules, for the exercises of
     * {@code tests} (compiled under {@code testClasses}); {@code gradedNames} are the simple names of the graded
     * test classes and their helpers, {@code fixtureNames} those of the tests' fixtures ({@link #fixtureNames}).
     */
    static Result check(Path studentClasses, Path testClasses, List<GradedTest> tests, Set<String> gradedNames,
                        Set<String> fixtureNames) {
        Map<String, ClassInfo> student = read(studentClasses);
        Map<String, ClassInfo> graded = read(testClasses);
        Map<String, List<GradedTest>> exercises = new LinkedHashMap<>();
        tests.forEach(t -> exercises.computeIfAbsent(t.group(), g -> new ArrayList<>()).add(t));
        Map<String, Set<String>> found = new LinkedHashMap<>();
        exercises.keySet().forEach(g -> found.put(g, new LinkedHashSet<>()));

        declaredClasses(student, exercises, gradedNames, fixtureNames, found);

        Set<String> charged = new HashSet<>();
        for (Map.Entry<String, List<GradedTest>> e : exercises.entrySet()) {
            List<String> rules = new ArrayList<>();
            List<String> roots = new ArrayList<>();
            for (GradedTest t : e.getValue()) {
                String top = t.className().replace('.', '/').split("\\$")[0];
                for (ClassInfo c : graded.values()) {
                    if (c.name.equals(top) || c.name.startsWith(top + "$")) {
                        roots.add(c.name);
                        rules.addAll(c.mayNotUse);
                    }
                }
            }
            String number = e.getValue().get(0).exercise().split(" ", 2)[0];
            for (Violation v : reach(roots, student, graded, rules, number)) {
                found.get(e.getKey()).add(v.message);
                charged.add(v.where);
            }
        }

        List<String> warnings = new ArrayList<>();
        for (ClassInfo c : student.values()) {
            for (Method m : c.methods.values()) {
                for (Ref r : m.refs()) {
                    String why = globalRule(r);
                    String where = c.file() + ":" + r.line();
                    if (why != null && !charged.contains(where)) {
                        warnings.add(describe(c, r, why) + "; no graded test reaches it, so it costs no points: remove it");
                    }
                }
            }
        }
        Map<String, List<String>> byExercise = new LinkedHashMap<>();
        found.forEach((g, v) -> {
            if (!v.isEmpty()) {
                byExercise.put(g, List.copyOf(v));
                if (exercises.get(g).stream().anyMatch(t -> !t.hidden())) {   // hidden exercises stay unnamed
                    warnings.add(g + " scores 0: " + v.iterator().next()
                            + (v.size() > 1 ? " (and " + (v.size() - 1) + " more)" : ""));
                }
            }
        });
        return new Result(byExercise, warnings);
    }

    private record Violation(String where, String message) {
    }

    /** Classes of the submission that could stand in for the tests' own classes. */
    private static void declaredClasses(Map<String, ClassInfo> student, Map<String, List<GradedTest>> exercises,
                                        Set<String> gradedNames, Set<String> fixtureNames, Map<String, Set<String>> found) {
        for (ClassInfo c : student.values()) {
            int slash = c.name.lastIndexOf('/');
            String pkg = slash < 0 ? "" : c.name.substring(0, slash);
            String simple = c.name.substring(slash + 1);
            if (simple.contains("$")) {
                continue; // nested and local classes cannot hide a top-level name from the tests
            }
            String problem = null;
            if (pkg.equals(EXERCISES)) {
                problem = c.file() + " declares " + dotted(c.name) + ": exercise code belongs in a chapter package "
                        + "(dev.attentionkit.exercises.chNN); a class here could replace the graded tests' helpers";
            } else if (gradedNames.contains(simple)) {
                problem = c.file() + " declares a class named " + simple + ", like a graded test class: it could "
                        + "replace what the tests call";
            } else if (fixtureNames.contains(simple)) {
                problem = c.file() + " declares a class named " + simple + ", like the graded tests' fixture "
                        + dotted(FIXTURES) + "." + simple + ": it could replace what the tests call";
            } else if (isJavaLang(simple)) {
                problem = c.file() + " declares a class named " + simple + ": in the tests' package it would hide "
                        + "java.lang." + simple + " from the graded tests";
            }
            if (problem == null) {
                continue;
            }
            for (Map.Entry<String, List<GradedTest>> e : exercises.entrySet()) {
                String testPkg = packageOf(e.getValue().get(0).className().replace('.', '/'));
                if (pkg.equals(EXERCISES) || testPkg.equals(pkg)) {
                    found.get(e.getKey()).add(problem);
                }
            }
        }
    }

    /** The violations in submission code reachable from the methods of the test classes {@code roots}. */
    private static List<Violation> reach(List<String> roots, Map<String, ClassInfo> student, Map<String, ClassInfo> graded,
                                         List<String> rules, String exercise) {
        Deque<Method> work = new ArrayDeque<>();
        Set<Method> seen = new HashSet<>();
        Set<String> touched = new HashSet<>();
        Set<String> instantiated = new HashSet<>();
        for (String r : roots) {
            graded.get(r).methods.values().forEach(m -> enqueue(m, work, seen));
        }
        List<Violation> out = new ArrayList<>();
        while (!work.isEmpty()) {
            Method m = work.pop();
            boolean isStudent = student.containsKey(m.owner());
            Map<String, ClassInfo> home = isStudent ? student : graded;
            if (isStudent && touched.add(m.owner())) {
                touch(m.owner(), student, work, seen, touched, out, rules, exercise);
            }
            for (Ref r : m.refs()) {
                if (student.containsKey(r.owner())) {
                    if (touched.add(r.owner())) {
                        touch(r.owner(), student, work, seen, touched, out, rules, exercise);
                    }
                    if (r.kind() == Ref.CALL || r.kind() == Ref.HANDLE) {
                        Method target = resolve(student, r.owner(), r.name());
                        if (target != null) {
                            enqueue(target, work, seen);
                        }
                        if (r.name().startsWith("<init>") && instantiated.add(r.owner())) {
                            instanceMethods(student, r.owner(), work, seen);
                        }
                    }
                } else if (graded.containsKey(r.owner())) {
                    if (r.kind() == Ref.CALL || r.kind() == Ref.HANDLE) {
                        Method target = resolve(graded, r.owner(), r.name());
                        if (target != null) {
                            enqueue(target, work, seen);
                        }
                    }
                    Method clinit = graded.get(r.owner()).methods.get("<clinit>()V");
                    if (clinit != null) {
                        enqueue(clinit, work, seen);
                    }
                    if (isStudent) {
                        out.add(violation(home.get(m.owner()), r, "the graded tests' own code (" + dotted(r.owner()) + ")"));
                    }
                } else if (isStudent) {
                    String why = globalRule(r);
                    if (why == null) {
                        why = exerciseRule(r, rules, exercise);
                    }
                    if (why != null) {
                        out.add(violation(home.get(m.owner()), r, why));
                    }
                }
            }
        }
        return out;
    }

    /** A submission class is used: its static initialiser runs, and what it extends or implements is checked. */
    private static void touch(String name, Map<String, ClassInfo> student, Deque<Method> work, Set<Method> seen,
                              Set<String> touched, List<Violation> out, List<String> rules, String exercise) {
        ClassInfo c = student.get(name);
        Method clinit = c.methods.get("<clinit>()V");
        if (clinit != null) {
            enqueue(clinit, work, seen);
        }
        List<String> supers = new ArrayList<>(c.interfaces);
        if (c.superName != null) {
            supers.add(c.superName);
        }
        for (String s : supers) {
            if (student.containsKey(s)) {
                if (touched.add(s)) {
                    touch(s, student, work, seen, touched, out, rules, exercise);
                }
                continue;
            }
            Ref r = new Ref(Ref.TYPE, s, "", 0);
            String why = globalRule(r);
            if (why == null) {
                why = exerciseRule(r, rules, exercise);
            }
            if (why != null) {
                out.add(new Violation(c.file() + ":0", c.file() + ": " + dotted(c.name) + " extends or implements "
                        + dotted(s) + ": " + why));
            }
        }
    }

    /** Once a class is instantiated, the library may call any of its instance methods (overrides, callbacks). */
    private static void instanceMethods(Map<String, ClassInfo> student, String name, Deque<Method> work, Set<Method> seen) {
        for (ClassInfo c = student.get(name); c != null; c = c.superName == null ? null : student.get(c.superName)) {
            c.methods.values().stream().filter(m -> !m.isStatic()).forEach(m -> enqueue(m, work, seen));
            for (String i : c.interfaces) {
                ClassInfo ic = student.get(i);
                if (ic != null) {
                    ic.methods.values().stream().filter(m -> !m.isStatic()).forEach(m -> enqueue(m, work, seen));
                }
            }
        }
    }

    private static void enqueue(Method m, Deque<Method> work, Set<Method> seen) {
        if (seen.add(m)) {
            work.push(m);
        }
    }

    /** The method {@code nameDesc} declared by {@code owner} or the nearest superclass among {@code classes}. */
    private static Method resolve(Map<String, ClassInfo> classes, String owner, String nameDesc) {
        for (ClassInfo c = classes.get(owner); c != null; c = c.superName == null ? null : classes.get(c.superName)) {
            Method m = c.methods.get(nameDesc);
            if (m != null) {
                return m;
            }
            for (String i : c.interfaces) {
                ClassInfo ic = classes.get(i);
                if (ic != null && ic.methods.containsKey(nameDesc)) {
                    return ic.methods.get(nameDesc);
                }
            }
        }
        return null;
    }

    private static Violation violation(ClassInfo c, Ref r, String why) {
        return new Violation(c.file() + ":" + r.line(), describe(c, r, why));
    }

    private static String describe(ClassInfo c, Ref r, String why) {
        String what = switch (r.kind()) {
            case Ref.CALL -> "calls " + dotted(r.owner()) + "." + methodName(r.name());
            case Ref.FIELD -> "reads or writes " + dotted(r.owner()) + "." + r.name();
            case Ref.HANDLE -> "refers to " + dotted(r.owner()) + "::" + methodName(r.name());
            case Ref.BOOTSTRAP -> "uses invokedynamic with " + dotted(r.owner()) + "." + r.name();
            case Ref.DYNAMIC -> "uses a dynamic constant";
            default -> "uses " + dotted(r.owner());
        };
        return c.file() + " line " + r.line() + " " + what + ": " + why;
    }

    /** Why {@code r} is forbidden in any exercise, or null. */
    private static String globalRule(Ref r) {
        if (r.kind() == Ref.BOOTSTRAP) {
            return ALLOWED_BOOTSTRAPS.contains(r.owner()) ? null : "only lambdas and string concatenation may use invokedynamic";
        }
        if (r.kind() == Ref.DYNAMIC) {
            return "dynamic constants (method handles) are not allowed";
        }
        String owner = r.owner();
        for (Map.Entry<String, String> d : DENIED.entrySet()) {
            String p = d.getKey();
            boolean hit = p.endsWith("/") ? owner.startsWith(p) : owner.equals(p) || owner.startsWith(p + "$");
            if (hit) {
                return "not allowed in exercise code (" + d.getValue() + ")";
            }
        }
        String name = methodName(r.name());
        if (owner.equals("java/lang/Class") && r.kind() == Ref.CALL && !CLASS_METHODS_ALLOWED.contains(name)) {
            return "not allowed in exercise code (reflection)";
        }
        if (owner.equals("java/lang/System") && SYSTEM_METHODS_DENIED.contains(name)) {
            return "not allowed in exercise code (System." + name + ")";
        }
        if (owner.startsWith("java/util/") && (name.equals("parallel") || name.equals("parallelStream"))) {
            return "not allowed in exercise code (threads: parallel streams)";
        }
        if (owner.startsWith("org/nd4j/") && (r.kind() == Ref.CALL || r.kind() == Ref.HANDLE) && ND4J_IO.matcher(name).matches()) {
            return "not allowed in exercise code (ND4J's file and native-memory methods)";
        }
        return null;
    }

    /** Why {@code r} is forbidden by the exercise's {@link MayNotUse} entries, or null. */
    private static String exerciseRule(Ref r, List<String> rules, String exercise) {
        String owner = dotted(r.owner());
        String name = methodName(r.name());
        boolean member = r.kind() == Ref.CALL || r.kind() == Ref.HANDLE || r.kind() == Ref.FIELD;
        for (String rule : rules) {
            int hash = rule.indexOf('#');
            String cls = hash < 0 ? rule : rule.substring(0, hash);
            String method = hash < 0 ? null : rule.substring(hash + 1);
            boolean classHit = cls.equals("*") || (cls.endsWith(".*") ? owner.startsWith(cls.substring(0, cls.length() - 1))
                    : owner.equals(cls) || owner.startsWith(cls + "$"));
            if (classHit && (method == null || (member && name.equals(method)))) {
                return "exercise " + exercise + " may not use " + rule + ", the kit's own implementation of what it asks for";
            }
        }
        return null;
    }

    private static String methodName(String nameDesc) {
        int paren = nameDesc.indexOf('(');
        return paren < 0 ? nameDesc : nameDesc.substring(0, paren);
    }

    private static String dotted(String internal) {
        return internal.replace('/', '.');
    }

    private static String packageOf(String internal) {
        int slash = internal.lastIndexOf('/');
        return slash < 0 ? "" : internal.substring(0, slash);
    }

    private static boolean isJavaLang(String simple) {
        try {
            Class.forName("java.lang." + simple, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Every class file under {@code dir}, by internal name. */
    private static Map<String, ClassInfo> read(Path dir) {
        Map<String, ClassInfo> classes = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return classes;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".class") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                ClassInfo c = parse(new ClassReader(in));
                classes.put(c.name, c);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read " + f, e);
            } catch (RuntimeException e) {
                throw new GradingException("Could not read the compiled class " + f + ": " + e, e);
            }
        }
        return classes;
    }

    private static ClassInfo parse(ClassReader reader) {
        ClassInfo c = new ClassInfo();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                c.name = name;
                c.superName = superName;
                if (interfaces != null) {
                    c.interfaces.addAll(List.of(interfaces));
                }
            }

            @Override
            public void visitSource(String source, String debug) {
                c.sourceFile = source;
            }

            @Override
            public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
                if (!descriptor.equals(Type.getDescriptor(MayNotUse.class))) {
                    return null;
                }
                return new AnnotationVisitor(Opcodes.ASM9) {
                    @Override
                    public AnnotationVisitor visitArray(String name) {
                        return new AnnotationVisitor(Opcodes.ASM9) {
                            @Override
                            public void visit(String n, Object value) {
                                c.mayNotUse.add(String.valueOf(value));
                            }
                        };
                    }
                };
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                List<Ref> refs = new ArrayList<>();
                c.methods.put(name + descriptor, new Method(c.name, name, descriptor, (access & Opcodes.ACC_STATIC) != 0, refs));
                return new MethodVisitor(Opcodes.ASM9) {
                    private int line;

                    @Override
                    public void visitLineNumber(int l, Label start) {
                        line = l;
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String desc, boolean itf) {
                        refs.add(new Ref(Ref.CALL, arrayElement(owner), n + desc, line));
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String n, String desc) {
                        refs.add(new Ref(Ref.FIELD, owner, n, line));
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        refs.add(new Ref(Ref.TYPE, arrayElement(type), "", line));
                    }

                    @Override
                    public void visitMultiANewArrayInsn(String desc, int dims) {
                        refs.add(new Ref(Ref.TYPE, arrayElement(desc), "", line));
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        constant(value);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String n, String desc, Handle bsm, Object... args) {
                        refs.add(new Ref(Ref.BOOTSTRAP, bsm.getOwner(), bsm.getName(), line));
                        for (Object a : args) {
                            constant(a);
                        }
                    }

                    private void constant(Object value) {
                        if (value instanceof Type t && (t.getSort() == Type.OBJECT || t.getSort() == Type.ARRAY)) {
                            refs.add(new Ref(Ref.TYPE, arrayElement(t.getInternalName()), "", line));
                        } else if (value instanceof Handle h) {
                            refs.add(new Ref(Ref.HANDLE, h.getOwner(), h.getName() + h.getDesc(), line));
                        } else if (value instanceof ConstantDynamic) {
                            refs.add(new Ref(Ref.DYNAMIC, "", "", line));
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return c;
    }

    /** {@code [[Ljava/lang/Thread;} → {@code java/lang/Thread}; other names unchanged. */
    private static String arrayElement(String internal) {
        if (!internal.startsWith("[")) {
            return internal;
        }
        Type element = Type.getType(internal).getElementType();
        return element.getSort() == Type.OBJECT ? element.getInternalName() : "";
    }

    /**
     * The simple names of the top-level classes of the tests' fixtures ({@value #FIXTURES}) on {@code classPath}
     * (jars and class folders; an entry that cannot be read adds none).
     */
    static Set<String> fixtureNames(Collection<Path> classPath) {
        return FIXTURE_NAMES.computeIfAbsent(List.copyOf(classPath), ReferenceCheck::readFixtureNames);
    }

    /** {@link #fixtureNames} by class path, read once per grader process (a batch grades many submissions). */
    private static final Map<List<Path>, Set<String>> FIXTURE_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    private static Set<String> readFixtureNames(List<Path> classPath) {
        Set<String> names = new java.util.TreeSet<>();
        String prefix = FIXTURES + "/";
        for (Path entry : classPath) {
            try {
                if (Files.isDirectory(entry)) {
                    Path dir = entry.resolve(FIXTURES);
                    if (Files.isDirectory(dir)) {
                        try (Stream<Path> s = Files.list(dir)) {
                            s.map(f -> f.getFileName().toString()).forEach(n -> addFixture(names, n));
                        }
                    }
                } else if (Files.isRegularFile(entry) && entry.getFileName().toString().endsWith(".jar")) {
                    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(entry.toFile())) {
                        jar.stream().map(java.util.zip.ZipEntry::getName)
                                .filter(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0)
                                .forEach(n -> addFixture(names, n.substring(prefix.length())));
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // unreadable: the javac step reports a class path it cannot use
            }
        }
        return Set.copyOf(names);
    }

    private static void addFixture(Set<String> names, String file) {
        if (file.endsWith(".class") && !file.contains("$") && !file.equals("package-info.class")) {
            names.add(file.substring(0, file.length() - ".class".length()));
        }
    }

    /** The simple names of the graded test classes and helpers: the {@code .java} files under {@code roots}. */
    static Set<String> gradedNames(Collection<Path> roots) {
        Set<String> names = new HashSet<>();
        for (Path root : roots) {
            for (Path f : TestDiscovery.javaFiles(root)) {
                String n = f.getFileName().toString();
                names.add(n.substring(0, n.length() - ".java".length()));
            }
        }
        return names;
    }
}
