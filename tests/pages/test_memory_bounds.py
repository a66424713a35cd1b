"""The pages' caches are bounded: every one in count, those whose entries can be large in bytes.

bench/memory.py measures the session's peak memory at every page's maxima and prints each
cache's worst case; these tests check the bounds themselves, without timing or RSS.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from engine.nets import landscape_presets as presets
from engine.nets import landscape_study as study
from engine.nets import trajectory_pca
from pages._common import heap, jobs
from pages._landscape import compute

ROOT = Path(__file__).resolve().parents[2]
CACHES = ("cache_data", "cache_resource")


def cache_decorators() -> list[tuple[str, str, dict[str, ast.expr]]]:
    """(file:function, cache kind, keyword arguments) of every Streamlit cache in pages/."""
    found = []
    for path in sorted((ROOT / "pages").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if isinstance(target, ast.Attribute) and target.attr in CACHES:
                    kw = {k.arg: k.value for k in dec.keywords} if isinstance(dec, ast.Call) else {}
                    found.append((f"{path.relative_to(ROOT)}:{node.name}", target.attr, kw))
    return found


def test_every_cache_of_the_pages_has_a_count_bound():
    found = cache_decorators()
    assert len(found) > 20, found  # the scan sees the pages' caches
    assert [name for name, _, kw in found if "max_entries" not in kw] == []


def test_the_landscape_store_is_bounded_in_bytes():
    store = compute.store()
    assert isinstance(store, jobs.LRU)
    assert (store.size, store.max_bytes) == (compute.STORE_SIZE, compute.STORE_BYTES)
    # Entries of a third of the bound each (broadcast: no memory behind them): two fit.
    third = np.broadcast_to(np.zeros(1, np.uint8), (compute.STORE_BYTES // 3 + 1,))
    store.items.clear()
    try:
        for key in "abc":
            store.put(key, compute.Result([third], [], None, 0.0))
        assert list(store.items) == ["b", "c"] and store.bytes <= compute.STORE_BYTES
    finally:
        store.items.clear()


def test_the_landscape_byte_bound_binds_at_the_pages_maxima():
    """A comparison keeps at most MAX_VALUES recorded float32 weights per network (160 MB for
    two): the count alone would allow 1.3 GB; the byte bound keeps three of the largest."""
    largest = 2 * trajectory_pca.MAX_VALUES * 4
    assert compute.STORE_SIZE * largest > 2 * compute.STORE_BYTES
    assert 3 * largest <= compute.STORE_BYTES


def test_a_landscape_result_counts_its_recorded_weights():
    """The byte bound sees the recorded path: nbytes of a real (small) result includes it."""
    spec = presets.NetSpec(depth=2, width=8, batchnorm=False)
    data = presets.DataSpec(n=60, steps=4)
    split = study.make_split(data)
    [run] = study.train([spec], data, split)
    result = compute.Result([run], [], None, 0.0)
    weights = run.path.weights
    assert jobs.nbytes(result) >= weights.nelement() * weights.element_size() > 0


def test_each_job_gives_its_freed_memory_back(monkeypatch):
    """Before a job's work starts and after it returns, the pool trims the C heaps (glibc
    keeps freed activations resident otherwise: bench/memory.py's 'kept' column)."""
    calls = []
    monkeypatch.setattr(heap, "_TRIM", lambda pad: calls.append(pad) or 1)
    pool = jobs.Pool(1)
    job = jobs.Job("k", lambda job: calls.append("work"), 0.0)
    pool.put(job)
    assert job.wait(30) and job.state is jobs.State.DONE
    assert calls == [0, "work", 0]


def test_a_job_that_computed_long_collects_and_a_quick_one_does_not(monkeypatch):
    collects = []
    monkeypatch.setattr(heap.gc, "collect", lambda *a: collects.append(1) or 0)
    pool = jobs.Pool(1)
    for long_s, expected in ((jobs.LONG_RUN_S, []), (0.0, [1])):
        monkeypatch.setattr(jobs, "LONG_RUN_S", long_s)  # 0: any job counts as long
        job = jobs.Job(("k", long_s), lambda job: None, 0.0)
        pool.put(job)
        assert job.wait(30) and job.state is jobs.State.DONE
        assert collects == expected


def test_the_trim_is_found_on_linux():
    import platform

    if platform.libc_ver()[0] == "glibc":
        assert heap._TRIM is not None
    heap.release_memory()  # harmless wherever it runs


_MAPPED = """
import pathlib, torch
from pages._common import heap, warmup

def rss_kib():
    line = next(x for x in pathlib.Path("/proc/self/status").read_text().splitlines()
                if x.startswith("VmRSS:"))
    return int(line.split()[1])

{bound}
big = torch.ones(4 * 2**20)  # 16 MB: mapped alone; when freed, glibc's dynamic threshold rises
del big
before = rss_kib()
blocks = [torch.ones(2**19) for _ in range(8)]  # 8 x 2 MB, above heap.MMAP_THRESHOLD
del blocks
print(rss_kib() - before)
"""


@pytest.mark.parametrize("bound", [False, True], ids=["glibc default", "app"])
def test_freed_large_tensors_leave_the_process(bound):
    """With the app's heap setting (set by warm_up), tensors above 1 MiB go back to the system
    when freed; with glibc's default dynamic threshold they stay in the heap (16 MB here)."""
    import platform
    import subprocess
    import sys

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc's allocator only")
    code = _MAPPED.format(bound="warmup.warm_up()" if bound else "")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kept_kib = int(done.stdout.split()[-1])
    assert (kept_kib < 2048) if bound else (kept_kib > 8 * 1024), kept_kib


def test_after_long_work_what_only_cycles_hold_is_freed():
    """A page's namespace stays in a reference cycle after its run: a long run's results would
    wait for Python's next full collection. release_memory(collect=True) frees them now."""
    import gc
    import weakref

    import torch

    gc.disable()  # as between two automatic collections
    try:
        namespace: dict = {"result": torch.ones(2**18)}
        namespace["self"] = namespace  # a cycle, as a module dict and its functions
        alive = weakref.ref(namespace["result"])
        del namespace
        heap.release_memory()
        assert alive() is not None  # trimming alone does not reach it
        heap.release_memory(collect=True)
        assert alive() is None
    finally:
        gc.enable()


def test_a_long_script_run_collects_and_a_short_one_does_not(monkeypatch):
    from streamlit.testing.v1 import AppTest

    collects = []
    monkeypatch.setattr(heap.gc, "collect", lambda *a: collects.append(1) or 0)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and collects == []  # the home page: quick
    monkeypatch.setattr(heap, "LONG_RUN_S", 0.0)  # every run counts as long now
    # A fresh AppTest: only its first run goes through app.py (later ones run the page alone).
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and collects == [1]


def test_the_playground_runs_are_bounded_in_bytes():
    """paths() keeps whole runs with their state histories (about 5 MB each at the maxima):
    its cache has a byte bound as well as a count."""
    from pages._playground import data

    info = data.paths._info  # the cache's settings, as Streamlit (pinned) holds them
    assert (info.max_entries, info.max_size_bytes) == (32, data.PATHS_MAX_SIZE)
    assert 0 < data.PATHS_MAX_SIZE <= 64 * 2**20


def test_every_script_run_gives_its_freed_memory_back(monkeypatch):
    """Pages that compute in the script's thread (playground, sequences, landscape) leave their
    freed temporaries in that thread's heap: the app trims after each run."""
    from streamlit.testing.v1 import AppTest

    calls = []
    monkeypatch.setattr(heap, "_TRIM", lambda pad: calls.append(pad) or 1)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and calls == [0]
