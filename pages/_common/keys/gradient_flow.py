"""URL/session-state fields of the Gradient flow page (prefix ``gf_``).

Shared settings (data, seed, schedule, compare mode, preset) have one field each; the network
settings exist twice, for configuration A (``gf_a_*``) and B (``gf_b_*``). ``net_fields``
and ``DATA`` are keyed by the attribute names of :class:`engine.nets.presets.NetSettings` and
:class:`engine.nets.presets.DataSettings`, so the glue converts both ways.
"""

from __future__ import annotations

from engine import activations, optimizers
from engine.nets import datasets, initializers, losses, presets, probes
from engine.nets.networks import MAX_DEPTH, MAX_WIDTH
from pages._common.state import BoolField, ChoiceField, Field, FloatField, IntField

MAX_STEPS = 2000  # the page's bound (the engine allows 5000): keeps a classroom demo under a minute
MAX_N = 2000
CUSTOM = "custom"

_A = presets.NetSettings()
_B = presets.get("relu_he").b  # B starts as the cure, so ticking "compare" shows a contrast
_D = presets.DataSettings()

PRESET = ChoiceField("gf_preset", "sigmoid_mse", choices=(CUSTOM, *presets.names()))
COMPARE = BoolField("gf_compare", False)
HEATMAP = ChoiceField("gf_heatmap", "grad_norms", choices=probes.QUANTITIES)

DATA: dict[str, Field] = {
    "dataset": ChoiceField("gf_dataset", _D.dataset, choices=tuple(datasets.names())),
    "n": IntField("gf_n", _D.n, low=20, high=MAX_N),
    "noise": FloatField("gf_noise", _D.noise, low=0.0, high=2.0),
    "seed": IntField("gf_seed", _D.seed, low=0, high=999_999),
    "steps": IntField("gf_steps", _D.steps, low=1, high=MAX_STEPS),
    "batch_size": IntField("gf_batch", _D.batch_size, low=0, high=MAX_N),
}


def net_fields(which: str) -> dict[str, Field]:
    """The fields of configuration ``which`` ("a" or "b"), by NetSettings attribute."""
    d = _A if which == "a" else _B
    p = f"gf_{which}_"
    return {
        "depth": IntField(p + "depth", d.depth, low=1, high=MAX_DEPTH),
        "width": IntField(p + "width", d.width, low=1, high=MAX_WIDTH),
        "activation": ChoiceField(p + "act", d.activation, choices=tuple(activations.names())),
        "init": ChoiceField(p + "init", d.init, choices=tuple(initializers.names())),
        "init_scale": FloatField(p + "scale", d.init_scale, low=0.0, high=10.0),
        "batchnorm": BoolField(p + "bn", d.batchnorm),
        "residual": BoolField(p + "res", d.residual),
        "dropout": FloatField(p + "drop", d.dropout, low=0.0, high=0.9),
        "loss": ChoiceField(p + "loss", d.loss, choices=tuple(losses.names())),
        "optimizer": ChoiceField(p + "opt", d.optimizer, choices=tuple(optimizers.names())),
        "lr": FloatField(p + "lr", d.lr, low=1e-5, high=10.0),
    }


A = net_fields("a")
B = net_fields("b")
FIELDS: list[Field] = [PRESET, COMPARE, HEATMAP, *DATA.values(), *A.values(), *B.values()]
