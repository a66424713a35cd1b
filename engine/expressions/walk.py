"""A checked formula evaluated part by part, to say where and why it has no value.

``log(x)`` or ``x/0`` give NaN or ±inf at some inputs. To tell a person what to change, the tree
that the safe parser accepted is evaluated again node by node (never through ``eval``), and each
part records where it *breaks*: its value is not finite although every operand's value is. That
part is the one to blame there, whatever the parts around it do. What to say about a break is
the caller's: the activation explorer names the failing rule (:mod:`engine.expressions.domain`),
the 2D surfaces also look for infinite slopes (``engine.surfaces.domain``).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import Tensor

from engine.expressions.latex import ALIASES
from engine.expressions.parser import BINARY, CONSTANTS, FUNCTIONS, Expression


class Part(NamedTuple):
    """One sub-expression evaluated at every input point (float64, the inputs' broadcast shape).

    ``node`` is its node in the tree of ``expr.source``; ``args`` are its operands' values (empty
    for a number or a variable); ``breaks`` is True where ``value`` is not finite although every
    operand is.
    """

    node: ast.AST
    value: Tensor
    args: tuple[Tensor, ...]
    breaks: Tensor


def function_name(node: ast.Call) -> str:
    """The function a call node applies, aliases resolved (``atan`` -> ``arctan``)."""
    assert isinstance(node.func, ast.Name)
    return ALIASES.get(node.func.id, node.func.id)


def parts(expr: Expression, inputs: Sequence[Tensor]) -> list[Part]:
    """Every part of ``expr``, innermost first, at ``inputs`` (one tensor per variable, in the
    order of ``expr.variables``; they are broadcast together)."""
    env = torch.broadcast_tensors(*[torch.as_tensor(t, dtype=torch.float64) for t in inputs])
    walker = _Walker(dict(zip(expr.variables, env, strict=True)))
    with torch.no_grad():
        walker.value(ast.parse(expr.source, mode="eval").body)
    return walker.found


class _Walker:
    def __init__(self, env: dict[str, Tensor]):
        self.env = env
        self.shape = next(iter(env.values())).shape
        self.found: list[Part] = []

    def value(self, node: ast.AST) -> Tensor:
        args: tuple[Tensor, ...] = ()
        if isinstance(node, ast.Constant):
            out = torch.full(self.shape, float(node.value), dtype=torch.float64)
        elif isinstance(node, ast.Name):
            if node.id in self.env:
                out = self.env[node.id]
            else:
                out = torch.full(self.shape, CONSTANTS[node.id], dtype=torch.float64)
        elif isinstance(node, ast.UnaryOp):
            args = (self.value(node.operand),)
            out = -args[0] if isinstance(node.op, ast.USub) else args[0]
        elif isinstance(node, ast.BinOp):
            args = (self.value(node.left), self.value(node.right))
            out = BINARY[type(node.op)](*args)
        else:
            assert isinstance(node, ast.Call)
            args = (self.value(node.args[0]),)
            out = FUNCTIONS[function_name(node)](args[0])
        breaks = ~torch.isfinite(out)
        for a in args:
            breaks &= torch.isfinite(a)
        self.found.append(Part(node, out, args, breaks))
        return out
