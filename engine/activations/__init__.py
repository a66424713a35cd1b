"""Activation functions: what one is (``catalog``), their formulas by family (``squashing``,
``rectifiers``, ``smooth``), the registry by name, properties measured with autograd, how
derivatives compound through depth, and the tables the explorer shows."""

from engine.activations import depth, tables
from engine.activations.registry import (
    MAX_PIECES,
    Activation,
    ParamSpec,
    Properties,
    curves,
    first_derivative,
    from_expression,
    get,
    names,
    properties,
)

__all__ = [
    "MAX_PIECES",
    "Activation",
    "ParamSpec",
    "Properties",
    "curves",
    "depth",
    "first_derivative",
    "from_expression",
    "get",
    "names",
    "properties",
    "tables",
]
