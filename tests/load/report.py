"""What a load test measured, against its targets: the table `make loadtest` prints.

Plain data in (each browser session's timings, the server's timing log), text out; no browser
and no server here, so tests/load/test_report.py checks it directly.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

# The targets on a 2-core machine whose cores the browsers share.
FIRST_RUN_S = 10.0  # classroom: every session's first script run, server side
LIGHT_CHANGE_S = 2.0  # classroom: each session's own light change, server side
FIRST_FIGURE_S = 10.0  # classroom, at most BROWSER_TARGET_N browsers: first figure, end to end
BROWSER_TARGET_N = 10
MIXED_WAIT_S = 30.0  # mixed: nobody waits longer for anything
RSS_BUDGET_MB = 1500.0  # peak server memory (all processes together)


@dataclasses.dataclass
class Session:
    """One browser session: what it asked for and when it saw the answers (Unix seconds)."""

    tag: str  # its ``lt`` query value: finds its runs in the server's timing log
    pattern: str  # "classroom" or "mixed"
    page: str
    opened: float
    first_figure: float | None = None  # seconds after ``opened``
    loaded: float | None = None  # seconds after ``opened``: its first answer complete
    changed: float | None = None  # when it made its own change
    answered: float | None = None  # seconds after ``changed``
    errors: list[str] = dataclasses.field(default_factory=list)
    crosstalk: str | None = None  # what it showed instead of its own setting
    server_first: float | None = None  # filled from the timing log
    server_change: float | None = None

    @property
    def unanswered(self) -> bool:
        return self.loaded is None or (self.changed is not None and self.answered is None)


def read_log(path: Path) -> list[dict]:
    """The timing log's records (pages/_common/timing.py); a torn last line is skipped."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def server_times(records: Iterable[dict], session: Session) -> tuple[float | None, float | None]:
    """``(first, change)``: from the session's first request to the end of its first completed
    run; from the first run after its change to the end of the first completed one."""
    mine = sorted((r for r in records if r.get("query", {}).get("lt") == session.tag),
                  key=lambda r: r["start"])  # fmt: skip
    return _until_done(mine), _until_done(
        [r for r in mine if session.changed is not None and r["start"] >= session.changed - 0.05]
    )


def _until_done(runs: Sequence[dict]) -> float | None:
    done = next((r for r in runs if r["outcome"] == "done"), None)
    return None if done is None or not runs else done["end"] - runs[0]["start"]


def attach(records: Sequence[dict], sessions: Iterable[Session]) -> None:
    for s in sessions:
        s.server_first, s.server_change = server_times(records, s)


def _stats(values: Sequence[float | None]) -> tuple[int, float, float, float]:
    got = sorted(v for v in values if v is not None)
    if not got:
        return 0, math.nan, math.nan, math.nan
    p95 = got[min(len(got) - 1, math.ceil(0.95 * len(got)) - 1)]
    return len(got), got[len(got) // 2], p95, got[-1]


@dataclasses.dataclass
class Row:
    pattern: str
    metric: str
    target: str
    n: int
    p50: float
    p95: float
    max: float
    ok: bool | None  # None: reported, no target


def _row(pattern: str, metric: str, values, limit: float | None, applies: bool = True) -> Row:
    n, p50, p95, top = _stats(values)
    missing = any(v is None for v in values)
    ok = None if limit is None or not applies else (n > 0 and not missing and top <= limit)
    target = "report" if limit is None or not applies else f"<= {limit:g}"
    return Row(pattern, metric, target, n, p50, p95, top, ok)


def rows(
    sessions: Sequence[Session], peak_rss_mb: float | None, client: str = "browser"
) -> list[Row]:
    """The table's rows; ``client``: "browser" (chromium) or "protocol" (tests/load/protocol.py,
    which draws nothing: its first-figure time is when the figure's message arrived)."""
    out: list[Row] = []
    classroom = [s for s in sessions if s.pattern == "classroom"]
    if classroom:
        few = len(classroom) <= BROWSER_TARGET_N and client == "browser"
        out += [
            _row("classroom", "server: first run done (s)",
                 [s.server_first for s in classroom], FIRST_RUN_S),
            _row("classroom", "server: own light change (s)",
                 [s.server_change for s in classroom], LIGHT_CHANGE_S),
            _row("classroom", f"{client}: first figure (s)",
                 [s.first_figure for s in classroom], FIRST_FIGURE_S, applies=few),
            _row("classroom", f"{client}: page complete (s)", [s.loaded for s in classroom], None),
            _row("classroom", f"{client}: own change shown (s)",
                 [s.answered for s in classroom], None),
        ]  # fmt: skip
    mixed = [s for s in sessions if s.pattern == "mixed"]
    if mixed:
        server = [_longest(s.server_first, s.server_change, s.changed) for s in mixed]
        browser = [_longest(s.loaded, s.answered, s.changed) for s in mixed]
        out += [
            _row("mixed", "server: longest wait (s)", server, MIXED_WAIT_S),
            _row("mixed", f"{client}: longest wait (s)", browser, None),
            _row("mixed", f"{client}: first figure (s)", [s.first_figure for s in mixed], None),
        ]
    if peak_rss_mb is not None:
        out.append(Row("all", "server: peak RSS (MB)", f"<= {RSS_BUDGET_MB:g}", 1, peak_rss_mb,
                       peak_rss_mb, peak_rss_mb, peak_rss_mb <= RSS_BUDGET_MB))  # fmt: skip
    return out


def _longest(first: float | None, change: float | None, changed: float | None) -> float | None:
    if first is None or (changed is not None and change is None):
        return None
    return max(first, change or 0.0)


def failures(sessions: Sequence[Session]) -> list[str]:
    """Errors, cross-talk and unanswered sessions: each one fails the load test."""
    out = []
    for s in sessions:
        out += [f"{s.tag} ({s.page}): {e}" for e in s.errors]
        if s.crosstalk:
            out.append(f"{s.tag} ({s.page}): cross-talk: {s.crosstalk}")
        if s.unanswered:
            out.append(f"{s.tag} ({s.page}): never answered")
    return out


def table(rows_: Sequence[Row]) -> str:
    head = (
        f"{'pattern':<10} {'metric':<31} {'target':>8} {'n':>3} {'p50':>7} {'p95':>7} {'max':>7}  "
    )
    lines = [head + "verdict", "-" * (len(head) + 7)]
    for r in rows_:
        verdict = {True: "ok", False: "MISS", None: ""}[r.ok]
        lines.append(
            f"{r.pattern:<10} {r.metric:<31} {r.target:>8} {r.n:>3} "
            f"{r.p50:>7.2f} {r.p95:>7.2f} {r.max:>7.2f}  {verdict}"
        )
    return "\n".join(lines)
