package dev.attentionkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import dev.attentionkit.attention.AttentionModule;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The library's layering, as each package's {@code package-info.java} states it, checked on the compiled classes
 * with ArchUnit: which kit packages each package may use, and no cycles between packages. A new package needs a
 * line in {@link #ALLOWED} (and a package-info saying the same in words) before this test passes.
 */
@DisplayName("Architecture: the packages' stated layering holds")
class LayeringTest {
    private static final String ROOT = "dev.attentionkit";

    /** Each package of the library and the kit packages it may use (ND4J, the JDK and other libraries are free). */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
        Map.entry("tensor", Set.of()),
        Map.entry("data", Set.of()),
        Map.entry("notebook", Set.of()),
        Map.entry("nn", Set.of("tensor")),
        Map.entry("mask", Set.of("tensor")),
        Map.entry("score", Set.of("tensor", "nn")),
        Map.entry("attention", Set.of("tensor", "nn", "mask", "score")),
        Map.entry("efficient", Set.of("tensor", "nn", "mask", "attention", "transformer")),
        Map.entry("transformer", Set.of("tensor", "nn", "mask", "attention")),
        Map.entry("train", Set.of("tensor", "nn", "mask", "score", "attention", "transformer")),
        Map.entry("seq2seq", Set.of("tensor", "nn", "mask", "score", "attention", "train", "data", "notebook")),
        Map.entry("longrange", Set.of("tensor", "nn", "mask", "attention", "transformer", "train", "notebook")),
        Map.entry("stability", Set.of("tensor", "nn", "transformer", "longrange", "notebook")),
        Map.entry("viz", Set.of("tensor", "notebook")),
        Map.entry("doctor", Set.of("notebook", "efficient")),
        Map.entry("kernel", Set.of("notebook", "viz")),
        Map.entry("pretrained", Set.of("tensor", "nn", "mask", "attention", "transformer")),
        Map.entry("statedict", Set.of("tensor", "nn", "pretrained")));

    private static JavaClasses library;

    @BeforeAll
    static void importLibrary() {
        // The tests' fixtures (testkit/, a jar of their own on the test class path) are no package of the library.
        library = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("/dev/attentionkit/testkit/"))
            .importPackages(ROOT);
    }

    @Test
    @DisplayName("every package of the library has a stated layer and a package-info")
    void everyPackageIsDeclared() {
        Set<String> found = library.stream()
            .map(c -> c.getPackageName())
            .filter(p -> p.startsWith(ROOT + "."))
            .map(p -> p.substring(ROOT.length() + 1).split("\\.")[0])
            .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(ALLOWED.keySet()), found,
            "packages in lib/ and the layers this test knows differ: add the new package to ALLOWED with its role");
        for (String p : found) {
            // javac writes no class for a package-info that only has Javadoc, so look for the source (Maven runs
            // the tests in lib/).
            Path info = Path.of("src/main/java/dev/attentionkit", p, "package-info.java");
            assertTrue(Files.isRegularFile(info), "dev.attentionkit." + p + " has no package-info.java stating its role and layer");
        }
    }

    @Test
    @DisplayName("no package uses a kit package above it")
    void dependenciesFollowTheLayers() {
        for (Map.Entry<String, Set<String>> layer : ALLOWED.entrySet()) {
            String[] forbidden = ALLOWED.keySet().stream()
                .filter(other -> !other.equals(layer.getKey()) && !layer.getValue().contains(other))
                .map(other -> ROOT + "." + other + "..")
                .toArray(String[]::new);
            if (forbidden.length == 0) {
                continue;
            }
            noClasses().that().resideInAPackage(ROOT + "." + layer.getKey() + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because(layer.getKey() + " may use only " + new TreeSet<>(layer.getValue()) + " of the kit (its package-info)")
                .check(library);
        }
    }

    @Test
    @DisplayName("no cycles between packages")
    void noCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(library);
    }

    /**
     * A public attention module: a public, concrete, top-level class named {@code ...Attention}, {@code ...AttentionV1}
     * or {@code ...AttentionWrapper} whose instances attend over arrays (a public instance method taking an
     * {@link INDArray} first), and that is not a twin built from one ({@code from(plainModule, ...)}: the
     * SameDiff twins in {@code train} and the hand-derived backward pass in {@code efficient} take a module and train
     * it, so their contract is the module they twin). Classes of static functions ({@code ScaledDotProductAttention},
     * {@code BlockedAttention}, ...) have no instances and are not modules.
     */
    static final DescribedPredicate<JavaClass> ATTENTION_MODULE = new DescribedPredicate<>(
        "public attention modules (public classes named ...Attention, ...AttentionV<n> or ...AttentionWrapper with instance methods on INDArrays)") {
        @Override
        public boolean test(JavaClass c) {
            return c.getModifiers().contains(JavaModifier.PUBLIC) && !c.getModifiers().contains(JavaModifier.ABSTRACT)
                && !c.isInterface() && !c.isRecord() && !c.isEnum() && c.isTopLevelClass()
                && c.getSimpleName().matches(".*Attention(V\\d+|Wrapper)?")
                && c.getAllMethods().stream().anyMatch(LayeringTest::attendsOverArrays)
                && c.getMethods().stream().noneMatch(LayeringTest::buildsFromAModule);
        }
    };

    private static boolean attendsOverArrays(JavaMethod m) {
        return m.getModifiers().contains(JavaModifier.PUBLIC) && !m.getModifiers().contains(JavaModifier.STATIC)
            && !m.getRawParameterTypes().isEmpty() && m.getRawParameterTypes().get(0).isAssignableTo(INDArray.class);
    }

    private static boolean buildsFromAModule(JavaMethod m) {
        return m.getModifiers().contains(JavaModifier.STATIC) && m.getName().equals("from")
            && m.getRawParameterTypes().stream().anyMatch(t -> t.isAssignableTo(AttentionModule.class));
    }

    @Test
    @DisplayName("every public attention module implements the one attention contract (AttentionModule)")
    void attentionModulesImplementTheContract() {
        classes().that(ATTENTION_MODULE).should().beAssignableTo(AttentionModule.class)
            .because("TransformerBlock, the trainable twins and save/load by name take any AttentionModule (issue 13)")
            .check(library);
        // The rule must not hold by matching nothing: it sees the book's modules and the fast one.
        Set<String> seen = library.stream().filter(ATTENTION_MODULE).map(JavaClass::getSimpleName)
            .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(seen.containsAll(Set.of("SelfAttentionV1", "SelfAttentionV2", "CausalAttention",
            "MultiHeadAttentionWrapper", "MultiHeadAttention", "FusedQkvAttention", "TalkingHeadsAttention",
            "FastMultiHeadAttention")), "the rule sees only " + seen);
    }
}
