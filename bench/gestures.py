"""Server time of each other page's most common gesture (AppTest, medians of new values).

- Activation explorer: an activation added to the picked ones.
- Gradient flow: a preset clicked, up to the end of its "At initialisation" part (the training
  that follows is timed apart: its first live update).
- Optimizer race: a learning rate changed before anything was trained (the page only redraws
  its plan); and, once Run was pressed, the first live update of a race.

Run: `python -m bench.gestures` from the repository root (or `make bench`).
Targets (issue 12): <= 0.10 s where nothing trains; the first live update <= 0.3 s.
"""

from __future__ import annotations

import statistics
import time

from bench.common import median_of, page_app, table, verdict

GESTURE_S = 0.10
FIRST_LIVE_S = 0.3


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def activation_picked() -> tuple[float, float]:
    at = page_app("activations").run()
    _ok(at)
    base = list(at.multiselect(key="act_sel").value)
    extra = iter(["elu", "silu", "softplus", "leaky_relu", "selu", "mish", "hardtanh"])

    def pick():
        at.multiselect(key="act_sel").set_value([*base, next(extra)]).run()

    seconds = median_of(pick, 5)
    _ok(at)
    return seconds


def gradient_flow_preset() -> tuple[float, float]:
    """(the "At initialisation" part, the first live update of the training after it)."""
    from pages._gradient_flow import runs

    original, live = runs.train, runs._live_charts
    marks: dict[str, float] = {}

    def until_training(data, nets):  # times the part before training, then trains nothing
        marks["init"] = time.perf_counter()
        return runs._outcome(runs.Status.WAITING, [label for label, _ in nets], {})

    def first_live(slot, hist, heatmap, n):  # times the first live chart, then asks to stop
        live(slot, hist, heatmap, n)
        marks.setdefault("live", time.perf_counter())
        runs.st.session_state["gf_stop"] = True

    at = page_app("gradient_flow")
    runs.train = until_training
    try:
        at.run()
        _ok(at)
        init = []
        for name in ("relu_he", "selu", "residual", "batchnorm", "zero_init"):
            started = time.perf_counter()
            at.button(key=f"gf_btn_{name}").click().run()
            init.append(marks.pop("init") - started)
            _ok(at)
        runs.train, runs._live_charts = original, first_live
        first = []
        for name in ("dead_relu", "exploding", "sigmoid_mse"):
            started = time.perf_counter()
            at.button(key=f"gf_btn_{name}").click().run()
            if "live" in marks:  # a run that waits for a press has no live update
                first.append(marks.pop("live") - started)
    finally:
        runs.train, runs._live_charts = original, live
    return statistics.median(init), statistics.median(first) if first else float("nan")


def race_gestures() -> tuple[tuple[float, float], float]:
    """(a learning rate changed before any Run, the first live update after Run)."""
    from engine.nets import race as engine_race

    at = page_app("race").run()
    _ok(at)
    lrs = iter([0.001, 0.002, 0.005, 0.0005, 0.01, 0.02, 0.0002])

    def change_lr():
        at.select_slider(key="rc_adam_lr").set_value(next(lrs)).run()

    changed = median_of(change_lr, 5)
    _ok(at)

    original = engine_race.race
    marks: dict[str, float] = {}

    def first_update(*args, callback=None, **kw):
        def timed(t, partial):
            callback(t, partial)
            marks.setdefault("live", time.perf_counter())
            return False  # the first update is what is timed: stop the race there

        return original(*args, callback=timed, **kw)

    engine_race.race = first_update
    try:
        first = []
        for seed in (1, 2, 3):
            at.number_input(key="rc_seed").set_value(seed)
            started = time.perf_counter()
            at.run()
            if "live" not in marks:  # nothing trained yet: the first race waits for Run
                at.button(key="rc_run").click()
                started = time.perf_counter()
                at.run()
            _ok(at)
            if "live" in marks:
                first.append(marks.pop("live") - started)
    finally:
        engine_race.race = original
    return changed, statistics.median(first) if first else float("nan")


def main() -> None:
    act = activation_picked()
    init, gf_live = gradient_flow_preset()
    race_lr, race_live = race_gestures()
    rows = [
        ["activations: an activation picked", f"{act[0]:.3f} s", f"{act[1]:.3f} s",
         f"<= {GESTURE_S} s", verdict(act[0], GESTURE_S)],
        ["gradient flow: a preset clicked, 'At initialisation'", f"{init:.3f} s", "",
         f"<= {GESTURE_S} s", verdict(init, GESTURE_S)],
        ["gradient flow: the click -> first live update", f"{gf_live:.3f} s", "",
         f"<= {FIRST_LIVE_S} s", verdict(gf_live, FIRST_LIVE_S)],
        ["race: a learning rate changed (nothing trains)", f"{race_lr[0]:.3f} s",
         f"{race_lr[1]:.3f} s", f"<= {GESTURE_S} s", verdict(race_lr[0], GESTURE_S)],
        ["race: the change -> first live update", f"{race_live:.3f} s", "",
         f"<= {FIRST_LIVE_S} s", verdict(race_live, FIRST_LIVE_S)],
    ]  # fmt: skip
    print("Other pages, server time per gesture (AppTest; medians of new values). The verdict")
    print("reads the wall clock; CPU: what the process spent (all threads).")
    print(table(["gesture", "wall", "CPU", "target", "verdict"], rows))


if __name__ == "__main__":
    main()
