"""engine.core.tables: the one CSV writer."""

from __future__ import annotations

import csv
import io

from engine.core.tables import to_csv


def test_to_csv_writes_header_and_rows_quoting_only_where_needed():
    text = to_csv(["optimizer", "step", "loss"], [["adam (lr=0.1)", 0, "1.5"], ["a, b", 1, ""]])
    assert text == 'optimizer,step,loss\nadam (lr=0.1),0,1.5\n"a, b",1,\n'
    assert list(csv.reader(io.StringIO(text)))[2] == ["a, b", "1", ""]


def test_to_csv_takes_any_iterable_of_rows():
    assert to_csv(["x"], ([i] for i in range(3))) == "x\n0\n1\n2\n"
    assert to_csv(["x"], []) == "x\n"
