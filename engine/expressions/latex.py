"""LaTeX rendering of a formula's syntax tree, after engine.expressions has checked it.

Only the node kinds that the whitelist lets through appear here, so every branch is total.
"""

from __future__ import annotations

import ast

ALIASES = {"atan": "arctan"}  # alternative spellings accepted by the parser

_LATEX_FUNCTIONS = {"sin", "cos", "tan", "log", "tanh", "sinh", "cosh", "arctan"}
_ATOM, _POW, _UNARY, _MUL, _ADD = 5, 4, 3, 2, 1


def to_latex(node: ast.AST) -> str:
    """LaTeX for a tree that engine.expressions has already checked."""
    return _render(node)[0]


def _paren(text: str) -> str:
    return rf"\left({text}\right)"


def _latex_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _render(node: ast.AST) -> tuple[str, int]:
    """Return (latex, precedence) of a checked node."""
    if isinstance(node, ast.Constant):
        return _latex_number(node.value), _ATOM
    if isinstance(node, ast.Name):
        if node.id == "pi":
            return r"\pi", _ATOM
        return (node.id if len(node.id) == 1 else rf"\mathrm{{{node.id}}}"), _ATOM
    if isinstance(node, ast.UnaryOp):
        text, prec = _render(node.operand)
        text = _paren(text) if prec <= _UNARY else text
        return (("-" if isinstance(node.op, ast.USub) else "+") + text), _UNARY
    if isinstance(node, ast.Call):
        name = ALIASES.get(node.func.id, node.func.id)
        arg = _render(node.args[0])[0]
        if name == "sqrt":
            return rf"\sqrt{{{arg}}}", _ATOM
        if name == "abs":
            return rf"\left|{arg}\right|", _ATOM
        if name == "exp":
            return rf"e^{{{arg}}}", _POW
        return rf"\{name}{_paren(arg)}", _ATOM
    left, lp = _render(node.left)
    right, rp = _render(node.right)
    if isinstance(node.op, ast.Div):
        return rf"\frac{{{left}}}{{{right}}}", _MUL
    if isinstance(node.op, ast.Pow):
        simple = isinstance(node.left, ast.Name | ast.Constant) and r"\times" not in left
        return rf"{left if simple else _paren(left)}^{{{right}}}", _POW
    if isinstance(node.op, ast.Mult):
        left = _paren(left) if lp < _MUL else left
        right = _paren(right) if rp < _MUL or rp == _UNARY else right
        # "2 x" and "0.5 (x + y)" read better than a dot, but "2 3^{x}" would not.
        numeric = isinstance(node.left, ast.Constant) and not right[0].isdigit()
        return (f"{left} {right}" if numeric else rf"{left} \cdot {right}"), _MUL
    sub = isinstance(node.op, ast.Sub)
    right = _paren(right) if rp == _UNARY or (sub and rp <= _ADD) else right
    return f"{left} {'+' if isinstance(node.op, ast.Add) else '-'} {right}", _ADD
