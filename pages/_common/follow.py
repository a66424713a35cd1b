"""The page side of pages/_common/jobs.py: the process's pool, this session, the live loop.

Streamlit runs each session's script in its own thread. A page that needs a heavy run submits
it to a registry and then *follows* it: its script loops, redrawing progress and the partial
result, until the job has finished, while the work itself runs on one of the pool's workers.
Thirty sessions on the same link follow one job; a session whose script is interrupted (another
setting, Stop, a closed tab) leaves it, and a job nobody follows any more is cancelled.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Hashable, Sequence

import streamlit as st

from engine.core.i18n import _
from pages._common import jobs, script_slots

# How often a follower updates its progress bar: also how soon it notices a click, since a
# rerun interrupts the script at its next Streamlit call (a small progress message is one).
POLL_S = 0.25
# Every follower redraws its live charts, and every browser renders them: a crowd on one job
# slows its charts down together so that about this many are drawn a second for the job in all
# (30 followers: each every 7.5 s), leaving the cores to the training and to light work.
CROWD_CHARTS_PER_S = 4.0
_ME = "_jobs_subscriber"  # session-state key: this session's subscriber id


def worker_count(environ: dict[str, str] | os._Environ = os.environ) -> int:
    """Workers for heavy runs: ``GRADLAB_WORKERS``, else half the CPUs (at least one).

    On a 2-core server one worker trains while the other core draws every session's figures;
    each worker runs torch on one thread (see pages/_common/warmup.py).
    """
    given = environ.get("GRADLAB_WORKERS", "").strip()
    if given:
        return max(1, int(given))
    return max(1, (os.cpu_count() or 1) // 2)


@st.cache_resource(max_entries=1, show_spinner=False)
def pool() -> jobs.Pool:
    """The process's one pool: every page's heavy runs wait in the same line."""
    return jobs.Pool(worker_count())


def subscriber() -> str:
    """This session's id as a subscriber of jobs (kept in its session state)."""
    ss = st.session_state
    if _ME not in ss:
        ss[_ME] = uuid.uuid4().hex
    return ss[_ME]


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def waiting_text(job: jobs.Job, line: jobs.Pool) -> str | None:
    """ "Waiting: 3rd in line, starts in about 20 s" while ``job`` is queued, else None."""
    place, seconds = line.position(job)
    if place == 0:
        return None
    when = (
        _("starts in about {seconds} s").format(seconds=f"{seconds:.0f}")
        if seconds >= 1
        else _("starts in a moment")
    )
    # English says "2nd"; a translation may use {number} instead of {ordinal}.
    return _("Waiting for a free worker: {ordinal} in line, {when}.").format(
        ordinal=ordinal(place), number=place, when=when
    )


def chart_interval(followed: Sequence[jobs.Job], least_s: float) -> float:
    """Seconds between two live charts of one follower: ``least_s``, longer for a crowd."""
    crowd = max((len(job.subscribers) for job in followed), default=1)
    return max(least_s, crowd / CROWD_CHARTS_PER_S)


def wait(followed: Sequence[jobs.Job], seconds: float) -> None:
    """Wait up to ``seconds`` for the first unfinished job to finish, or to report for the
    first time, whichever comes first (tests replace this)."""
    for job in followed:
        if not job.finished:
            if not job.reported.is_set():
                job.reported.wait(seconds)  # the first live update as soon as there is one
            else:
                job.wait(seconds)
            return


def follow(registry: jobs.Registry, followed: Sequence[jobs.Job], draw: Callable[[], None]) -> None:
    """Call ``draw`` about every :data:`POLL_S` seconds until every job has finished, and once
    after. ``draw`` puts progress and partial results on the page; its Streamlit calls are where
    a rerun or a closed tab interrupts this script, which then releases the jobs: they go on
    for the registry's grace period, and a rerun for the same settings follows them again."""
    me = subscriber()
    try:
        while not all(job.finished for job in followed):
            draw()
            with script_slots.set_aside():  # waiting computes nothing: another run may
                wait(followed, POLL_S)
        draw()
    except BaseException:
        for job in followed:
            registry.release(job, me)
        raise


def stop(registry: jobs.Registry, followed: Sequence[jobs.Job], settle_s: float = 10.0) -> None:
    """Stop: this session leaves ``followed`` at once. A job that nobody else follows is
    cancelled; wait (up to ``settle_s``) for its work to notice, so that its result is what it
    recorded until then."""
    me = subscriber()
    for job in followed:
        registry.leave(job, me)
    with script_slots.set_aside():
        for job in followed:
            if job.cancelled:
                job.wait(settle_s)


def recorded(job: jobs.Job) -> object | None:
    """What a stopped job shows: its result if its work returned, else its last partial."""
    if job.state is jobs.State.QUEUED:
        return None
    return job.result if job.result is not None else job.partial


def submit_all(
    registry: jobs.Registry,
    work: dict[Hashable, tuple[jobs.Work, float]],
) -> dict[Hashable, jobs.Job]:
    """Submit each ``key -> (work, estimate_s)`` for this session; jobs by key."""
    me = subscriber()
    return {key: registry.submit(key, fn, me, est) for key, (fn, est) in work.items()}
