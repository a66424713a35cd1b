"""Formulas that people type: a safe parser (an ``ast`` whitelist, never ``eval``), their LaTeX,
and where a formula has no value and why (one walker over the checked tree, ``walk``; the
1-variable explanations, ``domain``)."""

from engine.expressions import domain, walk
from engine.expressions.latex import to_latex
from engine.expressions.parser import Expression, ExpressionError, compile_expression

__all__ = [
    "Expression",
    "ExpressionError",
    "compile_expression",
    "domain",
    "to_latex",
    "walk",
]
