"""Import everything the pages need once per process, before any page draws.

Streamlit runs each session's script in its own thread. On a fresh server several students'
sessions therefore import pandas, pyarrow, torch.func and plotly's lazily loaded parts for the
first time at once, and plotly peeks at ``sys.modules["pandas"]`` without importing it: a thread
that finds pandas there half-initialised by another fails with "partially initialized module
'pandas' has no attribute 'Series'" (seen 8-11 times per run with six sessions). app.py calls
:func:`warm_up` first; the lock makes every other session wait until the imports are complete.
It also sets torch's thread count for the process, once (:func:`_threads`), and how the C heap
gives freed tensors back (pages/_common/heap.py).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

from pages._common import heap

_lock = threading.Lock()
_done = False
# Packages whose modules the pages import; their __main__ modules are programs, not libraries,
# and the page files themselves (pages/<page>.py) draw when imported: only pages/_<x>/ is glue.
PACKAGES = ("engine", "viz", "pages")


def warm_up() -> None:
    """Import the libraries and every engine, viz and glue module, and run each lazily loaded
    path once (a figure to JSON, a table to Arrow, a vmap'd backward). Idempotent and cheap
    after the first call; concurrent callers wait for the first one to finish."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        _threads()
        heap.bound_heap()  # before any large tensor: freed activations go back (heap.py)
        _import_all()
        _exercise()
        _done = True


def _threads() -> None:
    """Torch's intra-op threads, once for the whole server process.

    Every session's script and every worker of pages/_common/jobs.py is a thread of one
    process: with torch's default (one OpenMP thread per core each) thirty sessions would
    oversubscribe two cores. A thread takes the process's count when it first runs a torch op,
    so this runs before any session computes; the policy itself is engine.core.threads'.
    """
    from engine.core.threads import configure_process

    configure_process()


def _import_all() -> None:
    # pandas and pyarrow first and explicitly: Streamlit and plotly import them lazily.
    for name in ("pandas", "pyarrow", "sklearn.datasets", "plotly.graph_objects", "plotly.io"):
        importlib.import_module(name)
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            page_file = package == "pages" and not info.name.split(".")[1].startswith("_")
            if not info.name.endswith("__main__") and not page_file:
                importlib.import_module(info.name)


def _exercise() -> None:
    """The first call of each lazy path: plotly's template and trace classes and its JSON
    encoder (which looks up pandas), Streamlit's Arrow conversion, torch.func's vmap."""
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go
    import plotly.io as pio
    import torch
    from streamlit import dataframe_util
    from torch.func import vmap

    x = np.arange(3, dtype=np.float32)
    fig = go.Figure([go.Scatter(x=x, y=x), go.Scattergl(x=x, y=x), go.Heatmap(z=[x, x])])
    fig.add_trace(go.Contour(z=[x, x]))
    fig.update_layout(template="plotly_white")
    pio.to_json(fig, validate=False)
    dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame({"a": x, "b": ["x", "y", "z"]}))
    w = torch.ones(2, 3, requires_grad=True)
    (grad,) = torch.autograd.grad(vmap(lambda r: (r * r).sum())(w).sum(), w)
    assert grad.shape == w.shape
