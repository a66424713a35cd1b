"""tests/load/servers.wait_healthy, the one start-up wait of the load test, the browser tests and
bench/e2e.py: it returns on a 200 from /_stcore/health, and fails when the server exits or the
time limit passes (naming the server's log)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.load.servers import free_port, wait_healthy


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        code = self.status if self.path == "/_stcore/health" else 404
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:  # quiet
        pass


def _server(status: int):
    handler = type("Handler", (_Health,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_returns_once_the_health_check_answers_200():
    server, url = _server(200)
    try:
        wait_healthy(url, None, limit_s=10)
    finally:
        server.shutdown()


def test_an_answer_other_than_200_is_not_healthy():
    server, url = _server(503)
    try:
        start = time.monotonic()
        with pytest.raises(RuntimeError, match="did not start; see server.log"):
            wait_healthy(url, None, Path("server.log"), limit_s=1)
        assert time.monotonic() - start >= 1  # it kept asking until the limit
    finally:
        server.shutdown()


def test_a_server_process_that_exits_fails_at_once():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="the server did not start$"):
        wait_healthy(f"http://127.0.0.1:{free_port()}", proc, limit_s=60)
    assert time.monotonic() - start < 30
