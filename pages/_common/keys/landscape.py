"""URL/session-state fields of the Loss landscape page (prefix ``ls_``).

Shared settings (data, training length, view, preset) have one field each; the network settings
exist twice, for network A (``ls_a_*``) and B (``ls_b_*``). ``DATA``, ``VIEW`` and
``net_fields`` are keyed by the attribute names of the engine's ``DataSpec``, ``ViewSpec`` and
``NetSpec``, so the glue converts both ways. The defaults are the first preset's values, so the
page opens on it with a clean URL.
"""

from __future__ import annotations

from engine import activations, optimizers
from engine.nets import datasets, landscape, landscape_presets
from pages._common.state import BoolField, ChoiceField, Field, FloatField, IntField

CUSTOM = "custom"
MAX_SIDE = 61  # the page's grid bound (the engine allows more): keeps a grid within seconds
_P = landscape_presets.get(landscape_presets.names()[0])

PRESET = ChoiceField("ls_preset", _P.key, choices=(CUSTOM, *landscape_presets.names()))
COMPARE = BoolField("ls_compare", True)
SHOW_3D = BoolField("ls_3d", False)

DATA: dict[str, Field] = {
    "dataset": ChoiceField("ls_data", _P.data.dataset, choices=tuple(datasets.names())),
    "n": IntField("ls_n", _P.data.n, low=20, high=landscape_presets.MAX_N),
    "noise": FloatField("ls_noise", _P.data.noise, low=0.0, high=2.0),
    "seed": IntField("ls_seed", _P.data.seed, low=0, high=999_999),
    "steps": IntField("ls_steps", _P.data.steps, low=1, high=landscape_presets.MAX_STEPS),
}

VIEW: dict[str, Field] = {
    "plane": ChoiceField("ls_plane", _P.view.plane, choices=landscape_presets.PLANES),
    "norm": ChoiceField("ls_norm", _P.view.norm, choices=landscape.NORMS),
    "side": IntField("ls_side", _P.view.side, low=5, high=MAX_SIDE),
    "span": FloatField("ls_span", _P.view.span, low=0.05, high=10.0),
    "direction_seed": IntField("ls_dseed", _P.view.direction_seed, low=0, high=999_999),
    "radius": FloatField("ls_radius", _P.view.radius, low=0.001, high=1.0),
}


def net_fields(which: str) -> dict[str, Field]:
    """The fields of network ``which`` ("a" or "b"), by NetSpec attribute."""
    d = _P.a if which == "a" else _P.b
    p = f"ls_{which}_"
    return {
        "depth": IntField(p + "depth", d.depth, low=1, high=landscape_presets.MAX_DEPTH),
        "width": IntField(p + "width", d.width, low=1, high=landscape_presets.MAX_WIDTH),
        "activation": ChoiceField(p + "act", d.activation, choices=tuple(activations.names())),
        "batchnorm": BoolField(p + "bn", d.batchnorm),
        "residual": BoolField(p + "res", d.residual),
        "optimizer": ChoiceField(p + "opt", d.optimizer, choices=tuple(optimizers.names())),
        "lr": FloatField(p + "lr", d.lr, low=1e-5, high=10.0),
        "batch_size": IntField(p + "batch", d.batch_size, low=0, high=landscape_presets.MAX_N),
    }


A = net_fields("a")
B = net_fields("b")
FIELDS: list[Field] = [
    PRESET, COMPARE, SHOW_3D, *DATA.values(), *VIEW.values(), *A.values(), *B.values()
]  # fmt: skip

#: Session-state keys that are not URL fields.
STOP = "_ls_stop"  # the settings whose computation the Stop button ended
PRESSED = "_ls_pressed"  # the settings a "Compute" press allowed to run
