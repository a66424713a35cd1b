"""Hyperparameters: what a widget needs to show one (``HyperSpec``), the specs several optimizers
share, how a user's value is coerced, and the torch.optim checks with their messages.

The lr spec's ``low``/``high`` is the optimizer's sensible learning-rate range: the engine's
answer to "how small or large may η be here", which the app's sliders use.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, NamedTuple

from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

Hyper = dict[str, Any]


class HyperSpec(NamedTuple):
    """What the app needs to build one hyperparameter widget.

    ``kind`` is ``"float"`` (a slider between ``low`` and ``high``, log-scaled when ``log``),
    ``"pair"`` (``betas``: two floats, each in ``[low, high]``), ``"bool"`` (a checkbox) or
    ``"choice"`` (one of ``choices``). The ranges are the widget's, not the validation's.
    ``symbol`` is how the formula writes it (``"λ"``) and ``label`` its plain name (``"weight
    decay"``); a pair has one of each per element. ``step`` is a linear slider's resolution, so a
    display shows every digit that the slider can set (β₂ = 0.999, not "1.00").
    """

    name: str
    default: Any
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    symbol: str | tuple[str, str] = ""
    label: str | tuple[str, str] = ""
    step: float = 0.0


# The widget ranges of the hyperparameters shared by several optimizers.
# The lr range reaches down to 1e-7: plain steps on steep surfaces (Goldstein-Price) need it.
def lr_spec(default: float) -> HyperSpec:
    return HyperSpec(
        "lr", default, "float", 1e-7, 10.0, True,
        help=N_("learning rate η"), symbol="η", label=N_("learning rate"),
    )  # fmt: skip


def eps_spec(default: float) -> HyperSpec:
    return HyperSpec(
        "eps", default, "float", 1e-12, 1e-1, True,
        help=N_("ε, keeps the division finite"), symbol="ε", label=N_("stability constant"),
    )  # fmt: skip


def wd_spec(default: float = 0.0) -> HyperSpec:
    return HyperSpec(
        "weight_decay", default, "float", 0.0, 1.0,
        help=N_("weight decay λ"), symbol="λ", label=N_("weight decay"), step=1e-3,
    )  # fmt: skip


def betas_spec(default: tuple[float, float] = (0.9, 0.999)) -> HyperSpec:
    return HyperSpec(
        "betas", default, "pair", 0.0, 0.9999,
        help=N_("(β₁, β₂): decay of the first and second moment averages"),
        symbol=("β₁", "β₂"), label=(N_("first-moment decay"), N_("second-moment decay")), step=1e-4,
    )  # fmt: skip


def momentum_spec(default: float) -> HyperSpec:
    return HyperSpec(
        "momentum", default, "float", 0.0, 0.999,
        help=N_("momentum μ"), symbol="μ", label=N_("momentum"), step=1e-4,
    )  # fmt: skip


MAXIMIZE = HyperSpec(
    "maximize", False, "bool",
    help=N_("ascend the objective instead of descending"), label=N_("maximize (climb uphill)"),
)  # fmt: skip
DECOUPLED = HyperSpec(
    "decoupled_weight_decay", False, "bool",
    help=N_("shrink θ directly (AdamW) instead of adding λθ to g"),
    label=N_("decoupled weight decay (AdamW)"),
)  # fmt: skip


def normalize(spec: HyperSpec, value: Any) -> Any:
    """Coerce one user value to its spec's type (ints to floats); reject wrong types."""
    bad = ValueError(f"Invalid {spec.name} value: {value!r}")
    if spec.kind == "float":
        if isinstance(value, Tensor):
            if value.is_complex():
                raise bad
            return value if value.is_floating_point() else value.double()
        if isinstance(value, bool) or not isinstance(value, Real):
            raise bad
        return float(value)
    if spec.kind == "pair":
        if isinstance(value, Tensor) and value.numel() == 2 and value.ndim == 1:
            value = (value[0], value[1])
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise bad
        return tuple(normalize(spec._replace(kind="float"), v) for v in value)
    if spec.kind == "bool":
        if isinstance(value, Tensor) or value not in (True, False):
            raise bad
        return bool(value)
    if value not in spec.choices:
        raise ValueError(
            _("Invalid {name} value: {value!r}; choose one of {choices}").format(
                name=spec.name, value=value, choices=list(spec.choices)
            )
        )
    return value


# --- torch.optim's checks, one per shared hyperparameter, with its messages -----------------


def _lr(h: Hyper) -> None:
    require(h["lr"], lambda x: x >= 0, _("Invalid learning rate: {lr}").format(lr=h["lr"]))


def _eps(h: Hyper) -> None:
    require(h["eps"], lambda x: x >= 0, _("Invalid epsilon value: {eps}").format(eps=h["eps"]))


def _weight_decay(h: Hyper) -> None:
    wd = h["weight_decay"]
    require(wd, lambda x: x >= 0, _("Invalid weight_decay value: {wd}").format(wd=wd))


def _betas(h: Hyper) -> None:
    for i, b in enumerate(h["betas"]):
        require(
            b,
            lambda x: (x >= 0) & (x < 1),
            _("Invalid beta parameter at index {i}: {b}").format(i=i, b=b),
        )


def _momentum(h: Hyper) -> None:
    require(
        h["momentum"],
        lambda x: x >= 0,
        _("Invalid momentum value: {momentum}").format(momentum=h["momentum"]),
    )


_CHECKS = {
    "lr": _lr,
    "eps": _eps,
    "weight_decay": _weight_decay,
    "betas": _betas,
    "momentum": _momentum,
}


def check(h: Hyper, *names: str) -> None:
    """Run the checks of the shared hyperparameters ``names``, in that order (torch.optim's
    order for the optimizer at hand: the first bad value is the one reported)."""
    for name in names:
        _CHECKS[name](h)
