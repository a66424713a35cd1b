"""URL / session-state fields of the optimizer playground (prefix ``pg_``), declared once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine import optimizers, surfaces
from engine.core.i18n import N_
from engine.optimizers import schedules
from engine.surfaces import default_lrs
from pages._common import optimizer_widgets
from pages._common.state import (
    BoolField,
    ChoiceField,
    FloatField,
    IntField,
    TextField,
)

PREFIX = "pg_"
MODES = ("paths", "starts", "sweep")
MODE_LABELS = {  # English, marked N_(): drawn with _()
    "paths": N_("Trajectories"),
    "starts": N_("Many starts"),
    "sweep": N_("Learning-rate sweep"),
}
CUSTOM = "custom"
MAX_STEPS = 2000
MAX_GRID = 30
MAX_SWEEP = 64


@dataclass(frozen=True)
class OptionalFloatField(FloatField):
    """A float that may be unset (None): the start point, whose default is the surface's."""

    def encode(self, value: Any) -> str:
        return "" if value is None else super().encode(value)


MODE = ChoiceField("pg_mode", "paths", choices=MODES)
SURFACE = ChoiceField("pg_surface", "beale", choices=(*surfaces.names(), CUSTOM))
EXPR = TextField("pg_expr", "x**2 + 5*y**2 + sin(3*x)", max_length=300)
X0 = OptionalFloatField("pg_x0", None, low=-1e6, high=1e6)
Y0 = OptionalFloatField("pg_y0", None, low=-1e6, high=1e6)
STEPS = IntField("pg_steps", 300, low=10, high=MAX_STEPS)  # the Steps slider's ends
NOISE = FloatField("pg_noise", 0.0, low=0.0, high=10.0)
SEED = IntField("pg_seed", 0, low=0, high=2**31 - 1)
SCHEDULE = ChoiceField("pg_sched", "constant", choices=tuple(schedules.names()))
SCHED_SIZE = IntField("pg_sch_size", 100, low=1, high=MAX_STEPS)
SCHED_GAMMA = FloatField("pg_sch_gamma", 0.5, low=0.0, high=1.0)
SCHED_EGAMMA = FloatField("pg_sch_egamma", 0.99, low=0.9, high=1.0)
SCHED_MIN = FloatField("pg_sch_min", 0.0, low=0.0, high=1.0)
SCHED_WARM = IntField("pg_sch_warm", 50, low=1, high=MAX_STEPS)
SCHED_F0 = FloatField("pg_sch_f0", 0.01, low=1e-4, high=1.0)
TOL = FloatField("pg_tol", 1e-3, low=1e-12, high=1e3)
SHOW_3D = BoolField("pg_3d", True)
GRID = IntField("pg_grid", 20, low=2, high=MAX_GRID)
SWEEP_LO = FloatField("pg_sw_lo", 1e-4, low=1e-6, high=10.0)
SWEEP_HI = FloatField("pg_sw_hi", 10.0, low=1e-5, high=100.0)
SWEEP_N = IntField("pg_sw_n", 32, low=4, high=MAX_SWEEP)
SWEEP_METRIC = ChoiceField("pg_sw_metric", "final", choices=("final", "mean"))

PAGE_FIELDS = [
    MODE, SURFACE, EXPR, X0, Y0, STEPS, NOISE, SEED, SCHEDULE, SCHED_SIZE, SCHED_GAMMA,
    SCHED_EGAMMA, SCHED_MIN, SCHED_WARM, SCHED_F0, TOL, SHOW_3D, GRID, SWEEP_LO, SWEEP_HI,
    SWEEP_N, SWEEP_METRIC,
]  # fmt: skip


def _rate_keys() -> dict[str, tuple[str, str, int | None]]:
    """Session key -> (optimizer, setting, element of a pair) of every per-surface step size."""
    out: dict[str, tuple[str, str, int | None]] = {}
    for name in optimizers.names():
        specs = {s.name: s for s in optimizers.hyper_specs(name)}
        for hyper in ("lr", *default_lrs.SCALED.get(name, ())):
            k = optimizer_widgets.key(PREFIX, name, hyper)
            if specs[hyper].kind == "pair":
                out |= {f"{k}{i + 1}": (name, hyper, i) for i in range(2)}
            else:
                out[k] = (name, hyper, None)
    return out


#: Each optimizer's learning rate (and AdaBound's final rate, Rprop's step bounds, which scale
#: with it); None (the default) means the surface's own default
#: (``engine.surfaces.default_lrs``), so a link only carries the rates someone changed.
RATE_KEYS = _rate_keys()
_OPTIMIZER_FIELDS = [
    OptionalFloatField(f.key, None, low=f.low, high=f.high) if f.key in RATE_KEYS else f
    for f in optimizer_widgets.fields(PREFIX)
]
RATES = {f.key: f for f in _OPTIMIZER_FIELDS if f.key in RATE_KEYS}
LR = {name: RATES[optimizer_widgets.key(PREFIX, name, "lr")] for name in optimizers.names()}
FIELDS = PAGE_FIELDS + _OPTIMIZER_FIELDS
#: Session-state keys that are not URL fields.
MAP_KEY = "pg_map"  # the contour chart's selection (a click sets the start)
TAB = "pg_tab"  # the trajectories view's open tab, bound to the URL by st.tabs itself
LAST_CLICK = "_pg_last_click"
LAST_GOOD = "_pg_last_good"  # the last results that rendered, shown with a warning on failure
LAST_SURFACE = "_pg_last_surface"  # the last custom expression that parsed
LR_DEFAULTS = "_pg_lr_defaults"  # the default learning rates of the surface last drawn
PARKED = "_pg_parked"  # the fields of the optimizers not picked (state.park)
