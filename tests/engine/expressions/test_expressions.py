"""The safe formula parser: hostile input is refused fast and never runs; good input is exact.

Oracles: hand-written torch formulas, analytic gradients checked with torch.autograd, and
sentinels that would count if any of the user's text were executed.
"""

from __future__ import annotations

import ast
import builtins
import math
import os
import time

import pytest
import torch

from engine.expressions import Expression, ExpressionError, compile_expression

SENTINEL = "gradient_lab_sentinel"

HOSTILE = [
    "__import__('os').system('x')",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.real",
    "x.__class__",
    "[x for x in y]",
    "{x for x in y}",
    "(x for x in y)",
    "lambda: 1",
    "open('f')",
    "'a'*9**9",
    "b'a'",
    "9**9**9**9",
    "9**9**9",
    "x**1e9",
    "x**(2**7)",
    "x^2^9",
    "x**-1000",
    "(" * 1000,
    "(" * 31 + "x" + ")" * 31,
    "[" * 40,
    "-" * 10000 + "1",
    "-" * 299 + "1",
    "x" + "**x" * 40,
    'f"{x}"',
    "x if y else 1",
    "x < y",
    "x == y",
    "x and y",
    "not x",
    "~x",
    "x[0]",
    "exec('1')",
    "eval('1')",
    "globals()",
    "getattr(x, 'real')",
    "sin(x, y)",
    "sin(x=1)",
    "sin(*x)",
    "sin()",
    "x @ y",
    "x // y",
    "x % y",
    "x | y",
    "x << 2",
    "1j",
    "True",
    "None",
    "...",
    "x" * 301,
    "x + " * 100 + "x",
    "x\x00",
    "\x00",
    "ｘ + 1",  # fullwidth x: Python would NFKC-normalise it to x
    "𝓍",  # mathematical script x, also NFKC-normalised by Python
    "πx",
    "x\u200by",  # zero-width space
    "(x := 1)",
    "x, y",
    "*x",
    "sin",
    "foo",
    "x(2)",
    "(x+1)(x-1)",
    "2x",
    "1e16",
    "10000000000000000",
    "9" * 300,
    "1/0",
    "log(0)",
    "sqrt(-1)",
    "",
    "   \n\t ",
    "x = 1",
    "import os",
    "x; y",
    f"{SENTINEL}()",
    f"__builtins__.{SENTINEL}()",
    f"[{SENTINEL}() for _ in 'a']",
    f"(lambda: {SENTINEL}())()",
    f"x if {SENTINEL}() else 1",
    f"sin({SENTINEL}())",
    f"x + {SENTINEL}()",
    f"{SENTINEL}",
]


def test_there_are_at_least_thirty_hostile_inputs():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_input_is_refused_fast(text):
    # The CPU time of this thread, not the wall clock: a refusal must do little work (no
    # huge power evaluated, no deep recursion), whatever else the machine is running.
    start = time.thread_time()
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    spent = time.thread_time() - start
    assert isinstance(info.value, ValueError)
    assert spent < 0.2, f"{spent:.3f} s of CPU"
    message = str(info.value)
    assert 10 < len(message) < 400  # a sentence a person can act on, not a traceback


def test_nothing_of_the_text_is_ever_executed(monkeypatch):
    calls = []
    monkeypatch.setattr(builtins, SENTINEL, lambda *a: calls.append(a) or 1, raising=False)
    for name in ("eval", "exec", "open", "breakpoint", "input"):
        monkeypatch.setattr(builtins, name, lambda *a, _n=name, **k: calls.append(_n))
    monkeypatch.setattr(os, "system", lambda *a: calls.append(("os.system", a)) or 0)
    real_compile = builtins.compile
    flags_seen = []

    def spy_compile(source, filename, mode, flags=0, *args, **kwargs):
        flags_seen.append(flags)
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", spy_compile)
    for text in HOSTILE:
        with pytest.raises(ExpressionError):
            compile_expression(text)
    expr = compile_expression("sin(x) + y^2")
    expr(torch.ones(3), torch.ones(3))
    assert calls == []
    # ast.parse is the only caller of compile, and it only ever asks for a syntax tree.
    assert flags_seen and all(f & ast.PyCF_ONLY_AST for f in flags_seen)


def test_messages_say_what_to_change():
    def message(text):
        with pytest.raises(ExpressionError) as info:
            compile_expression(text)
        return str(info.value)

    assert message("x" * 612) == "Expression is too long (612 characters; the limit is 300)"
    assert message("x**1e6") == "'**' exponent 1e6 is too large (the limit is 100)"
    assert message("foo + x").startswith("Unknown name 'foo': use x, y, pi, e or one of sin, cos")
    assert message("x + * 2").startswith("Syntax error at column 5")
    assert message("x ^ ^ 2").startswith("Syntax error at column 5")  # column in the user's text
    assert "2*x" in message("2x")
    assert "'*'" in message("(x+1)(x-1)")
    assert "exactly one argument (got 2)" in message("sin(x, y)")
    assert "U+FF58" in message("ｘ")
    assert "pi" in message("π")


@pytest.mark.parametrize(
    ("text", "quoted", "fixed"),
    [
        ("2x", "'2x'", "e.g. 2*x)"),
        ("3sin(x) + y", "'3sin(x) + y'", "e.g. 3*sin(x) + y)"),
        ("0.5 x + 2y", "'0.5 x + 2y'", "e.g. 0.5*x + 2*y)"),
        ("(x+1)y", "'(x+1)y'", "e.g. (x+1)*y)"),
        ("1e-3x + 0x10", "'1e-3x + 0x10'", "e.g. 1e-3*x + 0x10)"),
        ("(x+1)(y-1)", "'x+1' cannot be called", "e.g. (x+1)*(y-1))"),
        ("x (y + 2)", "'x' cannot be called", "e.g. x*(y + 2))"),
    ],
)
def test_multiplication_hint_quotes_the_text_and_shows_it_with_stars(text, quoted, fixed):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    message = str(info.value)
    assert quoted in message and "write" in message and "'*'" in message
    assert message.endswith(fixed)
    compile_expression(fixed[len("e.g. ") : -1])  # the suggestion itself is a valid formula


def test_a_suggestion_that_would_not_parse_falls_back_to_a_plain_example():
    with pytest.raises(ExpressionError) as info:
        compile_expression("2x + foo")  # 2*x + foo still names an unknown 'foo'
    assert str(info.value).endswith("e.g. 2*x or (x+1)*(y-1))")


def test_a_long_formula_is_quoted_around_the_error():
    text = "x + " * 30 + "2x"
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    message = str(info.value)
    assert "'…" in message and "2x'" in message and message.endswith("e.g. 2*x)")
    assert len(message) < 200


def random_points(dtype=torch.float64, n=50):
    g = torch.Generator().manual_seed(0)
    return (
        torch.rand(n, generator=g, dtype=dtype) * 4 - 2,
        torch.rand(n, generator=g, dtype=dtype) * 4 - 2,
    )


CASES = [
    ("(x-1)**2 + (y+2)**2", lambda x, y: (x - 1) ** 2 + (y + 2) ** 2),
    ("(x-1)^2 + (y+2)^2", lambda x, y: (x - 1) ** 2 + (y + 2) ** 2),
    ("-x^2", lambda x, y: -(x**2)),
    ("2^-x", lambda x, y: 2.0 ** (-x)),
    ("abs(x)^2^0.5", lambda x, y: x.abs() ** (2**0.5)),
    ("sin(x)*cos(y) + tan(x/4)", lambda x, y: torch.sin(x) * torch.cos(y) + torch.tan(x / 4)),
    ("exp(-x^2 - y^2) / (1 + x*x)", lambda x, y: torch.exp(-(x**2) - y**2) / (1 + x * x)),
    ("log(1 + x**2) + sqrt(abs(y))", lambda x, y: torch.log(1 + x**2) + torch.sqrt(y.abs())),
    (
        "tanh(x) + sinh(y) - cosh(x*y)",
        lambda x, y: torch.tanh(x) + torch.sinh(y) - torch.cosh(x * y),
    ),
    ("arctan(x) + atan(y)", lambda x, y: torch.atan(x) + torch.atan(y)),
    ("pi*x + e*y", lambda x, y: math.pi * x + math.e * y),
    ("e**x - pi/2", lambda x, y: torch.exp(x) - math.pi / 2),
    ("+x - -y", lambda x, y: x + y),
    ("1e-3*x + 2.5e2*y + 0x10", lambda x, y: 1e-3 * x + 250 * y + 16),
    ("x - (y - 1) / (2 * 3)", lambda x, y: x - (y - 1) / 6),
    ("x" + " + x" * 60, lambda x, y: 61 * x),  # a long flat sum is not "deep"
]


@pytest.mark.parametrize(("text", "oracle"), CASES, ids=[c[0][:30] for c in CASES])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_values_match_hand_written_torch(text, oracle, dtype):
    x, y = random_points(dtype)
    got = compile_expression(text)(x, y)
    assert got.dtype == dtype and got.shape == x.shape
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(got, oracle(x, y).to(dtype), rtol=tol, atol=tol)


GRADIENTS = [
    ("x^2 + 3*x*y", lambda x, y: (2 * x + 3 * y, 3 * x)),
    ("sin(x)*exp(y)", lambda x, y: (torch.cos(x) * torch.exp(y), torch.sin(x) * torch.exp(y))),
    (
        "(1 - x)^2 + 100*(y - x^2)^2",
        lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
    ),
    ("log(1 + x^2 + y^2)", lambda x, y: (2 * x / (1 + x**2 + y**2), 2 * y / (1 + x**2 + y**2))),
    ("arctan(x*y)", lambda x, y: (y / (1 + (x * y) ** 2), x / (1 + (x * y) ** 2))),
]


@pytest.mark.parametrize(("text", "grad"), GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_autograd_gradient_matches_the_analytic_one(text, grad):
    x, y = (t.requires_grad_() for t in random_points())
    gx, gy = torch.autograd.grad(compile_expression(text)(x=x, y=y).sum(), (x, y))
    ex, ey = grad(x.detach(), y.detach())
    torch.testing.assert_close(gx, ex, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(gy, ey, rtol=1e-12, atol=1e-12)


def test_constant_formula_has_the_inputs_shape_dtype_and_a_zero_gradient():
    x = torch.zeros(4, 3, dtype=torch.float32, requires_grad=True)
    y = torch.zeros(3, dtype=torch.float32, requires_grad=True)
    out = compile_expression("2*pi + e")(x, y)
    assert out.shape == (4, 3) and out.dtype == torch.float32 and out.device == x.device
    torch.testing.assert_close(out, torch.full((4, 3), 2 * math.pi + math.e))
    gx, gy = torch.autograd.grad(out.sum(), (x, y))
    assert gx.abs().sum() == 0 and gy.abs().sum() == 0


def test_inputs_broadcast_and_a_bare_variable_is_a_copy():
    x, y = torch.arange(3.0).reshape(3, 1), torch.arange(4.0)
    out = compile_expression("x")(x, y)
    assert out.shape == (3, 4)
    torch.testing.assert_close(out, x.expand(3, 4))
    x1 = torch.ones(5, dtype=torch.float64)
    same = compile_expression("x")(x1, x1)
    same += 1
    assert x1.sum() == 5  # the caller's tensor is untouched


def test_one_variable_for_the_activation_explorer():
    expr = compile_expression("x / (1 + exp(-x))", variables=("x",))
    assert isinstance(expr, Expression) and expr.variables == ("x",)
    x = torch.linspace(-4, 4, 9, dtype=torch.float64)
    torch.testing.assert_close(expr(x), x * torch.sigmoid(x))
    torch.testing.assert_close(expr(x=x), x * torch.sigmoid(x))
    with pytest.raises(ExpressionError, match="Unknown name 'y'"):
        compile_expression("x + y", variables=("x",))


def test_calling_with_wrong_inputs_is_a_type_error():
    expr = compile_expression("x + y")
    with pytest.raises(TypeError):
        expr(torch.ones(1))
    with pytest.raises(TypeError):
        expr(x=torch.ones(1), z=torch.ones(1))


def test_text_and_latex_render_the_tree():
    expr = compile_expression("(x-1)^2 + sqrt(y)/pi")
    assert expr.text == "(x - 1) ** 2 + sqrt(y) / pi"
    assert expr.latex == r"\left(x - 1\right)^{2} + \frac{\sqrt{y}}{\pi}"
    assert compile_expression("-x^2").latex == "-x^{2}"
    assert compile_expression("(-x)^2").latex == r"\left(-x\right)^{2}"
    assert (
        compile_expression("2*sin(x)*atan(y)").latex
        == r"2 \sin\left(x\right) \cdot \arctan\left(y\right)"
    )
    assert compile_expression("exp(-x) + abs(y)").latex == r"e^{-x} + \left|y\right|"
    assert compile_expression("x - (y - 1)").latex == r"x - \left(y - 1\right)"
    assert compile_expression("3e-5*x").latex == r"3 \times 10^{-5} x"


def test_moderate_nesting_is_accepted():
    text = "(" * 30 + "x" + ")" * 30
    assert compile_expression(text)(torch.ones(2), torch.ones(2)).tolist() == [1.0, 1.0]
    compile_expression("sin(cos(tan(exp(log(sqrt(abs(tanh(sinh(cosh(x))))))))))")
    compile_expression("x**100 + x**-100 + 2**2**2")


def test_undefined_parts_blame_the_first_part_that_fails_and_say_why():
    from engine.expressions.domain import undefined_parts

    x = torch.linspace(-2, 2, 5, dtype=torch.float64)  # -2 -1 0 1 2

    def parts(text):
        gaps = undefined_parts(compile_expression(text, ("x",)), x)
        return [(g.part, g.reason, g.mask.tolist()) for g in gaps]

    at_zero = [False, False, True, False, False]
    assert parts("x/0") == [("x/0", "divides by zero", [True] * 5)]
    assert parts("1/x + 1") == [("1/x", "divides by zero", at_zero)]
    assert parts("2*log(x)") == [
        ("log(x)", "takes the log of a number ≤ 0", [True] * 3 + [False] * 2)
    ]
    assert parts("sqrt(x - 1)")[0][1] == "takes the square root of a negative number"
    assert parts("x^0.5")[0][1] == "raises a negative number to a fractional power"
    assert parts("x**-2")[0][1] == "divides by zero (0 to a negative power)"
    assert parts("exp(exp(exp(x)))")[0][1] == "gives a number too large for a float"
    assert parts("exp(-1/x**2)") == []  # 1/x**2 is infinite at 0, but the formula is 0 there
    assert parts("tanh(x)") == []


def test_explain_says_where_on_the_grid():
    from engine.expressions.domain import explain

    x = -5 + 10 * torch.arange(601, dtype=torch.float64) / 600

    def say(text):
        return explain(compile_expression(text, ("x",)), x)

    assert say("x/0") == "'x/0' divides by zero, so f(x) is undefined everywhere on [−5, 5]"
    assert say("log(x)") == "'log(x)' takes the log of a number ≤ 0, so f(x) is undefined for x ≤ 0"
    assert say("1/x").endswith("undefined at x = 0")
    assert say("log(4 - x**2)").endswith("undefined for x ≤ −2 and for x ≥ 2")
    assert "for x from −3.13 to 0" in say("log(sin(x))")
    both = say("log(x) + sqrt(-x)")
    assert "'log(x)' takes the log of a number ≤ 0 for x ≤ 0" in both
    assert both.endswith("everywhere on [−5, 5]")
    assert say("x**2") == ""
