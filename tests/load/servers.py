"""The servers a load test talks to: one Streamlit process, or several behind nginx
(deploy/serve_many.sh), each writing the timing log; and their peak memory."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_LIMIT_S = 300  # a server that is not up by then is reported, not waited for


def free_port(span: int = 1) -> int:
    """A loopback port whose next ``span - 1`` ports look free too."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port + span < 65000 and all(_free(port + i) for i in range(1, span)):
            return port
    raise RuntimeError("no free port range on 127.0.0.1")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_healthy(
    url: str,
    proc: subprocess.Popen | None,
    log: Path | None = None,
    limit_s: float = START_LIMIT_S,
) -> None:
    """Return once the Streamlit server at ``url`` answers its health check with 200.

    RuntimeError when ``proc`` exits first or ``limit_s`` passes (naming ``log``, the server's
    output, where given). The one start-up wait: the load test, the browser tests' server
    (tests/browser/conftest.py) and bench/e2e.py all start through here.
    """
    deadline = time.monotonic() + limit_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError("the server did not start" + (f"; see {log}" if log else ""))
        time.sleep(0.3)


@contextlib.contextmanager
def serve(procs: int, run_dir: Path, timing_log: Path) -> Iterator[tuple[str, list[int]]]:
    """Start the app (``procs`` > 1: behind nginx); yield its URL and the Streamlit pids."""
    env = {**os.environ, "GRADLAB_TIMING_LOG": str(timing_log)}
    run_dir.mkdir(parents=True, exist_ok=True)
    if procs == 1:
        port = free_port()
        log = run_dir / f"streamlit-{port}.log"
        cmd = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true", "--server.address", "127.0.0.1",
            "--server.port", str(port), "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
    else:
        port = free_port(procs + 1)
        log = run_dir / "serve_many.log"
        cmd = ["bash", str(ROOT / "deploy" / "serve_many.sh"), str(procs), str(port)]
        env.update(RUN_DIR=str(run_dir), PYTHON=sys.executable)
    url = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            if procs > 1:  # nginx answers once every process is up
                _wait_for_line(log, "Gradient lab on", proc)
            wait_healthy(url, proc, log)
            pids = [proc.pid] if procs == 1 else _read_pids(run_dir / "pids")
            yield url, pids
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)  # its own group: the script and its children
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _wait_for_line(log: Path, text: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_LIMIT_S
    while text not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"serve_many did not start; see {log}")
        time.sleep(0.5)


def _read_pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()]


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples the summed RSS of ``pids`` twice a second in a thread; ``peak`` is the largest."""

    def __init__(self, pids: list[int], every_s: float = 0.5) -> None:
        self.pids, self.every_s, self.peak = pids, every_s, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(rss_mb(p) for p in self.pids))
            self._stop.wait(self.every_s)
