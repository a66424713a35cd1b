"""Where a typed formula is undefined, and why.

A formula such as ``log(x)`` or ``x/0`` gives NaN or ±inf at some inputs. To tell a person what to
change, each point is blamed on the first part that turned finite inputs into a value that is
not finite (:mod:`engine.expressions.walk` finds those parts): ``x/0`` "divides by zero",
``log(x)`` "takes the log of a number ≤ 0". Only points where the whole formula is not finite are
reported (``exp(-1/x**2)`` is finite at 0 even though ``1/x**2`` is not).
"""

from __future__ import annotations

import ast
from typing import NamedTuple

import torch
from torch import Tensor

from engine.expressions import walk
from engine.expressions.parser import Expression

OVERFLOW = "gives a number too large for a float"
_REASONS = {
    "log": "takes the log of a number ≤ 0",
    "sqrt": "takes the square root of a negative number",
}


class Gap(NamedTuple):
    """One part of the formula and why it fails, at the points ``mask`` marks."""

    part: str  # the user's sub-expression, e.g. "log(x)"
    reason: str  # e.g. "takes the log of a number ≤ 0"
    mask: Tensor  # bool, the inputs' broadcast shape


def undefined_parts(expr: Expression, *inputs: Tensor) -> list[Gap]:
    """The parts of ``expr`` that make it NaN or ±inf at ``inputs`` (positional, in the order of
    ``expr.variables``), innermost first; empty where the formula is finite everywhere."""
    env = torch.broadcast_tensors(*[torch.as_tensor(t, dtype=torch.float64) for t in inputs])
    with torch.no_grad():
        whole = expr(*env)
    if bool(torch.isfinite(whole).all()):
        return []
    failing = ~torch.isfinite(whole)
    gaps: dict[tuple[str, str], Tensor] = {}
    for p in walk.parts(expr, env):
        if not isinstance(p.node, ast.BinOp | ast.Call) or not bool(p.breaks.any()):
            continue
        text = ast.get_source_segment(expr.source, p.node) or ast.unparse(p.node)
        for reason, mask in _blame(p):
            key = (text, reason)
            gaps[key] = gaps[key] | mask if key in gaps else mask
    return [Gap(p, r, m & failing) for (p, r), m in gaps.items() if bool((m & failing).any())]


def _blame(p: walk.Part) -> list[tuple[str, Tensor]]:
    """Where ``p`` breaks, split by the rule it breaks (an overflow where none applies)."""
    reasons: list[tuple[str, Tensor]] = []
    if isinstance(p.node, ast.Call):
        reason = _REASONS.get(walk.function_name(p.node))
        if reason:
            reasons = [(reason, ~torch.isfinite(p.value))]
    elif isinstance(p.node.op, ast.Div):
        reasons = [("divides by zero", p.args[1] == 0)]
    elif isinstance(p.node.op, ast.Pow):
        left, right = p.args
        reasons = [
            ("divides by zero (0 to a negative power)", (left == 0) & (right < 0)),
            ("raises a negative number to a fractional power",
             (left < 0) & (right != torch.round(right))),
        ]  # fmt: skip
    found, left = [], p.breaks.clone()
    for reason, where in reasons:
        hit = left & where
        if bool(hit.any()):
            found.append((reason, hit))
            left &= ~hit
    if bool(left.any()):
        found.append((OVERFLOW, left))
    return found


def _num(value: float) -> str:
    return f"{value:.3g}".replace("-", "−")


def where_text(x: Tensor, mask: Tensor, variable: str = "x", most: int = 3) -> str:
    """Where ``mask`` holds on the sorted 1-D grid ``x``, in words: "for x ≤ 0", "at x = 0",
    "everywhere on [−5, 5]" (grid points, so a boundary is exact to one grid step)."""
    x, mask = x.detach().cpu().flatten(), mask.detach().cpu().flatten()
    n = len(x)
    if n == 0 or not bool(mask.any()):
        return ""
    if bool(mask.all()):
        return f"everywhere on [{_num(x[0].item())}, {_num(x[-1].item())}]"
    flags = [False, *mask.tolist(), False]
    starts = [i for i in range(n) if flags[i + 1] and not flags[i]]
    ends = [i for i in range(n) if flags[i + 1] and not flags[i + 2]]
    words = []
    for i, j in zip(starts[:most], ends[:most], strict=False):
        a, b = _num(x[i].item()), _num(x[j].item())
        if i == j:
            words.append(f"at {variable} = {a}")
        elif i == 0:
            words.append(f"for {variable} ≤ {b}")
        elif j == n - 1:
            words.append(f"for {variable} ≥ {a}")
        else:
            words.append(f"for {variable} from {a} to {b}")
    more = len(starts) - most
    if more > 0:
        words.append(f"at {more} more place{'s' if more > 1 else ''}")
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def explain(expr: Expression, x: Tensor) -> str:
    """A sentence saying which parts of a formula in one variable fail on the grid ``x``, why and
    where; "" where it is finite everywhere."""
    gaps = undefined_parts(expr, x)
    if not gaps:
        return ""
    name = expr.variables[0]
    parts = [f"'{g.part}' {g.reason}" for g in gaps]
    if len(gaps) > 1:  # say which part fails where
        parts = [f"{p} {where_text(x, g.mask, name)}" for p, g in zip(parts, gaps, strict=True)]
    everywhere = gaps[0].mask.clone()
    for g in gaps[1:]:
        everywhere |= g.mask
    return f"{'; '.join(parts)}, so f({name}) is undefined {where_text(x, everywhere, name)}"
