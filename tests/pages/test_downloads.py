"""A file made on a download click is in the language of the session that drew the button,
though Streamlit makes it on a thread of its own (where no language is set)."""

from __future__ import annotations

import contextvars
import threading

from engine.core.i18n import _, in_language, set_language
from pages._common.downloads import made_later

HEADER = "optimizer,step,x,y,loss,diverged_at"  # the playground's CSV header, translated


def _on_another_thread(fn):
    out = []
    worker = threading.Thread(target=lambda: out.append(fn()))
    worker.start()
    worker.join()
    return out[0]


def _made_in(lang: str, fn):
    def draw():
        set_language(lang)
        return fn()

    return contextvars.copy_context().run(draw)


def test_deferred_file_keeps_the_sessions_language():
    zh = in_language("zh", HEADER)
    assert zh != HEADER  # the catalogue translates it, or this test proves nothing
    later = _made_in("zh", lambda: made_later(lambda prefix: prefix + _(HEADER), ">"))
    assert _on_another_thread(later) == ">" + zh
    assert _on_another_thread(lambda: _(HEADER)) == HEADER  # what a bare callable would give
    # twice at once: each call runs in its own copy of the context
    both = [_on_another_thread(later) for _ in range(2)]
    assert both == [">" + zh] * 2
    assert _made_in("en", lambda: _on_another_thread(made_later(_, HEADER))) == HEADER


def test_playground_csv_header_in_chinese():
    from pages._playground import data

    empty = type("R", (), {"names": [], "labels": [], "paths": [], "losses": [], "diverged_at": []})
    later = _made_in("zh", lambda: made_later(data.trajectories_csv, empty()))
    assert _on_another_thread(later).splitlines()[0] == in_language("zh", HEADER)
