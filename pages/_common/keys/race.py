"""URL/session-state fields of the Optimizer race page (prefix ``rc_``).

The optimizer picker and hyperparameters come from :mod:`pages._common.optimizer_widgets`
(``rc_opts``, ``rc_<optimizer>_<hyper>``), with each optimizer's learning rate for networks
(``engine.optimizers.traits(name).lr["network"]``) instead of its 2D surfaces' one.
"""

from __future__ import annotations

import dataclasses

from engine import activations, optimizers
from engine.core.i18n import N_
from engine.nets import datasets, initializers
from pages._common import optimizer_widgets as ow
from pages._common.state import BoolField, ChoiceField, Field, FloatField, IntField

PREFIX = "rc_"
PARKED = "_rc_parked"  # the fields of the optimizers not picked (state.park)
MODES = ("race", "sweep")
MODE_LABELS = {"race": N_("Race"), "sweep": N_("Learning-rate sweep")}  # drawn with _()
MAX_STEPS = 2000
MAX_DEPTH = 8
MAX_WIDTH = 128
MAX_SWEEP = 15
MAX_N = 2000
WIDTHS = (2, 4, 8, 16, 32, 64, 128)

MODE = ChoiceField("rc_mode", "race", choices=MODES)
DATASET = ChoiceField("rc_data", "spirals", choices=tuple(datasets.names()))
N = IntField("rc_n", 400, low=40, high=MAX_N)
NOISE = FloatField("rc_noise", 0.1, low=0.0, high=1.0)
CLASSES = IntField("rc_classes", 3, low=2, high=6)
DEPTH = IntField("rc_depth", 3, low=1, high=MAX_DEPTH)
WIDTH = IntField("rc_width", 32, low=2, high=MAX_WIDTH)
ACTIVATION = ChoiceField("rc_act", "relu", choices=tuple(activations.names()))
INIT = ChoiceField("rc_init", "kaiming_normal", choices=initializers.NAMES)
BATCHNORM = BoolField("rc_bn", False)
STEPS = IntField("rc_steps", 300, low=10, high=MAX_STEPS)
BATCH = IntField("rc_batch", 0, low=0, high=datasets.DIGITS_N)
SEED = IntField("rc_seed", 0, low=0, high=10**6)
TARGET = FloatField("rc_target", 0.2, low=1e-4, high=10.0)
SWEEP_N = IntField("rc_sweep_n", 9, low=3, high=MAX_SWEEP)
SWEEP_LO = FloatField("rc_sweep_lo", 1e-4, low=1e-6, high=10.0)
SWEEP_HI = FloatField("rc_sweep_hi", 1.0, low=1e-6, high=10.0)


def _optimizer_fields() -> list[Field]:
    out = []
    for field in ow.fields(PREFIX):
        name = field.key[len(PREFIX) :].rsplit("_", 1)
        if len(name) == 2 and name[1] == "lr" and name[0] in optimizers.names():
            field = dataclasses.replace(field, default=optimizers.traits(name[0]).lr["network"])
        out.append(field)
    return out


OPTIMIZERS: tuple[Field, ...] = tuple(_optimizer_fields())
FIELDS: tuple[Field, ...] = (
    MODE, DATASET, N, NOISE, CLASSES, DEPTH, WIDTH, ACTIVATION, INIT, BATCHNORM, STEPS, BATCH,
    SEED, TARGET, SWEEP_N, SWEEP_LO, SWEEP_HI, *OPTIMIZERS,
)  # fmt: skip
