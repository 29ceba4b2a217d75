package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Hints in steps, on the kit's real graded tests: a failure shows the nudge, the full recipe only on request
 * (--hints full, Exercises.hints), and the report says how to ask for it.
 */
class HintsTest {
    private static final GradeReport REPORT = WrongCodeTest.kitGrader()
            .grade(WrongCodeTest.FIXTURES.resolve("plausible"), "ch01");

    @Test
    void aFailureShowsTheNudgeNotTheRecipe() throws Exception {
        TestOutcome o = REPORT.outcome("SoftmaxWeightsTest#largeScoresAreStable");
        assertFalse(o.passed(), "the fixture's global-maximum softmax must fail this test");
        String nudge = o.test().hint();
        String recipe = o.test().recipe();
        assertFalse(nudge.isEmpty());
        assertFalse(recipe.isEmpty());
        String text = REPORT.toString();
        assertTrue(text.contains("hint: " + nudge), text);
        assertFalse(text.contains(recipe), "the recipe is withheld until asked for:\n" + text);
        assertTrue(text.contains(GradeReport.FULL_HINTS_LINE), text);
        assertFalse(REPORT.toHtml().contains(Text.html(recipe)));
        JsonNode json = new ObjectMapper().readTree(REPORT.toGradescopeJson());
        assertFalse(json.toString().contains(recipe));
    }

    @Test
    void theRecipeOnRequest() {
        GradeReport full = REPORT.withHints(Hints.FULL);
        TestOutcome o = full.outcome("SoftmaxWeightsTest#largeScoresAreStable");
        String text = full.toString();
        assertTrue(text.contains("hint: " + o.test().hint()), text);
        assertTrue(text.contains("recipe: " + o.test().recipe()), text);
        assertFalse(text.contains(GradeReport.FULL_HINTS_LINE), text);
        assertTrue(full.toHtml().contains(Text.html(o.test().recipe())));
        assertEquals(REPORT.score(), full.score());
    }
}
