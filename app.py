"""Gradient lab: entry point. `make run` starts it; pages live in pages/ (one thin file each)."""

import time

import streamlit as st

from engine.core.i18n import _
from pages._common import language, script_slots
from pages._common.heap import LONG_RUN_S, release_memory
from pages._common.navigation import available, mark_app_entry
from pages._common.timing import timed_run
from pages._common.warmup import warm_up

started = time.time()  # the run's start, warm-up included, for the timing log
computed = time.thread_time()  # this thread's CPU time: what the run itself computed
# GRADLAB_SCRIPT_SLOTS=n: at most n runs compute at once, the rest wait off the interpreter lock
# (pages/_common/script_slots.py: no limit by default, and why).
with script_slots.turn():
    mark_app_entry()
    warm_up()  # before any page draws: sessions of a fresh server would race their first imports
    language.apply()  # before any text: this run's language (pages/_common/language.py)
    st.set_page_config(page_title=_("Gradient lab"), page_icon=":material/insights:", layout="wide")

    pages = [
        st.Page(
            page.path,
            title=_(page.title),
            url_path=page.url_path,
            icon=page.icon,
            default=(page.url_path == "home"),
        )
        for page in available()
    ]
    current = st.navigation(pages)
    with st.sidebar:
        language.switch()  # on every page, above the page's own controls
    try:
        with timed_run(current.url_path, started):  # GRADLAB_TIMING_LOG=path: the time of each run
            current.run()
    finally:
        # What the run freed leaves the C heaps (it would stay resident otherwise); after long work,
        # what only the script's reference cycles hold goes too (pages/_common/heap.py). CPU time,
        # not wall time: with a class on the server a light run waits long but computes little.
        release_memory(collect=time.thread_time() - computed >= LONG_RUN_S)
