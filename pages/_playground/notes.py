"""What the playground says when paths cannot start or stop early, and why.

A typed formula can have no value on part of the region (``log(-x)`` for x ≥ 0): that is said
before any run, and a path that steps there is blamed on the formula, not on the learning rate.
Only real divergences get the advice to lower the learning rate. The reasons come from the
engine (``engine.surfaces.domain``); the parts of a formula are written with spaces around their
operators (``x ** 2``), so Markdown shows them as typed.
"""

from __future__ import annotations

import streamlit as st

from engine.core.i18n import _
from pages._common import present
from pages._common.keys import playground as keys
from pages._playground import data, figures
from pages._playground.controls import Settings


def undefined_region(cfg: Settings) -> None:
    """Say where in the plotted region the surface has no value (nothing if it has one everywhere)."""
    note = data.region_note(cfg.surface)
    if note:
        st.info(
            _(note) + " " + _("The map shows those points flat, at an end of its colour scale."),
            icon=":material/info:",
        )


def stops(result: data.Paths) -> None:
    """Say why paths stopped: the formula's domain (grouped by cause), or a step size."""
    undefined: dict[str, list[str]] = {}
    for k, (label, d) in enumerate(zip(result.labels, result.diverged_at, strict=True)):
        if d < 0:
            continue
        if result.undefined[k]:
            x, y = result.undefined_points[k]
            undefined.setdefault(result.why[k], []).append(
                _("{label} (step {step}, at ({x}, {y}))").format(
                    label=label, step=int(d), x=f"{x:.3g}", y=f"{y:.3g}"
                )
            )
        else:
            st.error(
                _("{label} diverged at step {step}: try a smaller learning rate.").format(
                    label=label, step=int(d)
                )
            )
    for why, who in undefined.items():
        st.warning(
            _(
                "{why}. {who} stepped there and stopped at the last point where f is defined: "
                "this is the formula, not the learning rate. Start elsewhere, use fewer steps or "
                "change the formula."
            ).format(why=_(why), who=_(", ").join(who)),
            icon=":material/block:",
        )


def bare_map(cfg: Settings) -> None:
    """The map without paths, so that a click can still pick a start where a run works."""
    present.kept(st, figures.map_figure(cfg), key=keys.MAP_KEY, clicks=True)
