"""URL/session-state fields of the Gradients through time page (prefix ``sq_``).

``SETTINGS`` is keyed by the attribute names of :class:`engine.sequences.presets.Settings`, so
the glue converts both ways; ``POSITION`` (the connectivity's output position, 0 = the last
step) and ``PRESET`` are view state only.
"""

from __future__ import annotations

from engine import optimizers
from engine.sequences import models, presets, tasks, training
from pages._common.state import ChoiceField, Field, FloatField, IntField, MultiChoiceField

CUSTOM = "custom"
MAX_STEPS = 2000  # the page's bound (the engine allows 5000): a classroom demo stays short
MAX_BATCH = 256
MAX_HIDDEN = 128  # the engine allows 256; on a CPU 128 is already slow at T = 200
MAX_CLIP = 100.0

_D = presets.Settings()

PRESET = ChoiceField("sq_preset", "vanishing", choices=(CUSTOM, *presets.names()))
POSITION = IntField("sq_pos", 0, low=0, high=tasks.MAX_T)

SETTINGS: dict[str, Field] = {
    "task": ChoiceField("sq_task", _D.task, choices=tuple(tasks.names())),
    "T": IntField("sq_T", _D.T, low=tasks.MIN_T, high=tasks.MAX_T),
    "cells": MultiChoiceField("sq_cells", list(_D.cells), choices=models.CELLS),
    "hidden": IntField("sq_hidden", _D.hidden, low=1, high=MAX_HIDDEN),
    "layers": IntField("sq_layers", _D.layers, low=1, high=models.MAX_LAYERS),
    "init": ChoiceField("sq_init", _D.init, choices=models.INITS),
    "radius": FloatField("sq_radius", _D.radius, low=0.05, high=models.MAX_RADIUS),
    "forget_bias": FloatField("sq_fbias", _D.forget_bias, low=0.0, high=3.0),
    "clip": FloatField("sq_clip", _D.clip, low=0.0, high=MAX_CLIP),
    "optimizer": ChoiceField("sq_opt", _D.optimizer, choices=tuple(optimizers.names())),
    "lr": FloatField("sq_lr", _D.lr, low=1e-5, high=10.0),
    "steps": IntField("sq_steps", _D.steps, low=1, high=min(MAX_STEPS, training.MAX_STEPS)),
    "batch": IntField("sq_batch", _D.batch, low=1, high=MAX_BATCH),
    "seed": IntField("sq_seed", _D.seed, low=0, high=999_999),
}

FIELDS: list[Field] = [PRESET, POSITION, *SETTINGS.values()]
