"""The formula parser, property-tested (hypothesis): any text is either compiled or refused with
an ExpressionError (a message, never another exception), and a formula built from the allowed
pieces gives the values of an independent float64 evaluator (numpy, written here), wherever the
arithmetic is stable."""

from __future__ import annotations

import zlib
from typing import NamedTuple

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.expressions.parser import ExpressionError, compile_expression

# Characters a formula is made of, and others a hurried hand types among them.
FORMULA_CHARS = "xyz0123456789.+-*/^()[]{} ,_eEpisnocqrtabhl<>=!%&|~'\"@#:;\\\t\n"

NUMPY = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
    "arctan": np.arctan, "atan": np.arctan,
}  # fmt: skip
# Where the values are compared: the independent evaluation is run again K times with every
# part's result nudged by a relative EPS (about half a million last bits, with signs drawn per
# part), and only points that move by less than SPREAD (relative) count. There the formula
# amplifies a rounding by at most about SPREAD / EPS = 1000, so two correct evaluators, each a
# few last bits off per operation (torch's and numpy's vectorised sin or exp differ by CPU),
# agree to about 1e-12, far inside the 1e-9 compared. Elsewhere (near a pole of tan, where
# a difference cancels, in overflow) a last-bit difference can grow without bound.
K, EPS, SPREAD = 4, 1e-10, 1e-7


class Node(NamedTuple):
    """A formula's text and its independent evaluation: ``values``, and the same K times with
    every part nudged (``nudged``, K rows); ``constant``: the node has no variable."""

    text: str
    values: np.ndarray
    nudged: np.ndarray
    constant: bool
    refused: bool = False  # a constant part is not finite: the parser refuses the formula


X = np.linspace(-3, 3, 13)
GRID_X, GRID_Y = (g.ravel() for g in np.meshgrid(X, X + 0.05))  # y off x's grid: no x == y only


@np.errstate(all="ignore")  # log(-1), 1/0: nan and inf, as in torch; compared where finite
def _node(text: str, fn, parts: list[Node], constant: bool = False, value=None) -> Node:
    """``fn`` applied to the parts' values, and to each of their nudged rows, nudged again."""
    if value is not None:  # a leaf
        values, nudged = np.broadcast_to(np.asarray(value, dtype=np.float64), GRID_X.shape), None
        nudged = np.broadcast_to(values, (K, *values.shape))
    else:
        values = fn(*(p.values for p in parts))
        nudged = fn(*(p.nudged for p in parts))
    signs = np.random.default_rng(zlib.crc32(text.encode())).choice([-1.0, 1.0], size=nudged.shape)
    nudged = nudged * (1 + EPS * signs)
    refused = any(p.refused for p in parts) or (constant and not np.isfinite(values).all())
    return Node(text, values, nudged, constant, refused)


def stable(node: Node) -> np.ndarray:
    """The points where the formula is finite and moves by less than SPREAD when nudged."""
    with np.errstate(all="ignore"):
        spread = np.abs(node.nudged - node.values).max(axis=0)
        finite = np.isfinite(node.values) & np.isfinite(node.nudged).all(axis=0)
        return finite & (spread <= SPREAD * np.maximum(1.0, np.abs(node.values)))


LEAVES = st.one_of(
    st.just(_node("x", None, [], value=GRID_X)),
    st.just(_node("y", None, [], value=GRID_Y)),
    st.sampled_from(["0", "1", "2", "3", "0.5", "1.5", "10", "pi", "e"]).map(
        lambda t: _node(t, None, [], True, {"pi": np.pi, "e": np.e}.get(t) or float(t))
    ),
)


def _combine(children):
    def unary(a: Node) -> Node:
        return _node(f"(-{a.text})", np.negative, [a], a.constant)

    def binary(op: str, a: Node, b: Node) -> Node:
        fn = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[op]
        return _node(f"({a.text} {op} {b.text})", fn, [a, b], a.constant and b.constant)

    def power(a: Node, n: int, caret: bool) -> Node:
        text = f"({a.text}){'^' if caret else '**'}{n}"
        return _node(text, lambda v: np.power(v, float(n)), [a], a.constant)

    def call(name: str, a: Node) -> Node:
        return _node(f"{name}({a.text})", NUMPY[name], [a], a.constant)

    with_ops = st.sampled_from(["+", "-", "*", "/"])
    return st.one_of(
        children.map(unary),
        st.builds(binary, with_ops, children, children),
        st.builds(power, children, st.integers(0, 4), st.booleans()),
        st.builds(call, st.sampled_from(sorted(NUMPY)), children),
    )


FORMULAS = st.recursive(LEAVES, _combine, max_leaves=8)


@given(text=st.one_of(st.text(FORMULA_CHARS, max_size=80), st.text(max_size=80)))
def test_any_text_is_compiled_or_refused_with_a_message(text):
    try:
        expr = compile_expression(text)
    except ExpressionError as err:
        assert str(err).strip(), text  # a message to show, never an empty box
        return
    assert expr.latex and expr.text
    values = expr(
        torch.linspace(-2, 2, 5, dtype=torch.float64), torch.zeros(5, dtype=torch.float64)
    )
    assert values.shape == (5,) and values.dtype == torch.float64


@settings(max_examples=1500)  # about a millisecond each; every function many times over
@given(node=FORMULAS)
def test_a_formula_gives_the_values_of_an_independent_evaluator(node):
    try:
        expr = compile_expression(node.text)
    except ExpressionError:
        # Refused only where a constant part is not a finite number (the parser folds those).
        assert node.refused, node.text
        return
    assert not node.refused, node.text
    got = expr(torch.from_numpy(GRID_X), torch.from_numpy(GRID_Y)).numpy()
    where = stable(node)
    assume(where.any())
    np.testing.assert_allclose(got[where], node.values[where], rtol=1e-9, atol=1e-9,
                               err_msg=node.text)  # fmt: skip


@given(node=FORMULAS)
def test_the_shown_text_reads_back_as_the_same_formula(node):
    """``Expression.text`` is what the app shows and puts in links: it must compile again to a
    formula with the same values."""
    try:
        expr = compile_expression(node.text)
    except ExpressionError:
        return
    again = compile_expression(expr.text)
    inputs = torch.from_numpy(GRID_X), torch.from_numpy(GRID_Y)
    np.testing.assert_array_equal(again(*inputs).numpy(), expr(*inputs).numpy(), err_msg=expr.text)
    assert again.latex == expr.latex


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@given(node=FORMULAS)
def test_values_keep_the_inputs_dtype_and_shape(node, dtype):
    try:
        expr = compile_expression(node.text)
    except ExpressionError:
        return
    out = expr(torch.zeros(2, 3, dtype=dtype), torch.ones(2, 3, dtype=dtype))
    assert out.shape == (2, 3) and out.dtype == dtype
