package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kit's exercise signatures, as the graded tests are compiled against them and the Gradescope zip ships them. */
class SignaturesTest {
    @Test
    void strippingCutsEveryAnswerOfTheKitsSolutionsAndKeepsTheDeclarations() throws IOException {
        Path solutions = WrongCodeTest.KIT.resolve("solutions/src/main/java");
        List<Path> files = Compiler.javaFiles(solutions);
        assertTrue(files.size() >= 20, "the kit's solutions: " + files);
        for (Path f : files) {
            String source = Files.readString(f);
            String stripped = Signatures.strip(source);
            List<String> inside = new ArrayList<>();
            List<String> outside = new ArrayList<>();
            boolean in = false;
            for (String line : source.split("\n")) {
                if (line.strip().startsWith("// BEGIN SOLUTION")) {
                    in = true;
                } else if (line.strip().equals("// END SOLUTION")) {
                    in = false;
                } else {
                    (in ? inside : outside).add(line);
                }
            }
            assertFalse(inside.isEmpty(), f + " has no answer region");
            for (String line : inside) {
                if (line.strip().length() >= 12 && !outside.contains(line)) {
                    assertFalse(stripped.contains(line), f + ": the answer line survived: " + line);
                }
            }
            for (String line : outside) {
                assertTrue(stripped.contains(line), f + ": a declaration line was lost: " + line);
            }
            assertFalse(stripped.contains("SOLUTION"), f + ":\n" + stripped);
        }
    }

    @Test
    void aRegionBecomesOneThrowAtItsIndentation() {
        String source = "class A {\n    int f() {\n        // BEGIN SOLUTION 1.1\n        return 42;\n        // END SOLUTION\n    }\n}";
        assertEquals("class A {\n    int f() {\n        throw new UnsupportedOperationException(\"signature only: exercise 1.1\");\n"
                + "    }\n}", Signatures.strip(source));
    }
}
