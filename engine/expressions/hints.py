"""Messages for formulas Python cannot even read: where, what, and the fix when it is obvious.

Most refused formulas are maths written as on paper: ``2x``, ``3sin(x)``, ``(x+1)y``. The message
quotes the user's text and, when writing the missing ``*`` makes the formula valid, shows that
corrected formula (``2x`` -> ``2*x``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.core.i18n import _

# A number written right before a name or a bracket ("2x", "3sin(x)", "0.5(x+1)"), or a closing
# bracket right before a name, number or bracket ("(x+1)y"). The look-behind keeps digits inside
# names ("x2") out; "1e5" and "0x1F" stay one number.
_NUMBER = r"0[xXoObB][\da-fA-F]+|(?!0[xXoObB][\da-fA-F])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_BEFORE = rf"(?<![\w.])({_NUMBER})(?![eE][+-]?\d)\s*(?=[A-Za-z_(])"
JUXTAPOSED = re.compile(_NUMBER_BEFORE + r"|\)\s*(?=[\w(])")
GENERIC_EXAMPLE = "2*x or (x+1)*(y-1)"


def with_stars(text: str) -> str:
    """``text`` with '*' written where it multiplies by juxtaposition: ``2x`` -> ``2*x``."""
    return JUXTAPOSED.sub(lambda m: (m.group(1) or ")") + "*", text)


def excerpt(text: str, column: int, width: int = 40) -> str:
    """The user's text, or the part of a long one around ``column`` (0-based)."""
    if len(text) <= width:
        return text
    start = max(0, min(column - width // 2, len(text) - width))
    head, tail = ("…" if start > 0 else ""), ("…" if start + width < len(text) else "")
    return head + text[start : start + width] + tail


def syntax_message(text: str, err: SyntaxError, compiles: Callable[[str], bool]) -> str:
    """The message for a formula ``ast.parse`` refused; ``compiles(fixed)`` checks a suggestion."""
    text = text.strip()
    column = err.offset or 1
    # Map the column back to the user's text, where each '^' is one character, not two.
    shifted = 0
    for char in text:
        if column <= 1:
            break
        column -= 2 if char == "^" else 1
        shifted += 1
    message = _("Syntax error at column {column} of '{text}': {error}").format(
        column=shifted + 1, text=excerpt(text, shifted), error=err.msg
    )
    if JUXTAPOSED.search(text):
        fixed = with_stars(text)
        # The corrected text has no juxtaposition left, so checking it cannot recurse further.
        fine = not JUXTAPOSED.search(fixed) and compiles(fixed)
        example = (fixed if len(fixed) <= 40 else _first_fix(text)) if fine else GENERIC_EXAMPLE
        message += _(" (write multiplication with '*', e.g. {example})").format(example=example)
    return message


def _first_fix(text: str) -> str:
    """The first juxtaposition of a long formula, corrected: "… + 2x + …" -> "2*x"."""
    match = JUXTAPOSED.search(text)
    following = re.match(r"[A-Za-z_]\w*|\(|\d+", text[match.end() :])
    return (match.group(1) or ")") + "*" + (following.group(0) if following else "")
