"""Schedules against torch.optim.lr_scheduler, the oracle."""

import pytest
import torch

from engine.optimizers import schedules

STEPS = 120


def torch_factors(make_scheduler) -> list[float]:
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0)
    sched = make_scheduler(opt)
    factors = []
    for _ in range(STEPS):
        factors.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return factors


CASES = [
    (
        "step",
        {"step_size": 30, "gamma": 0.3},
        lambda o: torch.optim.lr_scheduler.StepLR(o, 30, 0.3),
    ),
    ("exponential", {"gamma": 0.97}, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.97)),
    (
        "cosine",
        {"eta_min_ratio": 0.1},
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS, eta_min=0.1),
    ),
    (
        "warmup",
        {"warmup_steps": 40, "start_factor": 0.05},
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.05, total_iters=40),
    ),
    ("constant", {}, lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=1.0)),
]


@pytest.mark.parametrize(("name", "params", "reference"), CASES, ids=[c[0] for c in CASES])
def test_schedule_matches_torch_lr_scheduler(name, params, reference):
    ours = schedules.make(name, STEPS, **params)
    expected = torch_factors(reference)
    assert [ours(t) for t in range(STEPS)] == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("step", {"step_size": 0}, "step_size: 0"),
        ("exponential", {"gamma": 1.5}, "gamma: 1.5"),
        ("cosine", {"eta_min_ratio": -1}, "eta_min_ratio: -1"),
        ("warmup", {"bogus": 1}, "bogus"),
        ("sawtooth", {}, "sawtooth"),
    ],
)
def test_bad_schedule_arguments_raise_value_error_naming_them(name, params, message):
    with pytest.raises(ValueError, match=message):
        schedules.make(name, STEPS, **params)
