r"""How an activation's derivative compounds through depth, by Monte Carlo.

Backpropagation through L layers multiplies L activation derivatives (times the weights, left out
here to isolate the activation's part). With pre-activations z_l drawn i.i.d. from N(mu, sigma²):

.. math:: P_L = \prod_{l=1}^{L} f'(z_l), \qquad \text{mean}_L = \mathbb{E}\,|P_L|,\quad
          \text{median}_L = \operatorname{median}|P_L|

Products of up to 100 factors under- or overflow, so they are summed as logs:
log|P_L| = Σ_l log|f'(z_l)|, and the mean is exp(logsumexp - log n).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import Tensor

from engine.activations.catalog import Activation
from engine.activations.properties import FLAT, first_derivative
from engine.core.checks import check_int, check_number
from engine.core.device import resolve

MAX_DEPTH = 100
MAX_SAMPLES = 200_000
MAX_BINS = 500


class DepthProfile(NamedTuple):
    """Per depth L = 1..depth_max (index L - 1); the log10 fields are -inf where all |P_L| = 0."""

    mean: Tensor  # E|P_L|
    median: Tensor  # median |P_L|
    log10_mean: Tensor
    log10_median: Tensor


class InputHistograms(NamedTuple):
    """Histograms of f(z) and f'(z) for z ~ N(mu, sigma²); ``edges`` have ``bins + 1`` entries."""

    f_counts: Tensor
    f_edges: Tensor
    df_counts: Tensor
    df_edges: Tensor
    flat_share: float  # share of z where |f'(z)| < 1e-3: saturated or dead


def _check(mu: float, sigma: float, samples: int) -> None:
    check_number("mu", mu)
    check_number("sigma", sigma, 0.0, open_low=True)
    check_int("samples", samples, 1, MAX_SAMPLES)


def _normal(shape: tuple[int, ...], mu: float, sigma: float, seed: int, device) -> Tensor:
    dev = resolve(device)
    gen = torch.Generator(device=dev).manual_seed(seed)
    return mu + sigma * torch.randn(shape, generator=gen, dtype=torch.float64, device=dev)


def depth_profile(
    act: Activation,
    mu: float,
    sigma: float,
    depth_max: int = 50,
    samples: int = 4096,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> DepthProfile:
    """Mean and median of |∏_{l ≤ L} f'(z_l)| for L = 1..depth_max, z_l i.i.d. N(mu, sigma²)."""
    _check(mu, sigma, samples)
    check_int("depth_max", depth_max, 1, MAX_DEPTH)
    z = _normal((samples, depth_max), mu, sigma, seed, device)
    log_p = torch.cumsum(torch.log(first_derivative(act, z).abs()), dim=1)  # log|P_L|, (n, L)
    log_mean = torch.logsumexp(log_p, dim=0) - math.log(samples)
    log_median = log_p.median(dim=0).values
    ln10 = math.log(10)
    return DepthProfile(log_mean.exp(), log_median.exp(), log_mean / ln10, log_median / ln10)


def derivative_product(
    act: Activation,
    mu: float,
    sigma: float,
    depth_max: int = 50,
    samples: int = 4096,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> Tensor:
    """E|∏_{l ≤ L} f'(z_l)| for L = 1..depth_max, shape (depth_max,); see ``depth_profile``."""
    return depth_profile(act, mu, sigma, depth_max, samples, seed, device).mean


def input_histograms(
    act: Activation,
    mu: float,
    sigma: float,
    samples: int = 20_000,
    seed: int = 0,
    bins: int = 50,
    device: str | torch.device | None = None,
) -> InputHistograms:
    """Where N(mu, sigma²) inputs land: histograms of f(z) and f'(z), and the flat share."""
    _check(mu, sigma, samples)
    check_int("bins", bins, 1, MAX_BINS)
    z = _normal((samples,), mu, sigma, seed, device)
    f = act.fn(z).detach()
    df = first_derivative(act, z)
    f_counts, f_edges = _histogram(f, bins)
    df_counts, df_edges = _histogram(df, bins)
    flat = (df.abs() < FLAT).sum().item() / samples
    return InputHistograms(f_counts, f_edges, df_counts, df_edges, flat)


def _histogram(values: Tensor, bins: int) -> tuple[Tensor, Tensor]:
    """Counts and edges over the finite values (torch.histc works on CPU and CUDA alike)."""
    values = values[torch.isfinite(values)]
    if values.numel() == 0:
        lo, hi = -0.5, 0.5
    else:
        lo, hi = values.min().item(), values.max().item()
        if hi - lo < 1e-12 * max(1.0, abs(lo)):  # a constant (e.g. linear's f' = 1): widen the bin
            lo, hi = lo - 0.5, hi + 0.5
    counts = torch.histc(values, bins=bins, min=lo, max=hi)
    edges = torch.linspace(lo, hi, bins + 1, dtype=values.dtype, device=values.device)
    return counts, edges
