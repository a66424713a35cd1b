"""CSV: one writer for every table the engine or a page offers for download.

Callers build the rows (and format their numbers as they see fit); this module writes them the
same way everywhere: comma-separated, quoted only where a cell needs it, ``\\n`` line ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The CSV text of ``header`` then ``rows`` (cells as ``str`` writes them; None is empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
