"""URL/session-state fields of the Optimizer race page (prefix ``rc_``).

The optimizer picker and hyperparameters come from :mod:`pages._common.optimizer_widgets`
(``rc_opts``, ``rc_<optimizer>_<hyper>``), with learning rates tuned for the default network
instead of the 2D surfaces' ones.
"""

from __future__ import annotations

import dataclasses

from engine import activations, optimizers
from engine.nets import datasets, initializers
from pages._common import optimizer_widgets as ow
from pages._common.state import BoolField, ChoiceField, Field, FloatField, IntField

PREFIX = "rc_"
MODES = ("race", "sweep")
MODE_LABELS = {"race": "Race", "sweep": "Learning-rate sweep"}
MAX_STEPS = 2000
MAX_DEPTH = 8
MAX_WIDTH = 128
MAX_SWEEP = 15
MAX_N = 2000
WIDTHS = (2, 4, 8, 16, 32, 64, 128)

# Learning rates for the default race (3-class spirals, 3 x 32 ReLU, full batch, 300 steps):
# each optimizer learns, and the race shows them apart (SGD slowest, Adam/AdaGrad first).
NET_LR = {
    "sgd": 0.05,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.02,
    "rmsprop": 0.001,
    "adadelta": 1.0,
    "adam": 0.003,
    "adamw": 0.003,
    "amsgrad": 0.003,
    "nadam": 0.003,
    "radam": 0.003,
    "adamax": 0.003,
}

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


def net_lr(name: str) -> float:
    """``name``'s learning rate for a network: measured above, else the engine's (torch's) default.

    The optimizers' own defaults are tuned for networks; the 2D surfaces' rates are not.
    """
    if name in NET_LR:
        return NET_LR[name]
    return next(float(s.default) for s in optimizers.hyper_specs(name) if s.name == "lr")


def _optimizer_fields() -> list[Field]:
    lr_keys = {ow.key(PREFIX, n, "lr"): n for n in optimizers.names()}
    out = []
    for field in ow.fields(PREFIX):
        if field.key in lr_keys:
            field = dataclasses.replace(field, default=net_lr(lr_keys[field.key]))
        out.append(field)
    return out


OPTIMIZERS: tuple[Field, ...] = tuple(_optimizer_fields())
FIELDS: tuple[Field, ...] = (
    MODE, DATASET, N, NOISE, CLASSES, DEPTH, WIDTH, ACTIVATION, INIT, BATCHNORM, STEPS, BATCH,
    SEED, TARGET, SWEEP_N, SWEEP_LO, SWEEP_HI, *OPTIMIZERS,
)  # fmt: skip
