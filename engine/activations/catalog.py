"""What an activation is: an elementwise function with its formula, its hand-written derivative
and a module that applies it; and each parameter's slider.

The formulas themselves live by family, each in LaTeX right above the torch code that runs it:
:mod:`~engine.activations.squashing` (bounded: sigmoid, tanh, ...),
:mod:`~engine.activations.rectifiers` (ReLU and ELU and their relatives) and
:mod:`~engine.activations.smooth` (GELU, SiLU, softplus, ...). Every one is a builder
``(**params) -> dict`` that :mod:`~engine.activations.registry` turns into an ``Activation``.
``fn`` uses ``torch.nn.functional`` where torch has the function, so curves drawn on the page
and networks trained by the engine run the same code. ``derivative`` is written by hand from
``derivative_latex``; the tests check it against ``torch.autograd`` away from kinks (at a kink
autograd's one-sided choice is what torch uses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn


class ParamSpec(NamedTuple):
    """One parameter: its slider's default and range, and a line of help."""

    name: str
    default: Any
    low: float
    high: float
    help: str


@dataclass(frozen=True)
class Activation:
    """An elementwise activation ``fn`` with its formula, hand-written derivative and a module."""

    name: str
    title: str
    params: dict[str, Any]
    fn: Callable[[Tensor], Tensor] = field(compare=False, repr=False)
    latex: str = field(compare=False, repr=False)
    derivative_latex: str = field(compare=False, repr=False)
    derivative: Callable[[Tensor], Tensor] = field(compare=False, repr=False)
    param_specs: tuple[ParamSpec, ...] = field(compare=False, repr=False)
    description: str = field(compare=False, repr=False)
    make_module: Callable[[], nn.Module] = field(compare=False, repr=False)
    # RReLU only: ``band(x) -> (low, high)``, the elementwise envelope of its random slopes.
    band: Callable[[Tensor], tuple[Tensor, Tensor]] | None = field(
        default=None, compare=False, repr=False
    )

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def module(self) -> nn.Module:
        """A fresh ``torch.nn.Module`` applying this activation (learnable for PReLU, Maxout)."""
        return self.make_module()


class Elementwise(nn.Module):
    """Wraps an elementwise function with no parameters as a module."""

    def __init__(self, fn: Callable[[Tensor], Tensor], name: str):
        super().__init__()
        self.fn, self.name = fn, name

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(x)

    def extra_repr(self) -> str:
        return self.name


class Maxout(nn.Module):
    r"""Elementwise maxout :math:`\max_i(a_i x + b_i)` with learnable pieces (one set per layer)."""

    def __init__(self, slopes: tuple[float, ...], intercepts: tuple[float, ...]):
        super().__init__()
        self.slopes = nn.Parameter(torch.tensor(slopes))
        self.intercepts = nn.Parameter(torch.tensor(intercepts))

    def forward(self, x: Tensor) -> Tensor:
        return (x.unsqueeze(-1) * self.slopes + self.intercepts).max(dim=-1).values
