"""Formulas that people type, read by a safe parser (an ``ast`` whitelist, never ``eval``), and
their LaTeX."""

from engine.expressions.latex import to_latex
from engine.expressions.parser import Expression, ExpressionError, compile_expression

__all__ = ["Expression", "ExpressionError", "compile_expression", "to_latex"]
