package dev.attentionkit.grading;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The exercise classes as the kit declares them, so that the graded tests are compiled against the kit's
 * signatures and never against the submission's.
 *
 * <p>Why: how a test is run (judged in the trusted JVM through proxies, or inside the sandbox) follows from
 * the types the compiled test passes to and gets from the submission. Compiled against the submission, a
 * submission could choose them: declaring {@code interface DecoderStep}, or widening a parameter to
 * {@code Object}, used to move a test class inside the sandboxed JVM, where code reading its own memory could
 * forge the verdict. Compiled against the kit's signatures (the solutions with every answer region cut out,
 * see {@link #strip}), the tests, and so the route each one takes, are the same for every submission; a
 * submission whose classes do not provide exactly what the tests call fails those tests with a message naming
 * the member it lacks ({@link #mismatches}).
 */
final class Signatures {
    private static final Pattern BEGIN = Pattern.compile("^(\\s*)// BEGIN SOLUTION (\\S+)\\s*$");
    private static final Pattern END = Pattern.compile("^\\s*// END SOLUTION\\s*$");
    private static final String EXERCISES = "dev/attentionkit/exercises/";

    private Signatures() {
    }

    /**
     * The source of a solution with each {@code // BEGIN SOLUTION n} ... {@code // END SOLUTION} region replaced
     * by a {@code throw}, as {@code tools/make_exercises.py} makes the stubs: the signatures without the answers.
     */
    static String strip(String source) {
        StringBuilder out = new StringBuilder();
        boolean inRegion = false;
        for (String line : source.split("\n", -1)) {
            var begin = BEGIN.matcher(line);
            if (!inRegion && begin.matches()) {
                inRegion = true;
                out.append(begin.group(1)).append("throw new UnsupportedOperationException(\"signature only: exercise ")
                        .append(begin.group(2)).append("\");\n");
                continue;
            }
            if (inRegion) {
                if (END.matcher(line).matches()) {
                    inRegion = false;
                }
                continue;
            }
            out.append(line).append('\n');
        }
        return out.substring(0, Math.max(0, out.length() - 1));
    }

    /** Copies the {@code .java} files under {@code from} to {@code to}, each {@link #strip stripped}; returns the copies. */
    static List<Path> strippedCopy(Path from, Path to) {
        Path root = from.toAbsolutePath().normalize();
        List<Path> copies = new ArrayList<>();
        for (Path f : Compiler.javaFiles(root)) {
            Path t = to.resolve(root.relativize(f).toString());
            try {
                Files.createDirectories(t.getParent());
                Files.writeString(t, strip(Files.readString(f, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new GradingException("Could not copy the exercise signature " + f + ": " + e.getMessage(), e);
            }
            copies.add(t);
        }
        return copies;
    }

    /** One class as its bytecode declares it. */
    private record Decl(boolean isInterface, String superName, Map<String, Integer> members) {
    }

    /**
     * For each top-level test class (binary name) whose calls into the submission do not link against
     * {@code submission} exactly as against {@code signatures}, the first mismatch in words. The tests in
     * {@code testClasses} were compiled against {@code signatures}.
     */
    static Map<String, String> mismatches(Path testClasses, Path submission, Path signatures) {
        Map<String, byte[]> tests = read(testClasses);
        Map<String, Decl> mine = declarations(read(submission));
        Map<String, Decl> kit = declarations(read(signatures));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : tests.entrySet()) {
            String top = e.getKey().contains("$") ? e.getKey().substring(0, e.getKey().indexOf('$')) : e.getKey();
            if (out.containsKey(top.replace('/', '.'))) {
                continue;
            }
            for (String[] use : uses(e.getValue(), tests.keySet())) {
                String why = check(use, mine, kit);
                if (why != null) {
                    out.put(top.replace('/', '.'), why);
                    break;
                }
            }
        }
        return out;
    }

    /** {owner, name, descriptor, kind}: kind "M" a method, "S" a static method, "F"/"G" an instance/static field, "T" a type. */
    private static List<String[]> uses(byte[] bytes, Set<String> own) {
        Set<List<String>> found = new LinkedHashSet<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                        if (isSubmission(owner, own)) {
                            found.add(List.of(owner, n, d, opcode == Opcodes.INVOKESTATIC ? "S" : "M"));
                        }
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String n, String d) {
                        if (isSubmission(owner, own)) {
                            found.add(List.of(owner, n, d,
                                    opcode == Opcodes.GETSTATIC || opcode == Opcodes.PUTSTATIC ? "G" : "F"));
                        }
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        if (isSubmission(type, own)) {
                            found.add(List.of(type, "", "", "T"));
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return found.stream().map(l -> l.toArray(String[]::new)).toList();
    }

    private static String check(String[] use, Map<String, Decl> mine, Map<String, Decl> kit) {
        String owner = use[0];
        Decl expected = kit.get(owner);
        String shown = owner.substring(owner.lastIndexOf('/') + 1).replace('$', '.');
        String file = owner.replaceAll("\\$.*", "") + ".java";
        if (expected == null) {
            return null; // not one of the kit's exercise classes: the test cannot have been compiled against it
        }
        Decl got = mine.get(owner);
        if (got == null) {
            return "your code has no class " + shown + " (" + file + ") as the exercise declares it";
        }
        if (got.isInterface() != expected.isInterface()) {
            return shown + " must be " + (expected.isInterface() ? "an interface" : "a class") + ", as in the exercise"
                    + " (yours is " + (got.isInterface() ? "an interface" : "a class") + "); keep the declarations of "
                    + file + " as given";
        }
        if (use[3].equals("T")) {
            return null;
        }
        String key = use[1] + use[2];
        Integer want = find(owner, key, kit);
        Integer have = find(owner, key, mine);
        boolean wantStatic = use[3].equals("S") || use[3].equals("G");
        if (have == null && want == null && sameKitAncestor(owner, mine, kit)) {
            return null; // inherited from the same class of the kit in both
        }
        String member = describe(use);
        if (have == null) {
            boolean method = use[2].startsWith("(");
            String yours = got.members().entrySet().stream()
                    .filter(m -> m.getKey().startsWith(use[1]) && m.getKey().length() > use[1].length()
                            && (m.getKey().charAt(use[1].length()) == '(') == method
                            && (method || !m.getKey().substring(use[1].length()).contains("(")))
                    .map(m -> describe(new String[] {owner, use[1], m.getKey().substring(use[1].length()),
                            (m.getValue() & Opcodes.ACC_STATIC) != 0 ? (method ? "S" : "G") : (method ? "M" : "F")}))
                    .collect(Collectors.joining("; "));
            return "your " + shown + " does not declare " + member + ", as the exercise does"
                    + (yours.isEmpty() ? "" : " (yours: " + yours + ")") + "; keep the signatures of " + file + " as given";
        }
        if (((have & Opcodes.ACC_STATIC) != 0) != wantStatic) {
            return "your " + shown + "." + (use[1].equals("<init>") ? shown : use[1]) + " must " + (wantStatic ? "" : "not ")
                    + "be static, as in the exercise; keep the signatures of " + file + " as given";
        }
        if ((have & Opcodes.ACC_PUBLIC) == 0 && want != null && (want & Opcodes.ACC_PUBLIC) != 0) {
            return "your " + member + " must be public, as in the exercise";
        }
        return null;
    }

    /** The access flags of member {@code key} (name + descriptor) in {@code owner} or its superclasses in {@code decls}. */
    private static Integer find(String owner, String key, Map<String, Decl> decls) {
        for (String c = owner; c != null && decls.containsKey(c); c = decls.get(c).superName()) {
            Integer a = decls.get(c).members().get(key);
            if (a != null) {
                return a;
            }
            if (key.startsWith("<init>")) {
                return null; // constructors are not inherited
            }
        }
        return null;
    }

    /** Whether the first ancestor outside the exercise classes is the same in both (it then provides the member). */
    private static boolean sameKitAncestor(String owner, Map<String, Decl> mine, Map<String, Decl> kit) {
        return firstOutside(owner, mine).equals(firstOutside(owner, kit));
    }

    private static String firstOutside(String owner, Map<String, Decl> decls) {
        String c = owner;
        while (decls.containsKey(c)) {
            c = decls.get(c).superName();
        }
        return String.valueOf(c);
    }

    private static String describe(String[] use) {
        String simple = use[0].substring(use[0].lastIndexOf('/') + 1).replace('$', '.');
        boolean isStatic = use[3].equals("S") || use[3].equals("G");
        if (use[3].equals("F") || use[3].equals("G")) {
            return "field " + (isStatic ? "static " : "") + Type.getType(use[2]).getClassName() + " " + use[1];
        }
        Type m = Type.getMethodType(use[2]);
        String params = Stream.of(m.getArgumentTypes()).map(Type::getClassName).collect(Collectors.joining(", "));
        if (use[1].equals("<init>")) {
            return "constructor " + simple + "(" + params + ")";
        }
        return (isStatic ? "static " : "") + m.getReturnType().getClassName() + " " + use[1] + "(" + params + ")";
    }

    private static boolean isSubmission(String internalName, Set<String> own) {
        return internalName != null && internalName.startsWith(EXERCISES) && !own.contains(internalName);
    }

    private static Map<String, Decl> declarations(Map<String, byte[]> classes) {
        Map<String, Decl> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            Map<String, Integer> members = new LinkedHashMap<>();
            boolean[] itf = {false};
            String[] sup = {null};
            new ClassReader(e.getValue()).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                    itf[0] = (access & Opcodes.ACC_INTERFACE) != 0;
                    sup[0] = superName;
                }

                @Override
                public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                    members.put(name + descriptor, access);
                    return null;
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    members.put(name + descriptor, access);
                    return null;
                }
            }, ClassReader.SKIP_CODE);
            out.put(e.getKey(), new Decl(itf[0], sup[0], members));
        }
        return out;
    }

    private static Map<String, byte[]> read(Path dir) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(x -> x.toString().endsWith(".class")).sorted().toList()) {
                String name = dir.relativize(f).toString().replace('\\', '/');
                out.put(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
