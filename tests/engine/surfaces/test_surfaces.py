"""Surfaces: published minima (value and zero autograd gradient), bounds, grids and parse.

Oracles: the published global minima of each test function, torch.autograd for gradients, and
a dense grid that must find nothing lower than the published global minimum.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from engine import surfaces
from engine.surfaces import ExpressionError, Surface, get, grid, names, parse

REQUIRED = {
    "bowl", "ill_conditioned", "rotated_ill_conditioned", "rosenbrock", "beale", "himmelblau",
    "booth", "matyas", "three_hump_camel", "six_hump_camel", "rastrigin", "ackley",
    "goldstein_price", "styblinski_tang", "saddle", "plateau",
}  # fmt: skip
ALL = names()

# Published values, written out here independently of the catalog.
PUBLISHED = {
    "rosenbrock": ([(1, 1)], 0.0),
    "beale": ([(3, 0.5)], 0.0),
    "himmelblau": (
        [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
        0.0,
    ),
    "booth": ([(1, 3)], 0.0),
    "matyas": ([(0, 0)], 0.0),
    "three_hump_camel": ([(0, 0)], 0.0),
    "six_hump_camel": ([(0.0898, -0.7126), (-0.0898, 0.7126)], -1.0316),
    "rastrigin": ([(0, 0)], 0.0),
    "ackley": ([(0, 0)], 0.0),
    "goldstein_price": ([(0, -1)], 3.0),
    # 2D Styblinski-Tang: f* = -39.16617 per coordinate, so -78.33234 for two.
    "styblinski_tang": ([(-2.903534, -2.903534)], -78.33234),
}


def at(surface: Surface, point, dtype=torch.float64, requires_grad=False) -> torch.Tensor:
    return torch.tensor(point, dtype=dtype, requires_grad=requires_grad)


def test_registry_has_the_required_surfaces_in_snake_case():
    assert REQUIRED.issubset(ALL)
    for name in ALL:
        s = get(name)
        assert isinstance(s, Surface) and s.name == name and name.isidentifier() and name.islower()
        assert s.title and s.latex and s.description.endswith(".")
        assert isinstance(s.log_scale, bool)


def test_unknown_name_lists_the_names():
    with pytest.raises(ValueError, match="rosenbrock") as info:
        get("nope")
    assert "'nope'" in str(info.value)


def test_surfaces_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get("bowl").start = (0.0, 0.0)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_minima_match_the_published_values(name):
    s = get(name)
    published, value = PUBLISHED[name]
    assert len(s.minima) == len(published)
    for point in published:
        nearest = min(s.minima, key=lambda m: math.dist(m, point))
        assert math.dist(nearest, point) < 1e-4
    digits = 4 if name == "six_hump_camel" else 5
    assert round(s.min_value, digits) == round(value, digits) or abs(s.min_value - value) < 1e-5


@pytest.mark.parametrize("name", ALL)
def test_each_minimum_has_the_min_value_and_zero_gradient(name):
    s = get(name)
    for m in s.minima:
        p = at(s, m, requires_grad=True)
        value = s.f(p)
        (g,) = torch.autograd.grad(value, p)
        assert abs(value.item() - s.min_value) < 1e-6, (m, value.item())
        assert g.norm().item() < 1e-4, (m, g)


@pytest.mark.parametrize("name", ALL)
def test_minima_and_start_lie_inside_the_bounds(name):
    s = get(name)
    (x0, x1), (y0, y1) = s.bounds
    assert x0 < x1 and y0 < y1
    for x, y in (*s.minima, s.start):
        assert x0 <= x <= x1 and y0 <= y <= y1
    start_value = s.f(at(s, s.start)).item()
    assert start_value > s.min_value + 1e-3
    assert all(math.dist(s.start, m) > 0.1 for m in s.minima)


@pytest.mark.parametrize("name", ALL)
def test_grid_finds_nothing_below_the_global_minimum(name):
    s = get(name)
    xs, ys, Z = grid(s, 400)
    assert Z.min() >= s.min_value - 1e-6
    # Near a global minimum the grid gets close to f* (the published minimum is attained).
    if s.minima:
        assert Z.min() - s.min_value < 0.1


def test_saddle_has_no_minimum_but_a_bounded_region():
    s = get("saddle")
    assert s.minima == () and s.min_value == -math.inf
    _, _, Z = grid(s, 50)
    assert np.isfinite(Z).all()


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("shape", [(), (7,), (3, 4), (2, 3, 5)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_f_maps_any_leading_shape_and_keeps_dtype(name, shape, dtype):
    s = get(name)
    (x0, x1), (y0, y1) = s.bounds
    g = torch.Generator().manual_seed(1)
    u = torch.rand(*shape, 2, generator=g, dtype=torch.float64)
    p = torch.stack((x0 + (x1 - x0) * u[..., 0], y0 + (y1 - y0) * u[..., 1]), dim=-1)
    out = s.f(p.to(dtype))
    assert out.shape == shape and out.dtype == dtype
    flat = s.f(p.reshape(-1, 2)).reshape(shape)  # float64 reference, one point at a time
    torch.testing.assert_close(
        out.double(), flat, rtol=1e-4, atol=1e-4 * (1 + flat.abs().max().item())
    )


def test_ackley_gradient_is_finite_at_its_cone_tip():
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(get("ackley").f(p), p)
    assert torch.isfinite(g).all() and g.abs().max() == 0


def test_plateau_is_flat_far_away_and_steep_near_the_pit():
    s = get("plateau")

    def slope(point):
        p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        return torch.autograd.grad(s.f(p), p)[0].norm().item()

    assert slope(s.start) < 0.011  # only the faint cone's slope is left
    assert slope((1.8, 1.0)) > 0.5  # the cliff


def test_grid_layout_and_cleaning():
    xs, ys, Z = grid(get("rosenbrock"), 31)
    assert xs.shape == (31,) and ys.shape == (31,) and Z.shape == (31, 31)
    assert xs[0] == -2 and xs[-1] == 2 and ys[0] == -1 and ys[-1] == 3
    # Rows follow y: Z[i, j] = f(xs[j], ys[i]).
    i, j = 7, 22
    expected = (1 - xs[j]) ** 2 + 100 * (ys[i] - xs[j] ** 2) ** 2
    assert Z[i, j] == pytest.approx(expected)
    bad = parse("log(x) + 1/y", bounds=((-1, 1), (-1, 1)))
    _, _, Z = grid(bad, 21)
    assert np.isfinite(Z).all()


@pytest.mark.parametrize("n", [0, 1, 401, 2.5, True])
def test_grid_size_is_checked(n):
    with pytest.raises(ValueError, match="grid size"):
        grid(get("bowl"), n)


def test_grid_float32():
    xs, ys, Z = grid(get("bowl"), 11, dtype=torch.float32)
    assert Z.dtype == np.float32 and Z[5, 5] == 0


def test_parse_estimates_the_minimum():
    s = parse("(x-1)**2 + (y+2)**2")
    assert s.name == "custom" and s.title == "Custom: (x-1)**2 + (y+2)**2"
    assert s.bounds == ((-3.0, 3.0), (-3.0, 3.0))
    assert len(s.minima) == 1 and math.dist(s.minima[0], (1, -2)) < 1e-3
    assert abs(s.min_value) < 1e-6
    assert math.dist(s.start, s.minima[0]) > 1
    assert s.latex == r"\left(x - 1\right)^{2} + \left(y + 2\right)^{2}"
    p = torch.tensor([[1.0, -2.0], [0.0, 0.0]], dtype=torch.float32)
    assert s.f(p).tolist() == [0.0, 5.0]


def test_parse_refines_off_grid_minima_and_accepts_bounds():
    s = parse("(1-x)^2 + 100*(y-x^2)^2", bounds=((-2, 2), (-1, 3)))
    assert math.dist(s.minima[0], (1, 1)) < 1e-4 and s.log_scale
    s = parse("(x-0.123)^2 + 2*(y-0.456)^2 + x*y/10")
    p = torch.tensor(s.minima[0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(s.f(p), p)
    assert g.norm() < 1e-6


def test_parse_reports_no_minimum_when_the_surface_falls_off_the_region():
    for text in ("x + y", "(x - 5)^2 + y^2", "log(x^2 + y^2)"):
        s = parse(text)
        assert s.minima == () and s.min_value == -math.inf
        (x0, x1), (y0, y1) = s.bounds
        assert x0 <= s.start[0] <= x1 and y0 <= s.start[1] <= y1


@pytest.mark.parametrize("text", ["foo(x)", "x +", "__import__('os')", "", "sqrt(-1 - x^2)"])
def test_parse_refuses_bad_text(text):
    with pytest.raises(ExpressionError):
        parse(text)


@pytest.mark.parametrize("bounds", [((1, -1), (-1, 1)), ((0, 1),), ((0, math.inf), (0, 1)), "ab"])
def test_parse_checks_bounds(bounds):
    with pytest.raises(ValueError, match="Invalid bounds"):
        parse("x^2", bounds=bounds)


def test_expression_error_is_the_one_from_expressions():
    from engine.expressions import ExpressionError as Original

    assert surfaces.ExpressionError is Original and issubclass(Original, ValueError)


@pytest.mark.parametrize(
    ("text", "point", "why"),
    [
        ("log(-x) + y**2", (1.0, 2.0), "log(-x) is undefined where -x ≤ 0"),
        ("sqrt(x) + y", (-1.0, 0.0), "sqrt(x) is undefined where x < 0"),
        ("x**2 + 1/y", (1.0, 0.0), "1 / y is undefined where y = 0"),
        ("x**0.5 + y", (-2.0, 0.0), "x ** 0.5 is undefined where x < 0"),
        ("exp(x**3) + y", (9.0, 0.0), "exp(x ** 3) overflows where x ** 3 > 710"),
        ("sqrt(x**2 + y**2)", (0.0, 0.0), "has an infinite slope where x ** 2 + y ** 2 = 0"),
    ],
)
def test_why_undefined_names_the_part_and_its_rule(text, point, why):
    from engine.surfaces.domain import why_undefined

    s = parse(text)
    assert why in why_undefined(s, [point])
    assert why_undefined(s, [s.start]) is None  # finite where the start is


@pytest.mark.parametrize("name", ALL)
def test_builtin_surfaces_are_defined_on_their_whole_region(name):
    from engine.surfaces.domain import region_note

    assert region_note(get(name)) is None


def test_region_note_gives_each_part_and_its_share():
    from engine.surfaces.domain import region_note

    note = region_note(parse("sqrt(x) + 1/y"))
    assert note.startswith("sqrt(x) is undefined where x < 0 (50% of the plotted region)")
    assert "1 / y is undefined where y = 0 (1% of the plotted region)" in note


def test_parse_of_a_formula_undefined_everywhere_says_which_part():
    with pytest.raises(ExpressionError, match=r"x / 0 is undefined everywhere: it divides by zero"):
        parse("x/0 + y")
    with pytest.raises(ExpressionError) as err:
        parse("log(x) + log(-x)")
    assert "log(x) is undefined where x ≤ 0; log(-x) is undefined where -x ≤ 0" in str(err.value)


@pytest.mark.parametrize("text", ["log(x) + y**2", "sqrt(y) + x**2", "log(-x - y)"])
def test_parse_starts_where_f_and_its_slope_are_finite(text):
    s = parse(text)
    p = torch.tensor(s.start, dtype=torch.float64, requires_grad=True)
    value = s.f(p)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(p.grad).all(), s.start
    (x0, x1), (y0, y1) = s.bounds
    assert x0 <= s.start[0] <= x1 and y0 <= s.start[1] <= y1


def test_usable_marks_the_points_where_a_path_can_start():
    from engine.surfaces.domain import usable

    s = parse("log(-x) + sqrt(x**2 + y**2)")
    assert usable(s, [(-1.0, 0.0), (1.0, 0.0), (0.0, 0.0)]).tolist() == [True, False, False]
