"""Tests of run_notebooks.py's regression check, on notebooks built with nbformat (python3 -m unittest)."""
import os
import sys
import unittest

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_notebooks  # noqa: E402


def notebook(*texts, tags=(), metadata=None):
    cells = []
    for text in texts:
        cell = new_code_cell(source="System.out.println(x);", outputs=[new_output("stream", name="stdout", text=text)])
        cell.metadata["tags"] = list(tags)
        if metadata:
            cell.metadata["attention-kit"] = metadata
        cells.append(cell)
    return new_notebook(cells=cells)


class RegressionCheck(unittest.TestCase):
    def test_same_outputs_pass(self):
        self.assertEqual([], run_notebooks.changes(notebook("weights 0.1385 0.2379"), notebook("weights 0.1385 0.2379"), "full"))

    def test_a_changed_figure_fails_and_is_named(self):
        found = run_notebooks.changes(notebook("accuracy 99.6%"), notebook("accuracy 97.1%"), "full")
        self.assertEqual(1, len(found))
        self.assertIn("from 99.6 to 97.1", found[0])

    def test_last_digit_noise_within_tolerance_passes(self):
        self.assertEqual([], run_notebooks.changes(notebook("0.43100"), notebook("0.43101"), "full"))

    def test_changed_words_fail(self):
        found = run_notebooks.changes(notebook("head 3 links it to animal"), notebook("head 3 links it to road"), "full")
        self.assertIn("printed text changed", found[0])

    def test_durations_are_not_compared(self):
        self.assertEqual([], run_notebooks.changes(notebook("trained in 84.7 s, 12 ms per step"),
                                                   notebook("trained in 41.2 s, 7 ms per step"), "full"))

    def test_volatile_cells_are_skipped(self):
        self.assertEqual([], run_notebooks.changes(notebook("GFLOP/s 55"), notebook("GFLOP/s 190", tags=["kit-volatile"]), "full"))

    def test_profile_cells_compare_only_under_the_committed_profile(self):
        committed = notebook("accuracy 99.6%")
        committed.metadata["attention-kit"] = {"profile": "full"}
        other = notebook("accuracy 80.0%", tags=["kit-profile"])
        self.assertEqual([], run_notebooks.changes(committed, other, "ci"))
        self.assertEqual(1, len(run_notebooks.changes(committed, other, "full")))

    def test_a_cell_can_widen_its_tolerance(self):
        self.assertEqual([], run_notebooks.changes(notebook("loss 0.512"), notebook("loss 0.515", metadata={"tolerance": 0.01}), "full"))

    def test_pictures_text_is_not_compared_but_html_tables_are(self):
        def with_output(output):
            return new_notebook(cells=[new_code_cell(source="x", outputs=[output])])
        image = lambda ident: new_output("display_data", data={"image/png": "iVBOR", "text/plain": f"XYChart@{ident}"})
        table = lambda v: new_output("display_data", data={"text/html": f"<table><tr><td>{v}</td></tr></table>"})
        self.assertEqual([], run_notebooks.changes(with_output(image("1a2b")), with_output(image("3c4d")), "full"))
        self.assertEqual(1, len(run_notebooks.changes(with_output(table("0.2500")), with_output(table("0.7500")), "full")))

    def test_a_different_number_of_code_cells_fails(self):
        self.assertIn("code cells", run_notebooks.changes(notebook("a", "b"), notebook("a"), "full")[0])


if __name__ == "__main__":
    unittest.main()
