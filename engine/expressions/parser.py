"""A safe parser for formulas that people type, such as ``(x-1)**2 + 3*sin(y)``.

The text is parsed with ``ast.parse(mode="eval")`` (which only builds a syntax tree) and every node
is checked against a whitelist; the accepted tree is turned into a tree of closures over torch ops.
Nothing of the user's text is ever handed to ``eval``, ``exec`` or a code compiler.

Allowed: int and float numbers (at most 1e15), the variables, ``pi``, ``e``, ``+ - * / **`` (``^``
is read as ``**``), unary ``+``/``-``, parentheses, and one-argument calls of sin cos tan exp log
sqrt abs tanh sinh cosh arctan (``atan`` is an alias). ``//`` and ``%`` are refused: they are
piecewise constant or discontinuous, so their gradients teach nothing on a loss surface.

Limits keep every refusal fast and every constant finite: at most 300 characters, at most 30
levels of nesting (brackets are counted on the raw text before parsing, so the parser itself never
recurses deeply), and a constant exponent of at most 100 in absolute value. Constant parts are
folded once in float64 torch, so a tower such as ``9**9**9`` is refused (its inner exponent is
387420489) and never computed with Python integers; a constant that is not finite is refused.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable

import torch

from engine.core.i18n import N_, _
from engine.expressions.hints import syntax_message
from engine.expressions.latex import ALIASES, to_latex

MAX_LENGTH = 300
MAX_DEPTH = 30
MAX_EXPONENT = 100.0
MAX_NUMBER = 1e15

FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "arctan": torch.atan,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
# Python operators, so a float constant may sit on either side of a tensor (2.0 ** x works).
BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_GROUP = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}  # left-assoc chains: one nesting level
_REFUSED = {
    ast.Attribute: N_("Attributes like '.{attr}' are not allowed"),
    ast.Subscript: N_("Indexing like x[...] is not allowed"),
    ast.Compare: N_("Comparisons (<, >, ==, ...) are not allowed: the formula must give a number"),
    ast.BoolOp: N_("'and' / 'or' are not allowed: the formula must give a number"),
    ast.IfExp: N_("Conditional expressions (a if c else b) are not allowed"),
    ast.Lambda: N_("'lambda' is not allowed: type the formula itself"),
    ast.NamedExpr: N_("Assignments (:=) are not allowed"),
    ast.JoinedStr: N_("Text in quotes is not allowed"),
    ast.Starred: N_("'*' unpacking is not allowed"),
    ast.Tuple: N_("A formula is one expression, not a list separated by commas"),
}
for _kind in (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp):
    _REFUSED[_kind] = N_("Comprehensions ([... for ...]) are not allowed")
for _kind in (ast.List, ast.Set, ast.Dict):
    _REFUSED[_kind] = N_("Lists, sets and dicts are not allowed: a formula gives one number")

Fn = Callable[[tuple[torch.Tensor, ...]], torch.Tensor]


class ExpressionError(ValueError):
    """A formula was refused; the message says what to change."""


class Expression:
    """A compiled formula: call it with tensors, positionally or by variable name."""

    __slots__ = ("text", "latex", "variables", "source", "_fn", "_constant")

    def __init__(
        self, text: str, latex: str, variables: tuple[str, ...], fn: Fn, constant, source: str = ""
    ):
        self.text, self.latex, self.variables = text, latex, variables
        self.source = source or text  # what was parsed: the user's text, '^' read as '**'
        self._fn, self._constant = fn, constant

    def __repr__(self) -> str:
        return f"Expression({self.text!r}, variables={self.variables})"

    def __call__(self, *args, **kwargs) -> torch.Tensor:
        if len(args) > len(self.variables):
            raise TypeError(f"{self!r} takes {len(self.variables)} inputs, got {len(args)}")
        values = dict(zip(self.variables, args, strict=False))
        for name, value in kwargs.items():
            if name not in self.variables or name in values:
                raise TypeError(f"Unexpected or repeated input {name!r} for {self!r}")
            values[name] = value
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise TypeError(f"Missing input(s) {missing} for {self!r}")
        inputs = [torch.as_tensor(values[v]) for v in self.variables]
        dtype = inputs[0].dtype
        for t in inputs[1:]:
            dtype = torch.promote_types(dtype, t.dtype)
        if not dtype.is_floating_point:
            dtype = torch.get_default_dtype()
        # Broadcast first, so every node (and so the result) has the inputs' common shape.
        env = tuple(torch.broadcast_tensors(*[t.to(dtype) for t in inputs]))
        if self._constant is not None:
            # Keep the graph connected (gradient 0) so autograd works on constant formulas too.
            return sum((t * 0 for t in env[1:]), env[0] * 0) + self._constant
        return self._fn(env)


def compile_expression(text: str, variables: tuple[str, ...] = ("x", "y")) -> Expression:
    """Check ``text`` against the whitelist and compile it; raise ExpressionError if refused."""
    for v in variables:
        if not v.isidentifier() or v in FUNCTIONS or v in ALIASES or v in CONSTANTS:
            raise ValueError(_("Invalid variable name: {v!r}").format(v=v))
    source = _precheck(text, variables)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        message = syntax_message(text, err, lambda fixed: _compiles(fixed, tuple(variables)))
        raise ExpressionError(message) from None
    except (ValueError, RecursionError, MemoryError) as err:  # belt and braces: prechecked
        raise ExpressionError(_("The formula could not be read: {err}").format(err=err)) from None
    fn, constant = _Builder(source, variables).build(tree.body, 1)
    return Expression(
        ast.unparse(tree.body), to_latex(tree.body), tuple(variables), fn, constant, source
    )


def _precheck(text: str, variables: tuple[str, ...]) -> str:
    """Cheap checks on the raw text, before the parser sees it; returns the text to parse."""
    if not isinstance(text, str):
        raise ExpressionError(
            _("The formula must be text, not {kind}").format(kind=type(text).__name__)
        )
    text = text.strip()
    if not text:
        example = " + ".join(f"{v}**2" for v in variables)
        raise ExpressionError(
            _("The formula is empty: type one in {choices}, e.g. {example}").format(
                choices=", ".join(variables), example=example
            )
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            _("Expression is too long ({count} characters; the limit is {max_length})").format(
                count=len(text), max_length=MAX_LENGTH
            )
        )
    depth = 0
    for column, char in enumerate(text, 1):
        if char == "π":
            raise ExpressionError(
                _("Character 'π' at column {column}: write pi instead").format(column=column)
            )
        if not (char.isascii() and (char.isprintable() or char in "\t\n\r")):
            raise ExpressionError(
                _(
                    "Character {char!r} (U+{ord:04X}) at column {column} is not allowed: use plain ASCII letters, digits, + - * / ^ ( ) and spaces"
                ).format(char=char, ord=ord(char), column=column)
            )
        depth += (char in "([{") - (char in ")]}")
        if depth > MAX_DEPTH:
            raise ExpressionError(
                _(
                    "Brackets are nested too deeply at column {column} (the limit is {max_depth})"
                ).format(column=column, max_depth=MAX_DEPTH)
            )
    # One character each, so columns in the parsed text still match the user's text.
    return re.sub(r"[\t\n\r]", " ", text).replace("^", "**")


def _compiles(text: str, variables: tuple[str, ...]) -> bool:
    try:
        compile_expression(text, variables)
    except ExpressionError:
        return False
    return True


def _fold(op: Callable[..., torch.Tensor], *values: float) -> float:
    """Evaluate a constant part once, in float64 torch: overflow gives inf, never a hang."""
    return op(*(torch.tensor(v, dtype=torch.float64) for v in values)).item()


class _Builder:
    """Turn a checked syntax tree into closures; a node gives (fn, constant or None)."""

    def __init__(self, source: str, variables: tuple[str, ...]):
        self.source, self.variables = source, variables

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    def build(self, node: ast.AST, depth: int) -> tuple[Fn, float | None]:
        if depth > MAX_DEPTH:
            raise ExpressionError(
                _("The formula is nested too deeply (the limit is {max_depth})").format(
                    max_depth=MAX_DEPTH
                )
            )
        fn, constant = self._build(node, depth)
        if constant is not None and not math.isfinite(constant):
            raise ExpressionError(
                _("The constant part '{text}' is {constant}, not a finite number").format(
                    text=self.segment(node), constant=constant
                )
            )
        return fn, constant

    def _build(self, node: ast.AST, depth: int) -> tuple[Fn, float | None]:
        if isinstance(node, ast.Constant):
            return None, self._number(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            fn, c = self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return fn, c
            return (None, -c) if c is not None else ((lambda env: -fn(env)), None)
        if isinstance(node, ast.BinOp):
            return self._binop(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.UnaryOp):
            raise ExpressionError(
                _("'{text}': only unary + and - are allowed").format(text=self.segment(node))
            )
        message = _REFUSED.get(type(node))
        if message is not None:
            raise ExpressionError(_(message).format(attr=getattr(node, "attr", "")))
        raise ExpressionError(
            f"'{self.segment(node)}' is not allowed: use numbers, {', '.join(self.variables)}, "
            "pi, e, + - * / ** ( ) and the functions " + ", ".join(FUNCTIONS)
        )

    def _number(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise ExpressionError(_("'{text}' is not a number").format(text=self.segment(node)))
        if isinstance(value, str | bytes):
            raise ExpressionError(_("Text in quotes is not allowed"))
        if isinstance(value, complex):
            raise ExpressionError(
                _("Complex numbers like {text} are not allowed").format(text=self.segment(node))
            )
        if not isinstance(value, int | float) or abs(value) > MAX_NUMBER:
            raise ExpressionError(
                _("Number {text} is too large (the limit is 1e15)").format(text=self.segment(node))
            )
        return float(value)

    def _name(self, node: ast.Name) -> tuple[Fn | None, float | None]:
        if node.id in self.variables:
            i = self.variables.index(node.id)
            # A copy, so a formula that is just "x" never hands back the caller's own tensor.
            return (lambda env: env[i].clone()), None
        if node.id in CONSTANTS:
            return None, CONSTANTS[node.id]
        if node.id in FUNCTIONS or node.id in ALIASES:
            raise ExpressionError(_("'{id}' is a function: write {id}(x)").format(id=node.id))
        raise ExpressionError(
            f"Unknown name '{node.id}': use {', '.join(self.variables)}, pi, e or one of "
            + ", ".join(FUNCTIONS)
        )

    def _starred_call(self, node: ast.Call) -> str:
        """The call as the user wrote it, with '*' before its argument bracket: (x+1)*(x-1)."""
        at = node.func.end_col_offset  # the source is one line of ASCII: offsets are columns
        while self.source[at] in ") ":  # brackets around the callee are not part of its node
            at += 1
        return (
            f"{self.source[node.col_offset : at].rstrip()}*{self.source[at : node.end_col_offset]}"
        )

    def _binop(self, node: ast.BinOp, depth: int) -> tuple[Fn | None, float | None]:
        op = BINARY.get(type(node.op))
        if op is None:
            written = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@"}.get(type(node.op), "")
            raise ExpressionError(
                _("The operator {value!r} is not allowed: use + - * / and ** (or ^)").format(
                    value=written or type(node.op).__name__
                )
            )
        group = _GROUP.get(type(node.op))
        same = isinstance(node.left, ast.BinOp) and _GROUP.get(type(node.left.op)) == group
        left, lc = self.build(node.left, depth if group and same else depth + 1)
        right, rc = self.build(node.right, depth + 1)
        if op is operator.pow and rc is not None and abs(rc) > MAX_EXPONENT:
            shown = self.segment(node.right)
            shown += "" if isinstance(node.right, ast.Constant) else f" (= {rc:.10g})"
            raise ExpressionError(
                _("'**' exponent {shown} is too large (the limit is {max_exponent:g})").format(
                    shown=shown, max_exponent=MAX_EXPONENT
                )
            )
        if lc is not None and rc is not None:
            return None, _fold(op, lc, rc)
        if lc is not None:
            return (lambda env: op(lc, right(env))), None
        if rc is not None:
            return (lambda env: op(left(env), rc)), None
        return (lambda env: op(left(env), right(env))), None

    def _call(self, node: ast.Call, depth: int) -> tuple[Fn | None, float | None]:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        name = ALIASES.get(name, name)
        if name not in FUNCTIONS:
            # "(x+1)(x-1)" or "x(2)" are multiplications written the way one writes them on paper.
            paper = name is None and not isinstance(node.func, ast.Attribute | ast.Call)
            paper = paper or name in self.variables or name in CONSTANTS
            hint = f" (to multiply, write '*', e.g. {self._starred_call(node)})" if paper else ""
            raise ExpressionError(
                f"'{self.segment(node.func)}' cannot be called: the only functions are "
                + ", ".join(FUNCTIONS)
                + hint
            )
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(
                _("{name} takes no keyword or unpacked arguments: write {name}(x)").format(
                    name=name
                )
            )
        if len(node.args) != 1:
            raise ExpressionError(
                _("{name} takes exactly one argument (got {count})").format(
                    name=name, count=len(node.args)
                )
            )
        func = FUNCTIONS[name]
        arg, c = self.build(node.args[0], depth + 1)
        if c is not None:
            return None, _fold(func, c)
        return (lambda env: func(arg(env))), None
