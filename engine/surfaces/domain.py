"""Where a typed formula has no value, and which part of it is to blame.

When f is not a finite number somewhere, an optimizer is rarely the culprit: ``log(-x)`` has no
value where ``-x <= 0``, whatever the learning rate. The parts to blame are the innermost ones
whose value is not finite although their inputs are (:mod:`engine.expressions.walk` finds
them); this module says which rule each one breaks in the surfaces' words, and adds what only
matters for a gradient step, an infinite slope::

    >>> why_undefined(surfaces.parse("log(-x) + y**2"), [(1.0, 2.0)])
    'log(-x) is undefined where -x ≤ 0'

Nothing of the user's text is ever evaluated by Python: the walker evaluates the tree the safe
parser accepted. Built-in surfaces have no formula text and are finite on their regions; for
them the answers stay generic.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

from engine.core.i18n import _
from engine.expressions import walk
from engine.expressions.parser import CONSTANTS, compile_expression
from engine.surfaces.catalog import Surface

__all__ = ["Undefined", "region_note", "undefined_parts", "usable", "why_undefined"]

# exp(u) is inf above this: log of the largest float64.
_EXP_LIMIT = math.log(np.finfo(np.float64).max)


class Undefined(NamedTuple):
    """One part of a formula without a finite value there; ``sentence`` says why.

    ``reason`` completes the sentence (``"is undefined where -x ≤ 0"``); ``kind`` is ``"domain"``
    (the operation has no value there: log of a negative number) or ``"overflow"`` (the value is
    beyond the largest float: exp(1000)); ``mask`` is True at the points where this part is to
    blame.
    """

    part: str
    reason: str
    kind: str
    mask: np.ndarray

    @property
    def sentence(self) -> str:
        return f"{self.part} {self.reason}"


def _constant(node: ast.AST) -> bool:
    return all(n.id in CONSTANTS for n in ast.walk(node) if isinstance(n, ast.Name))


def _reason(node: ast.AST, args: list[tuple[str, torch.Tensor]]) -> tuple[str, str]:
    """(reason, kind) for a node whose value is not finite where its inputs are finite."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        (u, _u_value), name = args[0], node.func.id
        if name == "log":
            return _("is undefined where {u} ≤ 0").format(u=u), "domain"
        if name == "sqrt":
            return _("is undefined where {u} < 0").format(u=u), "domain"
        if name == "exp":
            return _("overflows where {u} > {limit:.0f}").format(u=u, limit=_EXP_LIMIT), "overflow"
        if name in ("sinh", "cosh"):
            return _("overflows where |{u}| > {limit:.0f}").format(
                u=u, limit=_EXP_LIMIT + math.log(2)
            ), "overflow"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        if _constant(node.right):
            return _("is undefined everywhere: it divides by zero"), "domain"
        return _("is undefined where {u} = 0").format(u=args[1][0]), "domain"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        (a, a_val), (_b, b_val) = args
        if bool((a_val < 0).any()) and not bool((b_val == b_val.round()).all()):
            return _("is undefined where {u} < 0").format(u=a), "domain"
        if bool((a_val == 0).any()) and bool((b_val < 0).any()):
            return _("is undefined where {u} = 0").format(u=a), "domain"
    return _("overflows there (beyond 1.8e308, the largest number)"), "overflow"


def _kink(node: ast.AST, kids: list[tuple[str, torch.Tensor]]) -> tuple[str, torch.Tensor] | None:
    """(argument, where it is 0) for sqrt(u) and u ** p with 0 < p < 1: infinite slope at u = 0."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sqrt":
        return kids[0][0], kids[0][1] == 0
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and _constant(node.right):
        p = kids[1][1]
        return kids[0][0], (kids[0][1] == 0) & (p > 0) & (p < 1)
    return None


def undefined_parts(
    text: str, variables: tuple[str, ...], inputs: Sequence[torch.Tensor]
) -> list[Undefined]:
    """Every innermost part of formula ``text`` without a finite value (or slope) at some points.

    ``inputs`` holds one tensor per variable (same shape); each returned mask has that shape.
    Parts of kind ``"slope"`` are finite but have an infinite slope there (sqrt at 0), which
    stops a gradient step as surely as a missing value. ``text`` must be a formula that
    ``compile_expression`` accepts (ExpressionError otherwise).
    """
    found: list[Undefined] = []
    for p in walk.parts(compile_expression(text, variables), inputs):
        kids = [(ast.unparse(k), v) for k, v in zip(_operands(p.node), p.args, strict=True)]
        if bool(p.breaks.any()):
            reason, kind = _reason(p.node, [(u, v[p.breaks]) for u, v in kids])
            found.append(Undefined(ast.unparse(p.node), reason, kind, p.breaks.cpu().numpy()))
        finite = torch.isfinite(p.value)
        for _name, kid in kids:
            finite &= torch.isfinite(kid)
        kink = _kink(p.node, kids)
        if kink is not None and bool((kink[1] & finite).any()):
            reason = _("has an infinite slope where {u} = 0").format(u=kink[0])
            found.append(
                Undefined(ast.unparse(p.node), reason, "slope", (kink[1] & finite).numpy())
            )
    return found


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _points(xy: Sequence[Sequence[float]] | np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    p = torch.as_tensor(np.asarray(xy, dtype=np.float64).reshape(-1, 2))
    return p[:, 0], p[:, 1]


def _sentences(parts: list[Undefined]) -> str:
    return "; ".join(dict.fromkeys(p.sentence for p in parts))


def usable(surface: Surface, xy: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Per point of ``xy`` ((N, 2)): are f and its gradient finite there (can a path start)?"""
    x, y = _points(xy)
    p = torch.stack((x, y), -1).requires_grad_(True)
    value = surface.f(p)
    (grad,) = torch.autograd.grad(value.sum(), p, allow_unused=True)
    ok = torch.isfinite(value)
    if grad is not None:
        ok &= torch.isfinite(grad).all(-1)
    return ok.detach().numpy()


def why_undefined(surface: Surface, xy: Sequence[Sequence[float]] | np.ndarray) -> str | None:
    """Why f or its slope is not finite at the points ``xy`` ((N, 2)); None if both are.

    Names the parts of a typed formula that break their rules there (``log(-x) is undefined
    where -x ≤ 0``); a built-in surface gets a plainer phrase.
    """
    x, y = _points(xy)
    if usable(surface, xy).all():
        return None
    with torch.no_grad():
        value_ok = bool(torch.isfinite(surface.f(torch.stack((x, y), -1))).all())
    if surface.formula:
        parts = undefined_parts(surface.formula, ("x", "y"), (x, y))
        values = [q for q in parts if q.kind != "slope"]
        if values or parts:
            return _sentences(values or parts)
    return _("f has no finite slope there") if value_ok else _("f is not a finite number there")


def _grid(surface: Surface, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    # k/(n-1) in float64, so a symmetric region's centre lines (x = 0, y = 0) are on the grid.
    t = torch.arange(n, dtype=torch.float64) / (n - 1)
    (x0, x1), (y0, y1) = surface.bounds
    return torch.meshgrid(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, indexing="xy")


def region_note(surface: Surface, n: int = 101) -> str | None:
    """A sentence on where f has no finite value in the plotted region, or None if nowhere.

    Evaluated on an ``n`` x ``n`` grid over ``surface.bounds``; names each part to blame and the
    share of the region where it is.
    """
    X, Y = _grid(surface, n)
    with torch.no_grad():
        bad = ~torch.isfinite(surface.f(torch.stack((X, Y), -1)))
    if not bool(bad.any()):
        return None
    parts = undefined_parts(surface.formula, ("x", "y"), (X, Y)) if surface.formula else []
    parts = [q for q in parts if q.kind != "slope"]
    if not parts:
        return _("f is not a finite number on {share} of the region.").format(
            share=_share(bad.double().mean().item())
        )
    phrases = [
        _("{sentence} ({share} of the plotted region)").format(
            sentence=q.sentence, share=_share(q.mask.mean())
        )
        for q in parts
    ]
    return _("{notes}.").format(notes=_("; ").join(dict.fromkeys(phrases)))


def _share(fraction: float) -> str:
    return _("under 1%") if 0 < fraction < 0.005 else f"{fraction:.0%}"
