"""Command line: ``python -m engine list`` and ``python -m engine run ...``.

    python -m engine run --surface rosenbrock --optimizer adam:lr=0.05 \\
        --optimizer sgd:lr=0.001 --start -1.5,2 --steps 500 --format csv

Bad arguments print one line on stderr and exit with status 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np

from engine import activations, optimizers, surfaces
from engine.core.tables import to_csv
from engine.optimizers import schedules
from engine.surfaces import trajectories


class UsageError(Exception):
    """A bad command line: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(message)


def _value(spec: optimizers.HyperSpec, text: str) -> Any:
    if spec.kind == "bool":
        if text.lower() not in ("true", "false", "1", "0"):
            raise UsageError(f"{spec.name} takes true or false, not {text!r}")
        return text.lower() in ("true", "1")
    if spec.kind == "pair":
        parts = text.split("/")
        if len(parts) != 2:
            raise UsageError(f"{spec.name} takes two numbers as a/b, not {text!r}")
        return tuple(_value(spec._replace(kind="float"), p) for p in parts)
    if spec.kind == "choice":
        return text
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"{spec.name} takes a number, not {text!r}") from None


def parse_optimizer(text: str) -> optimizers.Optimizer:
    """``name[:key=value,key=value]`` -> Optimizer, e.g. ``adam:lr=0.05,betas=0.9/0.99``."""
    name, _, rest = text.partition(":")
    name = name.strip().lower()
    if name not in optimizers.names():
        raise UsageError(f"unknown optimizer {name!r}; known: {', '.join(optimizers.names())}")
    specs = {s.name: s for s in optimizers.hyper_specs(name)}
    hyper = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, val = item.partition("=")
        if not sep:
            raise UsageError(f"expected key=value in {text!r}, got {item!r}")
        if key not in specs:
            raise UsageError(f"{name} has no hyperparameter {key!r}; known: {', '.join(specs)}")
        hyper[key] = _value(specs[key], val)
    return optimizers.create(name, **hyper)


def parse_start(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"a start is x,y (for example -1.5,2), not {text!r}") from None
    return x, y


def _surface(name_or_expression: str) -> surfaces.Surface:
    if name_or_expression in surfaces.names():
        return surfaces.get(name_or_expression)
    return surfaces.parse(name_or_expression)  # ExpressionError is a ValueError


def _rows(run: trajectories.Run):
    K, S, T1, _ = run.paths.shape
    for k in range(K):
        for s in range(S):
            for t in range(T1):
                grad = run.grad_norms[k, s, t] if t < T1 - 1 else ""
                x, y = run.paths[k, s, t]
                yield [run.labels[k], s, t, repr(float(x)), repr(float(y)),
                       repr(float(run.losses[k, s, t])), grad, int(run.diverged_at[k, s])]  # fmt: skip


def paths_csv(run: trajectories.Run) -> str:
    header = ["optimizer", "start", "step", "x", "y", "loss", "grad_norm", "diverged_at"]
    return to_csv(header, _rows(run))


def paths_json(run: trajectories.Run, surface: surfaces.Surface) -> str:
    return json.dumps(
        {
            "surface": surface.name,
            "latex": surface.latex,
            "optimizers": [
                {"label": label, "name": opt.name, "hyper": _plain(opt.hyper)}
                for label, opt in zip(run.labels, run.optimizers, strict=True)
            ],
            "starts": run.starts.tolist(),
            "paths": run.paths.tolist(),
            "losses": run.losses.tolist(),
            "diverged_at": run.diverged_at.tolist(),
        }
    )


def _plain(hyper: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in hyper.items()}


def _parser() -> _Parser:
    parser = _Parser(prog="python -m engine", description="Gradient lab's engine from the shell.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="list optimizers, surfaces, activations and schedules")
    run = sub.add_parser("run", help="run optimizers on a surface and write the trajectories")
    run.add_argument("--surface", default="rosenbrock", help="a surface name or an expression")
    run.add_argument("--optimizer", action="append", dest="optimizers", metavar="NAME[:k=v,..]")
    run.add_argument("--start", action="append", dest="starts", metavar="X,Y")
    run.add_argument("--steps", type=int, default=200)
    run.add_argument("--noise", type=float, default=0.0)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--schedule", default="constant", choices=schedules.names())
    run.add_argument("--format", default="csv", choices=["csv", "json"])
    run.add_argument("--output", "-o", help="write to this file instead of stdout")
    run.add_argument("--device", default=None, help="cpu or cuda (default: cuda if available)")
    return parser


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """Let ``--start -1.5,2`` through: argparse would take ``-1.5,2`` for an option."""
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        if args[i] == "--start" and i + 1 < len(args):
            out.append(f"--start={args[i + 1]}")
            i += 2
        else:
            out.append(args[i])
            i += 1
    return out


def _list() -> str:
    return "\n".join(
        [
            "optimizers: " + ", ".join(optimizers.names()),
            "surfaces: " + ", ".join(surfaces.names()),
            "activations: " + ", ".join(activations.names()),
            "schedules: " + ", ".join(schedules.names()),
        ]
    )


def _run(args: argparse.Namespace) -> str:
    surface = _surface(args.surface)
    opts = [parse_optimizer(text) for text in (args.optimizers or ["adam"])]
    starts = [parse_start(t) for t in args.starts] if args.starts else [surface.start]
    schedule = schedules.make(args.schedule, args.steps)
    result = trajectories.run(
        surface, opts, np.array(starts), args.steps,
        noise=args.noise, seed=args.seed, device=args.device, schedule=schedule,
        record_state=False,
    )  # fmt: skip
    return paths_csv(result) if args.format == "csv" else paths_json(result, surface)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _parser().parse_args(_join_negative_values(argv))
        text = _list() + "\n" if args.command == "list" else _run(args)
        if getattr(args, "output", None):
            with open(args.output, "w") as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
    except (UsageError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
