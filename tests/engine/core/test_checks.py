"""engine.core.checks: one range check for the whole engine, messages that show the value."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine.core.checks import check_int, check_number, require


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (5001, "5001"), (2.5, "2.5"), (True, "True"), ("ten", "'ten'"), (None, "None")],
)
def test_check_int_names_the_value_and_the_range(value, shown):
    with pytest.raises(
        ValueError, match=rf"^Invalid steps: {shown} \(must be an integer in 1\.\.5000\)$"
    ):
        check_int("steps", value, 1, 5000)


def test_check_int_accepts_numpy_integers_and_open_ranges():
    assert check_int("n", np.int64(7), 1, 10) == 7 and type(check_int("n", np.int64(7), 1)) is int
    assert check_int("bins", 10**9, 1) == 10**9
    with pytest.raises(ValueError, match=r"^Invalid bins: 0 \(must be an integer >= 1\)$"):
        check_int("bins", 0, 1)


@pytest.mark.parametrize(
    ("kwargs", "value", "message"),
    [
        ({}, math.nan, r"^Invalid x: nan \(must be a finite number\)$"),
        ({"low": 0.0, "open_low": True}, 0.0, r"^Invalid x: 0.0 \(must be > 0\)$"),
        ({"low": 0.0, "high": 1.0, "open_high": True}, 1.0, r"\(must be in \[0, 1\)\)$"),
        ({"low": 0.0, "high": 1.0, "open_low": True, "open_high": True}, 0, r"in \(0, 1\)"),
        ({"low": 0.0, "high": 10.0}, math.inf, r": inf \(must be in \[0, 10\]\)$"),
        ({"high": 0.0}, 0.5, r": 0.5 \(must be <= 0\)$"),
        ({}, "1.5", r": '1.5' \("),
        ({}, False, r": False \("),
    ],
)
def test_check_number_refuses_with_the_interval(kwargs, value, message):
    with pytest.raises(ValueError, match=message):
        check_number("x", value, **kwargs)


def test_check_number_returns_a_float_inside_the_range():
    assert check_number("noise", 1, 0.0, 10.0) == 1.0 and type(check_number("x", 1)) is float
    assert check_number("p", 0.0, 0.0, 1.0, open_high=True) == 0.0


def test_require_checks_every_element_of_a_tensor():
    require(torch.tensor([0.1, 0.2]), lambda x: x >= 0, "bad")
    with pytest.raises(ValueError, match="^bad$"):
        require(torch.tensor([0.1, -0.2]), lambda x: x >= 0, "bad")
    with pytest.raises(ValueError, match="^bad$"):
        require(math.nan, lambda x: x >= 0, "bad")  # never finite, whatever ok says
