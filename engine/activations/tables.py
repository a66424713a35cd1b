"""The numbers behind the Activation explorer, as numpy: curves, histograms, depth, properties.

Every function takes an activation *spec*, a hashable ``(name, ((param, value), ...))`` pair, so
a page can cache on it; ``("custom", (("expression", text),))`` is a formula typed by the user.
Values that are not finite (a custom ``log(x)`` at x < 0, a product of derivatives that is exactly
0) come back as NaN together with a sentence saying why, so a plot can leave them out and say so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

from engine.activations.catalog import Activation
from engine.activations.depth import depth_profile, input_histograms
from engine.activations.properties import Properties, curves, first_derivative
from engine.activations.registry import from_expression, get
from engine.core.checks import check_int
from engine.core.device import resolve
from engine.core.i18n import _
from engine.core.tables import to_csv
from engine.expressions.domain import explain, where_text
from engine.expressions.parser import compile_expression

CUSTOM = "custom"
MAX_POINTS = 2001
Spec = tuple[str, tuple[tuple[str, Any], ...]]


def make_spec(name: str, params: Mapping[str, Any] | None = None) -> Spec:
    """A hashable spec; list values (Maxout's pieces) become tuples."""
    items = ((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in (params or {}).items())
    return (name, tuple(sorted(items)))


def custom_spec(text: str) -> Spec:
    return (CUSTOM, (("expression", text),))


def build(spec: Spec) -> Activation:
    """The Activation a spec names; ValueError (ExpressionError for a formula) when refused."""
    name, items = spec
    params = dict(items)
    if name == CUSTOM:
        return from_expression(params["expression"])
    return get(name, **params)


def _numpy(t: Tensor) -> np.ndarray:
    """float64 numpy with every non-finite value as NaN."""
    a = t.detach().to(torch.float64).cpu().numpy()
    return np.where(np.isfinite(a), a, np.nan)


class CurveTable(NamedTuple):
    """f, f', f'' of one activation on the grid ``x``; NaN where a value is not finite."""

    name: str
    title: str
    x: np.ndarray
    f: np.ndarray
    df: np.ndarray
    d2f: np.ndarray
    band: tuple[np.ndarray, np.ndarray] | None  # RReLU: the envelope of f over its random slopes
    band_df: tuple[np.ndarray, np.ndarray] | None  # ... and of f'
    undefined: int  # grid points where f or f' is not finite
    note: str = ""  # where and why f or f' is undefined, as a sentence; "" if defined everywhere


def grid(lo: float, hi: float, n: int, device: str | torch.device | None = None) -> Tensor:
    """n points from lo to hi; lo + (hi - lo) i / (n - 1) so that [-a, a] holds 0 exactly."""
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(
            _("Invalid x range: [{lo}, {hi}] (need finite lo < hi)").format(lo=lo, hi=hi)
        )
    check_int("n", n, 3, MAX_POINTS)
    i = torch.arange(n, dtype=torch.float64, device=resolve(device))
    return lo + (hi - lo) * (i / (n - 1))


def curve_table(
    spec: Spec, lo: float, hi: float, n: int = 601, device: str | torch.device | None = None
) -> CurveTable:
    """(f, f', f'') by autograd on [lo, hi], and RReLU's band of slopes."""
    act = build(spec)
    x = grid(lo, hi, n, device)
    f, df, d2f = curves(act, x)
    band = band_df = None
    if act.band is not None:
        low, high = act.band(x)
        band = (_numpy(low), _numpy(high))
        d_low = first_derivative(lambda t: act.band(t)[0], x)
        d_high = first_derivative(lambda t: act.band(t)[1], x)
        band_df = (_numpy(torch.minimum(d_low, d_high)), _numpy(torch.maximum(d_low, d_high)))
    # Where f itself is undefined (log x at x < 0), autograd still returns 1/x: hide it too.
    defined = torch.isfinite(f)
    df, d2f = df.masked_fill(~defined, math.nan), d2f.masked_fill(~defined, math.nan)
    undefined = int((~(defined & torch.isfinite(df))).sum())
    note = _undefined_note(spec, x, defined, torch.isfinite(df)) if undefined else ""
    return CurveTable(
        spec[0], act.title, _numpy(x), _numpy(f), _numpy(df), _numpy(d2f), band, band_df, undefined,
        note,
    )  # fmt: skip


def _undefined_note(spec: Spec, x: Tensor, f_ok: Tensor, df_ok: Tensor) -> str:
    """Where and why f or f′ is not finite on the grid, as one sentence (no full stop)."""
    notes = []
    if not bool(f_ok.all()):
        why = ""
        if spec[0] == CUSTOM:  # a typed formula: blame the part that fails
            why = explain(compile_expression(dict(spec[1])["expression"], ("x",)), x)
        notes.append(why or f"f(x) is undefined {where_text(x, ~f_ok)}")
    if not bool((df_ok | ~f_ok).all()):
        notes.append(f"f′(x) is infinite or undefined {where_text(x, f_ok & ~df_ok)}")
    return "; ".join(notes)


class HistTable(NamedTuple):
    """Where z ~ N(mu, sigma²) lands: bin centres, widths and share of samples, for f and f'."""

    name: str
    title: str
    f_centers: np.ndarray
    f_widths: np.ndarray
    f_share: np.ndarray
    df_centers: np.ndarray
    df_widths: np.ndarray
    df_share: np.ndarray
    flat_share: float  # |f'(z)| < 1e-3: saturated or dead
    undefined_share: float  # f'(z) not finite (custom formulas only)


def hist_table(
    spec: Spec,
    mu: float,
    sigma: float,
    samples: int = 20_000,
    bins: int = 50,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> HistTable:
    """Histograms of f(z) and f'(z) as shares of the samples (``engine.activations.depth.input_histograms``)."""
    act = build(spec)
    h = input_histograms(act, mu, sigma, samples=samples, seed=seed, bins=bins, device=device)

    def parts(counts: Tensor, edges: Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        e = _numpy(edges)
        return (e[:-1] + e[1:]) / 2, np.diff(e), _numpy(counts) / samples

    fc, fw, fs = parts(h.f_counts, h.f_edges)
    dc, dw, ds = parts(h.df_counts, h.df_edges)
    # histc counts only the finite values, so what is missing from the f' counts is undefined.
    undefined = max(0.0, 1.0 - float(h.df_counts.sum().item()) / samples)
    return HistTable(spec[0], act.title, fc, fw, fs, dc, dw, ds, h.flat_share, undefined)


class DepthTable(NamedTuple):
    """Per depth L = 1..depth: the Monte Carlo E|∏ f'(z_l)| and the i.i.d. law (E|f'(z)|)^L.

    NaN where a value is not finite or not > 0 (a log axis cannot show it).
    """

    name: str
    title: str
    depth: np.ndarray  # 1..L
    mean: np.ndarray  # Monte Carlo over sampled paths (engine.activations.depth.depth_profile)
    law: np.ndarray  # (E|f'(z)|)^L: exact for independent layers, resolves tiny survival odds
    per_layer: float  # E|f'(z)|, the average factor per layer; NaN if undefined
    note: str  # why some points are missing, or ""


def mean_abs_derivative(
    act: Activation,
    mu: float,
    sigma: float,
    samples: int = 200_000,
    seed: int = 1,
    device: str | torch.device | None = None,
) -> float:
    r"""m = E|f'(z)|, z ~ N(mu, sigma²), by Monte Carlo; independent layers give
    E|\prod_{l \le L} f'(z_l)| = m^L."""
    dev = resolve(device)
    gen = torch.Generator(device=dev).manual_seed(seed)
    z = mu + sigma * torch.randn(samples, generator=gen, dtype=torch.float64, device=dev)
    return float(first_derivative(act, z).abs().mean().item())


def _plottable(log10: np.ndarray) -> np.ndarray:
    """10^log10 where float64 can hold it (|log10| < 300), else NaN."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.abs(log10) < 300, 10.0**log10, np.nan)


def depth_table(
    spec: Spec,
    mu: float,
    sigma: float,
    depth: int = 30,
    samples: int = 4096,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> DepthTable:
    """``engine.activations.depth.depth_profile`` as plottable numbers, its i.i.d. law, and a note.

    A path of ReLU derivatives survives L layers with chance P(z > 0)^L, below 1/samples
    from L ≈ 12 for N(0, 1): from there every sampled product is 0 although the mean is not,
    so the law m^L carries the curve on and the note says where the samples ran out.
    """
    act = build(spec)
    p = depth_profile(act, mu, sigma, depth_max=depth, samples=samples, seed=seed, device=device)
    log_mean = p.log10_mean.detach().to(torch.float64).cpu().numpy()
    m = mean_abs_derivative(act, mu, sigma, device=device)
    layers = np.arange(1, depth + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_law = layers * np.log10(m) if math.isfinite(m) else np.full(depth, np.nan)
    mean, law = _plottable(log_mean), _plottable(log_law)
    notes = []
    if not math.isfinite(m):
        notes.append(_("f′(z) is undefined (NaN) for some inputs, so the product is undefined"))
    elif m == 0:
        notes.append(_("f′(z) = 0 for every sampled z: the product is exactly 0 (not drawable)"))
    elif np.isneginf(log_mean).any():
        first = int(layers[np.isneginf(log_mean)][0])
        notes.append(
            _(
                "from L = {first} none of the {samples} sampled paths survived (every product is "
                "0), so the dots stop; the line (E|f′|)^L goes on"
            ).format(first=first, samples=samples)
        )
    if not notes and (np.isnan(mean).any() or np.isnan(law).any()):
        notes.append(_("the product leaves float64's range (beyond 10^±300) at some depths"))
    return DepthTable(spec[0], act.title, layers, mean, law, m, _("; ").join(notes))


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _num(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.4g}".replace("-", "−")


def property_rows(p: Properties) -> dict[str, str]:
    """The properties as labelled text, in the order a learner reads them."""
    return {
        _("Output range"): _("{low} to {high}").format(low=_num(p.out_min), high=_num(p.out_max)),
        _("Zero-centred"): _yes(p.zero_centred),
        _("Monotonic"): _yes(p.monotonic),
        _("Smooth (C¹)"): _yes(p.smooth),
        _("Saturating side"): {
            "both": _("both"),
            "left": _("left"),
            "right": _("right"),
            "none": _("none"),
        }[p.saturating],
        _("max |f′|"): _("{value} at x = {x}").format(
            value=_num(p.max_abs_derivative), x=_num(p.argmax_abs_derivative)
        ),
        "f′(0)": _num(p.derivative_at_zero),
        _("Dead/saturated share of [−10, 10]"): f"{100 * p.dead_share:.1f}%",
    }


def curves_csv(tables: Sequence[CurveTable], orders: Sequence[int] = (0, 1, 2)) -> str:
    """One CSV: x, then each activation's f, f', f'' (the ``orders`` shown); empty where NaN."""
    if not tables:
        return "x\n"
    suffix = {0: "f", 1: "f'", 2: "f''"}
    header = ["x"]
    columns = [tables[0].x]
    for t in tables:
        for order in orders:
            header.append(f"{t.name} {suffix[order]}")
            columns.append((t.f, t.df, t.d2f)[order])
        if t.band is not None and 0 in orders:
            header += [
                _("{name} f band low").format(name=t.name),
                _("{name} f band high").format(name=t.name),
            ]
            columns += list(t.band)
    rows = (
        ["" if math.isnan(v) else f"{v:.8g}" for v in row] for row in zip(*columns, strict=True)
    )
    return to_csv(header, rows)
