"""engine.optimizers.traits: what a page needs to know about an optimizer comes from its metadata."""

from __future__ import annotations

import pytest

from engine import optimizers

# The learning rates the race page's default network was tuned with (3-class spirals, 3 x 32
# ReLU, full batch, 300 steps), which used to be a table in the page.
NETWORK_LR = {
    "sgd": 0.05,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.02,
    "rmsprop": 0.001,
    "adadelta": 1.0,
    "adam": 0.003,
    "adamw": 0.003,
    "amsgrad": 0.003,
    "nadam": 0.003,
    "radam": 0.003,
    "adamax": 0.003,
}


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_has_a_learning_rate_per_problem_inside_its_range(name):
    t = optimizers.traits(name)
    assert set(t.lr) == set(optimizers.PROBLEMS) == {"surface", "network"}
    (lr,) = [s for s in optimizers.hyper_specs(name) if s.name == "lr"]
    assert t.lr_range == (lr.low, lr.high)
    for value in t.lr.values():
        assert t.lr_range[0] <= value <= t.lr_range[1]
        optimizers.create(name, lr=value)  # a valid learning rate
    # Tuned on the race's network where it was tuned; else torch's default (tuned for networks).
    assert t.lr["network"] == NETWORK_LR.get(name, lr.default)


def test_state_traits_match_the_state_fields():
    corrected = [n for n in optimizers.names() if optimizers.traits(n).bias_corrected]
    assert corrected == ["adam", "adamw", "amsgrad", "radam"]
    second = [n for n in optimizers.names() if optimizers.traits(n).second_moment]
    assert {"rmsprop", "adadelta", "adam", "adamw", "amsgrad", "nadam", "radam"} <= set(second)
    for name in second:  # a running average of g² called v in the state and the formula
        assert "v" in optimizers.symbols(name) and "v_t" in optimizers.formula(name)
    for name in corrected:
        assert {"m", "v", "t"} <= set(optimizers.symbols(name))


def test_traits_of_an_unknown_optimizer_name_the_known_ones():
    with pytest.raises(ValueError, match="Unknown optimizer: 'nope'"):
        optimizers.traits("nope")
