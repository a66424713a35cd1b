"""The LaTeX the optimizers' formulas share: the gradient line, the decoupled decay line, the
state symbols, and the ``aligned`` block they sit in."""

from __future__ import annotations

from .base import Hyper
from .primitives import is_zero

#: Every state field is named after a symbol of the formulas; this is how each one is written.
SYMBOLS: dict[str, str] = {
    "m": "m_t",
    "v": "v_t",
    "v_max": r"v^{\max}_t",
    "s": "s_t",
    "b": "b_t",
    "g": r"\bar g_t",
    "u": "u_t",
    "mu_product": r"\Pi_t",
    "t": "t",
}


def grad_line(h: Hyper, *, coupled_decay: bool = True) -> str:
    r"""The line defining ``g_t``: the gradient, negated for ``maximize``, plus ``\lambda\theta``."""
    sign = "-" if h.get("maximize") else ""
    line = rf"g_t &= {sign}\nabla_\theta f(\theta_{{t-1}})"
    if coupled_decay and not is_zero(h.get("weight_decay", 0.0)):
        line += r" + \lambda \theta_{t-1}"
    return line


def decoupled_line(h: Hyper, *, decoupled: bool | None = None) -> str | None:
    """AdamW-style decay applied to θ before the step, if configured (``decoupled``: whether
    the optimizer decays that way; by default its ``decoupled_weight_decay`` setting)."""
    if decoupled is None:
        decoupled = bool(h.get("decoupled_weight_decay"))
    if decoupled and not is_zero(h["weight_decay"]):
        return r"\theta_{t-1} &\leftarrow (1 - \eta\lambda)\, \theta_{t-1}"
    return None


def aligned(*lines: str | None) -> str:
    body = r" \\ ".join(line for line in lines if line)
    return rf"\begin{{aligned}} {body} \end{{aligned}}"
