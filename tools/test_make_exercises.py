"""Tests of make_exercises.py, the stub generator (python3 -m unittest tools/test_make_exercises.py)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_exercises  # noqa: E402

SOLUTION = """package p;

import java.util.List;

/** Exercise 9.9. */
public final class Sum {
    public static int sum(List<Integer> xs) {
        // BEGIN SOLUTION 9.9
        // Hint: add them up.
        int total = 0;
        for (int x : xs) {
            total += x;
        }
        return total;
        // END SOLUTION
    }
}
"""

STUB = """package p;

import java.util.List;

/** Exercise 9.9. */
public final class Sum {
    public static int sum(List<Integer> xs) {
        // TODO Exercise 9.9: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        // Hint: add them up.
        throw new UnsupportedOperationException("Exercise 9.9 is not done yet");
    }
}
"""


class StubGenerator(unittest.TestCase):
    def test_the_answer_becomes_a_todo_the_pointer_the_hint_and_a_throw(self):
        self.assertEqual(STUB, make_exercises.stub_of(SOLUTION, "Sum.java"))

    def test_two_regions_in_one_file(self):
        twice = SOLUTION.replace("    }\n}\n", "    }\n\n    static int one() {\n        // BEGIN SOLUTION 9.10\n"
                                 "        return 1;\n        // END SOLUTION\n    }\n}\n")
        stub = make_exercises.stub_of(twice, "Sum.java")
        self.assertIn('"Exercise 9.9 is not done yet"', stub)
        self.assertIn('"Exercise 9.10 is not done yet"', stub)
        self.assertNotIn("return 1;", stub)

    def test_bad_markers_are_named_with_file_and_line(self):
        cases = {
            "never closed": SOLUTION.replace("        // END SOLUTION\n", ""),
            "without a BEGIN": SOLUTION.replace("        // BEGIN SOLUTION 9.9\n", ""),
            "inside the region": SOLUTION.replace("        int total = 0;\n", "        // BEGIN SOLUTION 9.8\n"),
            "no BEGIN SOLUTION": STUB,
        }
        for words, text in cases.items():
            with self.subTest(words):
                with self.assertRaises(make_exercises.MarkerError) as raised:
                    make_exercises.stub_of(text, "Sum.java")
                self.assertIn(words, str(raised.exception))
                self.assertIn("Sum.java", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
