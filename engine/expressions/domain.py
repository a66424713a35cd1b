"""Where a typed formula is undefined, and why.

A formula such as ``log(x)`` or ``x/0`` gives NaN or ±inf at some inputs. To tell a person what to
change, the checked syntax tree is evaluated again node by node, and each point is blamed on the
first part that turned finite inputs into a value that is not finite: ``x/0`` "divides by zero",
``log(x)`` "takes the log of a number ≤ 0". Only points where the whole formula is not finite are
reported (``exp(-1/x**2)`` is finite at 0 even though ``1/x**2`` is not).
"""

from __future__ import annotations

import ast
import operator
from typing import NamedTuple

import torch
from torch import Tensor

from engine.expressions.latex import ALIASES
from engine.expressions.parser import CONSTANTS, FUNCTIONS, Expression

OVERFLOW = "gives a number too large for a float"
_REASONS = {
    "log": "takes the log of a number ≤ 0",
    "sqrt": "takes the square root of a negative number",
}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
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
        walker = _Walker(expr.source, dict(zip(expr.variables, env, strict=True)))
        walker.value(ast.parse(expr.source, mode="eval").body)
    failing = ~torch.isfinite(whole)
    gaps: dict[tuple[str, str], Tensor] = {}
    for part, reason, mask in walker.found:
        key = (part, reason)
        gaps[key] = gaps[key] | mask if key in gaps else mask
    return [Gap(p, r, m & failing) for (p, r), m in gaps.items() if bool((m & failing).any())]


class _Walker:
    """Evaluate a checked tree (``engine.expressions`` accepted it) and record first failures."""

    def __init__(self, source: str, env: dict[str, Tensor]):
        self.source, self.env = source, env
        self.shape = next(iter(env.values())).shape
        self.found: list[tuple[str, str, Tensor]] = []

    def value(self, node: ast.AST) -> Tensor:
        if isinstance(node, ast.Constant):
            return torch.full(self.shape, float(node.value), dtype=torch.float64)
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            return torch.full(self.shape, CONSTANTS[node.id], dtype=torch.float64)
        if isinstance(node, ast.UnaryOp):
            inner = self.value(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left), self.value(node.right)
            out = _BINARY[type(node.op)](left, right)
            self._blame(node, out, (left, right), self._binary_reason(node.op, left, right))
            return out
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        name = ALIASES.get(node.func.id, node.func.id)
        arg = self.value(node.args[0])
        out = FUNCTIONS[name](arg)
        reason = _REASONS.get(name)
        self._blame(node, out, (arg,), [(reason, ~torch.isfinite(out))] if reason else [])
        return out

    @staticmethod
    def _binary_reason(op: ast.operator, left: Tensor, right: Tensor) -> list[tuple[str, Tensor]]:
        if isinstance(op, ast.Div):
            return [("divides by zero", right == 0)]
        if isinstance(op, ast.Pow):
            return [
                ("divides by zero (0 to a negative power)", (left == 0) & (right < 0)),
                ("raises a negative number to a fractional power",
                 (left < 0) & (right != torch.round(right))),
            ]  # fmt: skip
        return []

    def _blame(
        self,
        node: ast.AST,
        out: Tensor,
        args: tuple[Tensor, ...],
        reasons: list[tuple[str, Tensor]],
    ) -> None:
        """Record where ``node`` is the first part to fail: its inputs finite, its value not."""
        first = ~torch.isfinite(out)
        for a in args:
            first &= torch.isfinite(a)
        if not bool(first.any()):
            return
        part = ast.get_source_segment(self.source, node) or ast.unparse(node)
        left = first.clone()
        for reason, where in reasons:
            hit = left & where
            if bool(hit.any()):
                self.found.append((part, reason, hit))
                left &= ~hit
        if bool(left.any()):
            self.found.append((part, OVERFLOW, left))


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
