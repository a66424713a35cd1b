"""engine.nets.datasets: shapes, dtypes, seeding, bounds, digits standardisation, the split."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.nets import datasets

TOYS = ["moons", "circles", "spirals", "xor", "gaussians"]


def test_names():
    assert datasets.names() == TOYS + ["digits"]


@pytest.mark.parametrize("name", TOYS)
def test_toy_shapes_dtypes_classes_and_seeding(name):
    X, y = datasets.make(name, n=301, seed=1, device="cpu")
    assert X.shape == (301, 2) and X.dtype == torch.float32 and X.device.type == "cpu"
    assert y.shape == (301,) and y.dtype == torch.int64
    k = datasets.n_classes(name)
    assert set(y.tolist()) == set(range(k))
    assert torch.isfinite(X).all()
    X2, y2 = datasets.make(name, n=301, seed=1)
    assert torch.equal(X.cpu(), X2.cpu()) and torch.equal(y.cpu(), y2.cpu())
    X3, _ = datasets.make(name, n=301, seed=2)
    assert not torch.equal(X.cpu(), X3.cpu())


def test_noise_free_geometry():
    X, y = datasets.make("circles", n=200, noise=0.0)
    radius = X.norm(dim=1)
    torch.testing.assert_close(radius, torch.where(y == 0, 1.0, 0.5))
    X, y = datasets.make("xor", n=500, noise=0.0)
    assert torch.equal(y, (X[:, 0] * X[:, 1] > 0).long())
    X, y = datasets.make("spirals", n=300, noise=0.0, classes=3)
    assert set(y.tolist()) == {0, 1, 2} and X.norm(dim=1).max() <= 1.0 + 1e-6
    X, y = datasets.make("gaussians", n=400, noise=0.1, classes=4)
    for c in range(4):
        centre = X[y == c].mean(0)
        assert centre.norm().item() == pytest.approx(2.0, abs=0.05)


def test_digits_are_standardised():
    X, y = datasets.make("digits", seed=0)
    assert X.shape == (1797, 64) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert set(y.tolist()) == set(range(10))
    Xn = X.cpu().double().numpy()
    std = Xn.std(0)
    live = std > 0
    assert 55 <= live.sum() < 64  # a few pixels are blank in every image
    np.testing.assert_allclose(Xn.mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(std[live], 1.0, atol=1e-5)
    assert np.all(Xn[:, ~live] == 0.0)
    Xs, ys = datasets.make("digits", n=100, seed=3)
    assert Xs.shape == (100, 64) and not torch.equal(Xs, datasets.make("digits", n=100, seed=4)[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (dict(name="moons", n=20001), "Invalid n: 20001"),
        (dict(name="moons", n=1), "Invalid n: 1"),
        (dict(name="digits", n=1798), "Invalid n: 1798"),
        (dict(name="moons", noise=-0.1), "Invalid noise: -0.1"),
        (dict(name="mnist"), "Invalid dataset: 'mnist'"),
        (dict(name="moons", classes=3), "Invalid classes: 3"),
    ],
)
def test_bounds_raise_value_errors_that_show_the_value(args, message):
    with pytest.raises(ValueError, match=message):
        datasets.make(**args)


def test_largest_n_is_allowed():
    X, y = datasets.make("spirals", n=20000)
    assert len(X) == len(y) == 20000


def test_split_sizes_seeding_and_partition():
    X = torch.arange(100, dtype=torch.float32).reshape(100, 1)
    y = torch.arange(100)
    s = datasets.split(X, y, test_fraction=0.2, seed=5)
    assert len(s.X_train) == 80 and len(s.X_test) == 20
    assert torch.equal(s.X_train[:, 0].long(), s.y_train)  # rows stay paired
    together = torch.cat([s.y_train, s.y_test]).sort().values
    assert torch.equal(together, y)  # a partition: nothing lost, nothing shared
    assert torch.equal(datasets.split(X, y, 0.2, seed=5).y_test, s.y_test)
    assert not torch.equal(datasets.split(X, y, 0.2, seed=6).y_test, s.y_test)
    assert s.in_dim == 1 and s.n_classes == 100
    tiny = datasets.split(X[:3], y[:3], test_fraction=0.01)
    assert len(tiny.X_test) == 1 and len(tiny.X_train) == 2
    with pytest.raises(ValueError, match="Invalid test_fraction: 1.0"):
        datasets.split(X, y, 1.0)


def test_bounds_pad_the_box():
    X = torch.tensor([[0.0, -1.0], [2.0, 1.0]])
    (x0, x1), (y0, y1) = datasets.bounds(X, margin=0.1)
    assert (x0, x1, y0, y1) == pytest.approx((-0.2, 2.2, -1.2, 1.2))
    with pytest.raises(ValueError, match="shape"):
        datasets.bounds(torch.zeros(3, 64))


def test_each_data_set_says_its_input_size_and_largest_n():
    for name in datasets.names():
        X, _ = datasets.make(name, n=50, seed=0, device="cpu")
        assert X.shape[1] == datasets.in_dim(name)
        assert datasets.max_n(name) == (datasets.DIGITS_N if name == "digits" else datasets.MAX_N)
    with pytest.raises(ValueError, match="Invalid dataset"):
        datasets.in_dim("nope")
