"""`python -m tests.load` (or `make loadtest`): a class of browser sessions against the app.

It starts the app on 127.0.0.1 (``--procs 2``: two processes behind nginx, deploy/
serve_many.sh; ``--url``: an app already running, whose timing log ``--timing-log`` names),
then runs two patterns in Debian's chromium:

- classroom: N sessions open the same preset link at once; once all have it, each picks its own
  heatmap quantity (a light change) and must show its own, not a neighbour's;
- mixed: M sessions spread over every page, one interaction each (a race, a slider, a tick).

``--client protocol`` runs the same plans without a browser (tests/load/protocol.py): the
sessions speak the app's websocket protocol and draw nothing, so the figures are the server's
own, not those of thirty chromium tabs sharing its two cores.

It prints a table of the browser's and the server's figures against the targets
(tests/load/report.py) and exits non-zero on an error box, an exception, cross-talk or a
session that never answered; ``--strict`` fails on a missed target too. Everything stops by
itself within ``--limit-s`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.load import report, servers, sessions

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic", "--no-first-run",
    # Thirty tabs in one browser: hidden ones must keep running their page's scripts.
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]  # fmt: skip


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m tests.load", description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=30, help="classroom sessions (default 30)")
    ap.add_argument("--mixed", type=int, default=None, help="mixed sessions (default min(N, 20))")
    ap.add_argument("--procs", type=int, default=1, help="Streamlit processes (>1: nginx)")
    ap.add_argument("--url", default=None, help="an app already running (not started here)")
    ap.add_argument("--timing-log", type=Path, default=None, help="its GRADLAB_TIMING_LOG file")
    ap.add_argument("--limit-s", type=float, default=900.0, help="stop after this many seconds")
    ap.add_argument("--strict", action="store_true", help="a missed target fails the run too")
    ap.add_argument("--client", choices=("browser", "protocol"), default="browser",
                    help="chromium tabs, or the websocket protocol without a browser")  # fmt: skip
    args = ap.parse_args(argv)
    if args.mixed is None:
        args.mixed = min(args.n, 20)
    return args


async def run_pattern(browser, base: str, plans, deadline: float, together: bool):
    """Every plan's session at once; with ``together``, the changes wait until all have loaded
    (or failed), as a class does what the teacher says at the same moment."""
    crowd = sessions.Together(len(plans)) if together else None
    return await asyncio.gather(
        *(sessions.run_session(browser, base, p, deadline, crowd) for p in plans)
    )


async def drive_protocol(
    base: str, args: argparse.Namespace, deadline: float
) -> list[report.Session]:
    """The same patterns over the websocket protocol, without a browser."""
    from tests.load import protocol

    async def pattern(plans, together: bool):
        crowd = sessions.Together(len(plans)) if together else None
        return await asyncio.gather(
            *(protocol.run_session(base, p, deadline, crowd) for p in plans)
        )

    teacher = sessions.Plan("t0", "warm-up", "home", "home", figure=False)
    out = [await protocol.run_session(base, teacher, deadline, None)]
    print(f"warm-up: the first page took {out[0].loaded or float('nan'):.1f} s")
    if args.n:
        out += await pattern(sessions.classroom(args.n), True)
    if args.mixed:
        out += await pattern(sessions.mixed(args.mixed), False)
    return out


async def drive(base: str, args: argparse.Namespace, deadline: float) -> list[report.Session]:
    if args.client == "protocol":
        return await drive_protocol(base, args, deadline)
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # The teacher opened the app before the class: the server's one-off imports are done
            # (a cold start is tests/browser/test_cold_start_browser.py's subject).
            teacher = sessions.Plan("t0", "warm-up", "home", "home", figure=False)
            out = [await sessions.run_session(browser, base, teacher, deadline, None)]
            print(f"warm-up: the first page took {out[0].loaded or float('nan'):.1f} s")
            if args.n:
                out += await run_pattern(browser, base, sessions.classroom(args.n), deadline, True)
            if args.mixed:
                out += await run_pattern(browser, base, sessions.mixed(args.mixed), deadline, False)
            return out
        finally:
            await browser.close()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.client == "browser" and not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install -y chromium)", file=sys.stderr)
        return 2
    started = time.monotonic()
    deadline = started + args.limit_s
    with contextlib.ExitStack() as stack:
        run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gradlab-load-")))
        if args.url:
            base, pids, log = args.url.rstrip("/"), [], args.timing_log
        else:
            log = run_dir / "timing.jsonl"
            base, pids = stack.enter_context(servers.serve(args.procs, run_dir, log))
        print(f"load test: {args.n} classroom + {args.mixed} mixed {args.client} sessions on {base} "
              f"({args.procs} process{'es' * (args.procs > 1)}, "
              f"GRADLAB_WORKERS={os.environ.get('GRADLAB_WORKERS', 'default')}), "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
        rss = stack.enter_context(servers.PeakRss(pids))
        try:  # every wait inside ends by the deadline (a session left waiting is unanswered)
            result = asyncio.run(asyncio.wait_for(drive(base, args, deadline), args.limit_s + 120))
        except TimeoutError:
            print(f"stopped after the {args.limit_s:.0f} s limit", file=sys.stderr)
            return 1
        records = report.read_log(log) if log else []
        server_logs = "".join(
            f.read_text(errors="replace") for f in run_dir.glob("streamlit-*.log")
        )
    report.attach(records, result)
    rows = report.rows(result, rss.peak if pids else None, args.client)
    print(report.table(rows))
    print(f"({time.monotonic() - started:.0f} s; load average after: {os.getloadavg()[0]:.1f})")
    problems = report.failures(result)
    if "Traceback" in server_logs:
        problems.append("the server logged a traceback")
    for line in problems:
        print("FAIL", line)
    missed = [r for r in rows if r.ok is False]
    if problems or (args.strict and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
