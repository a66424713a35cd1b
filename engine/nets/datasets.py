"""Small seeded classification data sets: five 2D toys and scikit-learn's 8x8 digits.

``make(name, n, noise, seed) -> (X, y)`` with ``X`` float32 ``(n, d)`` and ``y`` int64 ``(n,)``.
The 2D sets are drawn in torch from a seeded CPU ``torch.Generator`` (the same data on every
device) and then moved to ``device``. ``split(X, y, test_fraction, seed) -> Split`` makes a
seeded train/test split.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from engine.core.checks import check_int, check_number
from engine.core.device import resolve
from engine.core.i18n import _

MAX_N = 20000
DIGITS_N = 1797
DIGITS_DIM = 64  # 8 x 8 pixels

# name -> (default n, default noise, default number of classes)
_DEFAULTS = {
    "moons": (400, 0.1, 2),
    "circles": (400, 0.05, 2),
    "spirals": (400, 0.1, 2),
    "xor": (400, 0.05, 2),
    "gaussians": (400, 0.5, 3),
    "digits": (DIGITS_N, 0.0, 10),
}
#: The data sets whose number of classes (arms, blobs) can be chosen.
CHOOSE_CLASSES = ("spirals", "gaussians")


class Split(NamedTuple):
    """A seeded train/test split; all four tensors live on the same device."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def in_dim(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        return int(max(int(self.y_train.max()), int(self.y_test.max()))) + 1


def names() -> list[str]:
    """The available data set names."""
    return list(_DEFAULTS)


def n_classes(name: str, classes: int | None = None) -> int:
    """How many classes ``make(name, classes=classes)`` produces."""
    _check_name(name)
    return classes if classes is not None and name in CHOOSE_CLASSES else _DEFAULTS[name][2]


def in_dim(name: str) -> int:
    """How many inputs a network needs for data set ``name``: 2 for the toys, 64 for digits."""
    _check_name(name)
    return DIGITS_DIM if name == "digits" else 2


def max_n(name: str) -> int:
    """The most points ``make(name, n)`` can give (digits has 1797 images)."""
    _check_name(name)
    return DIGITS_N if name == "digits" else MAX_N


def _check_name(name: str) -> None:
    if name not in _DEFAULTS:
        raise ValueError(
            _("Invalid dataset: {name!r} (choose from {choices})").format(
                name=name, choices=", ".join(_DEFAULTS)
            )
        )


def _moons(n: int, g: torch.Generator, _: int) -> tuple[torch.Tensor, torch.Tensor]:
    # Two interleaving half circles, as sklearn.datasets.make_moons.
    n_out = n // 2
    t_out = torch.linspace(0, math.pi, n_out)
    t_in = torch.linspace(0, math.pi, n - n_out)
    outer = torch.stack([torch.cos(t_out), torch.sin(t_out)], 1)
    inner = torch.stack([1 - torch.cos(t_in), 0.5 - torch.sin(t_in)], 1)
    y = torch.cat([torch.zeros(n_out), torch.ones(n - n_out)])
    return torch.cat([outer, inner]), y


def _circles(n: int, g: torch.Generator, _: int) -> tuple[torch.Tensor, torch.Tensor]:
    # Two concentric circles, radius 1 and 0.5 (sklearn's make_circles with factor=0.5).
    n_out = n // 2
    t_out = torch.linspace(0, 2 * math.pi, n_out + 1)[:-1]
    t_in = torch.linspace(0, 2 * math.pi, n - n_out + 1)[:-1]
    outer = torch.stack([torch.cos(t_out), torch.sin(t_out)], 1)
    inner = 0.5 * torch.stack([torch.cos(t_in), torch.sin(t_in)], 1)
    y = torch.cat([torch.zeros(n_out), torch.ones(n - n_out)])
    return torch.cat([outer, inner]), y


def _spirals(n: int, g: torch.Generator, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    # k interleaved arms: r = t, angle = 4t + 2*pi*c/k, t in [0, 1] (CS231n's spiral data).
    y = torch.arange(n) % k
    t = torch.rand(n, generator=g)
    angle = 4.0 * t + 2 * math.pi * y / k
    return torch.stack([t * torch.cos(angle), t * torch.sin(angle)], 1), y


def _xor(n: int, g: torch.Generator, _: int) -> tuple[torch.Tensor, torch.Tensor]:
    # Uniform on the square; the class is whether x and y share a sign.
    X = torch.rand(n, 2, generator=g) * 2 - 1
    return X, (X[:, 0] * X[:, 1] > 0)


def _gaussians(n: int, g: torch.Generator, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    # k unit-free blobs centred on a circle of radius 2; the noise is their std.
    y = torch.arange(n) % k
    angle = 2 * math.pi * y / k
    return 2.0 * torch.stack([torch.cos(angle), torch.sin(angle)], 1), y


_TOYS = {
    "moons": _moons,
    "circles": _circles,
    "spirals": _spirals,
    "xor": _xor,
    "gaussians": _gaussians,
}


def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The 1797 8x8 digits shipped inside scikit-learn, standardised per feature.

    :math:`x'_j = (x_j - \\mu_j)/\\sigma_j` over all 1797 images (population std); the few
    pixels that are constant (always blank) have :math:`\\sigma_j = 0` and stay exactly 0.
    """
    from sklearn.datasets import load_digits  # bundled with sklearn: no download

    raw = load_digits()
    X = torch.as_tensor(raw.data, dtype=torch.float64)
    mu = X.mean(0)
    sigma = X.std(0, unbiased=False)
    X = torch.where(sigma > 0, (X - mu) / torch.where(sigma > 0, sigma, 1.0), 0.0)
    return X.float(), torch.as_tensor(raw.target, dtype=torch.int64)


def make(
    name: str,
    n: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    *,
    classes: int | None = None,
    device: str | torch.device | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Data set ``name`` as ``(X, y)``: float32 ``(n, d)`` and int64 ``(n,)``, shuffled.

    ``n`` and ``noise`` default per data set; ``noise`` is the std of Gaussian noise added to
    the points (for ``gaussians``, the blobs' std). ``classes`` sets the number of arms or
    blobs for ``spirals`` and ``gaussians``. ``digits`` takes a seeded subset of ``n <= 1797``
    images. Same arguments, same data; another seed, other data.
    """
    _check_name(name)
    default_n, default_noise, default_k = _DEFAULTS[name]
    n = default_n if n is None else int(n)
    noise = default_noise if noise is None else float(noise)
    check_int("n", n, 2, max_n(name))
    check_number("noise", noise, 0.0, 10.0)
    if classes is not None and (name not in CHOOSE_CLASSES or not 2 <= classes <= 10):
        raise ValueError(
            _("Invalid classes: {classes} (2..10, for spirals and gaussians only)").format(
                classes=classes
            )
        )
    k = default_k if classes is None else int(classes)
    g = torch.Generator(device="cpu").manual_seed(int(seed))
    if name == "digits":
        X, y = _digits()
        X, y = X.clone(), y.clone()
    else:
        X, y = _TOYS[name](n, g, k)
    perm = torch.randperm(len(X), generator=g)[:n]
    X = X[perm].to(torch.float32)
    y = y[perm].to(torch.int64)
    if noise > 0:
        X = X + noise * torch.randn(X.shape, generator=g)
    dev = resolve(device)
    return X.to(dev), y.to(dev)


def bounds(X: torch.Tensor, margin: float = 0.1) -> tuple[tuple[float, float], tuple[float, float]]:
    """The box around 2D points ``X``, padded by ``margin`` of its size on each side."""
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(
            _("Invalid X: shape {shape} (bounds need 2D points)").format(shape=tuple(X.shape))
        )
    lo, hi = X.amin(0).tolist(), X.amax(0).tolist()
    pad = [max(h - low, 1e-3) * margin for low, h in zip(lo, hi, strict=True)]
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def split(X: torch.Tensor, y: torch.Tensor, test_fraction: float = 0.25, seed: int = 0) -> Split:
    """A seeded random split with ``round(n * test_fraction)`` test rows (at least 1 of each)."""
    check_number("test_fraction", test_fraction, 0.0, 1.0, open_low=True, open_high=True)
    n = len(X)
    if n < 2 or len(y) != n:
        raise ValueError(
            _("Invalid data: {n} rows of X for {count} labels (need n >= 2)").format(
                n=n, count=len(y)
            )
        )
    n_test = min(max(round(n * test_fraction), 1), n - 1)
    g = torch.Generator(device="cpu").manual_seed(int(seed))
    perm = torch.randperm(n, generator=g).to(X.device)
    test, train = perm[:n_test], perm[n_test:]
    return Split(X[train], y[train], X[test], y[test])
