"""Small, seeded sequence tasks that need memory across T steps.

- ``adding`` (Hochreiter & Schmidhuber 1997): input :math:`x_t = (u_t, m_t)` with
  :math:`u_t \\sim U(0, 1)` and two marks :math:`m_t = 1`, one in each half of the sequence;
  the target at the last step is the sum of the two marked :math:`u_t`. Mean squared error. The
  best constant guess, 1, scores :math:`\\operatorname{Var}(u + u') = 1/6 \\approx 0.167`.
- ``copy`` (delayed recall): a symbol (one of :data:`SYMBOLS`, one-hot) at step 1, blanks, and a
  recall cue at step T, where the symbol must be named. Cross-entropy; guessing scores
  :math:`\\ln 8`.
- ``text``: next-character prediction on a short text bundled with this package (corpus.txt,
  lower case; nothing is downloaded). Cross-entropy at every step; the letter frequencies alone
  score the text's unigram entropy.

Batches come from a ``torch.Generator`` on the CPU in float64 (the same data on every device).
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cache
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from engine.core.i18n import N_, _

MIN_T = 2
MAX_T = 200
SYMBOLS = "ABCDEFGH"
_ALPHABET = "abcdefghijklmnopqrstuvwxyz .,?"


class Task(NamedTuple):
    name: str
    title: str
    input_size: int
    output_size: int
    every_step: bool  # the loss counts every step (text) or only the last one
    baseline: float  # the loss of the best constant guess


@cache
def text() -> str:
    """The bundled text, lower case, on one line, restricted to :data:`_ALPHABET`."""
    raw = (Path(__file__).with_name("corpus.txt")).read_text(encoding="utf-8").lower()
    return " ".join("".join(ch if ch in _ALPHABET else " " for ch in raw).split())


@cache
def vocabulary() -> str:
    return "".join(sorted(set(text())))


def _unigram_entropy() -> float:
    counts = Counter(text())
    n = sum(counts.values())
    return -sum(c / n * math.log(c / n) for c in counts.values())


@cache
def _tasks() -> dict[str, Task]:
    v = len(vocabulary())
    return {
        "adding": Task("adding", N_("adding problem"), 2, 1, False, 1 / 6),
        "copy": Task(
            "copy", N_("delayed recall"), len(SYMBOLS) + 1, len(SYMBOLS), False, math.log(8)
        ),
        "text": Task("text", N_("next character"), v, v, True, _unigram_entropy()),
    }


def names() -> list[str]:
    return list(_tasks())


def get(name: str) -> Task:
    if name not in _tasks():
        raise ValueError(
            _("Unknown task: {name!r} (choose from {choices})").format(
                name=name, choices=", ".join(_tasks())
            )
        )
    return _tasks()[name]


def check_length(T: int) -> None:
    if not MIN_T <= T <= MAX_T:
        raise ValueError(
            _("Invalid sequence length T: {t} (must be {min_t}..{max_t})").format(
                t=T, min_t=MIN_T, max_t=MAX_T
            )
        )


def sample(name: str, T: int, batch: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """A batch ``(x, y)`` on the CPU: ``x`` ``(batch, T, input_size)`` float64; ``y`` the sums
    ``(batch,)`` (adding), the symbols ``(batch,)`` (copy) or the next characters ``(batch, T)``
    (text)."""
    task = get(name)
    check_length(T)
    g = generator
    if name == "adding":
        x = torch.zeros(batch, T, 2, dtype=torch.float64)
        x[:, :, 0] = torch.rand(batch, T, generator=g, dtype=torch.float64)
        half = T // 2
        first = torch.randint(0, half, (batch,), generator=g)
        second = torch.randint(half, T, (batch,), generator=g)
        rows = torch.arange(batch)
        x[rows, first, 1] = 1.0
        x[rows, second, 1] = 1.0
        return x, x[rows, first, 0] + x[rows, second, 0]
    if name == "copy":
        symbol = torch.randint(0, len(SYMBOLS), (batch,), generator=g)
        x = torch.zeros(batch, T, task.input_size, dtype=torch.float64)
        x[torch.arange(batch), 0, symbol] = 1.0
        x[:, -1, -1] = 1.0  # the recall cue
        return x, symbol
    codes = _codes()
    if len(codes) < T + 1:
        raise ValueError(
            _("Invalid sequence length T: {t} (the text has {count} characters)").format(
                t=T, count=len(codes)
            )
        )
    starts = torch.randint(0, len(codes) - T, (batch,), generator=g)
    windows = codes[starts[:, None] + torch.arange(T + 1)]
    x = F.one_hot(windows[:, :T], task.input_size).to(torch.float64)
    return x, windows[:, 1:]


@cache
def _codes() -> Tensor:
    index = {ch: i for i, ch in enumerate(vocabulary())}
    return torch.tensor([index[ch] for ch in text()], dtype=torch.long)


def loss(name: str, y_hat: Tensor, y: Tensor) -> Tensor:
    """The training loss: the last step's (adding, copy) or every step's mean (text)."""
    if name == "text":
        return F.cross_entropy(y_hat.reshape(-1, y_hat.shape[-1]), y.reshape(-1))
    return last_loss(name, y_hat, y)


def last_loss(name: str, y_hat: Tensor, y: Tensor) -> Tensor:
    """The loss of the last step alone, :math:`L_T`: what the probes differentiate, so the
    signal enters the sequence only at T and reaches step t across T - t steps."""
    if name == "adding":
        return F.mse_loss(y_hat[:, -1, 0], y)
    target = y[:, -1] if name == "text" else y
    return F.cross_entropy(y_hat[:, -1], target)


def labels(name: str, x: Tensor, short: bool = False) -> list[str]:
    """What each step of one sequence ``x`` ``(T, input_size)`` shows, for the plots' axes and
    hovers; ``short`` keeps at most one character per step (an adding problem's numbers become
    "+" on the two marks and nothing elsewhere)."""
    if name == "adding":
        if short:
            return ["+" if m > 0 else "" for _, m in x.tolist()]
        return [f"{u:.2f}{'*' if m > 0 else ''}" for u, m in x.tolist()]
    if name == "copy":
        picks = x.argmax(dim=1).tolist()
        present = x.sum(dim=1).tolist()
        return ["·" if s == 0 else (SYMBOLS + "?")[k] for k, s in zip(picks, present, strict=True)]
    vocab = vocabulary()
    return ["␣" if vocab[k] == " " else vocab[k] for k in x.argmax(dim=1).tolist()]
