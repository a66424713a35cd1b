"""Tasks: seeded batches with the promised structure, losses, labels and limits."""

import math

import pytest
import torch

from engine.sequences import tasks


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_adding_problem_marks_one_number_in_each_half_and_sums_them():
    x, y = tasks.sample("adding", 20, 64, gen())
    assert x.shape == (64, 20, 2) and y.shape == (64,)
    marks = x[:, :, 1]
    assert (marks.sum(1) == 2).all()
    assert (marks[:, :10].sum(1) == 1).all() and (marks[:, 10:].sum(1) == 1).all()
    torch.testing.assert_close(y, (x[:, :, 0] * marks).sum(1))
    assert ((x[:, :, 0] >= 0) & (x[:, :, 0] < 1)).all()


def test_the_constant_guess_scores_the_baseline_on_the_adding_problem():
    x, y = tasks.sample("adding", 10, 20000, gen())
    guess = torch.ones(20000, 10, 1, dtype=torch.float64)
    assert tasks.loss("adding", guess, y).item() == pytest.approx(
        tasks.get("adding").baseline, rel=0.03
    )
    assert tasks.get("adding").baseline == pytest.approx(0.167, abs=1e-3)


def test_copy_task_shows_the_symbol_first_and_the_cue_last():
    x, y = tasks.sample("copy", 15, 32, gen(1))
    k = len(tasks.SYMBOLS)
    assert x.shape == (32, 15, k + 1)
    assert torch.equal(x[:, 0, :k].argmax(1), y)
    assert (x[:, 1:-1].sum() == 0) and (x[:, -1, -1] == 1).all()
    assert tasks.get("copy").baseline == pytest.approx(math.log(8))


def test_text_task_predicts_the_next_character_of_the_bundled_text():
    x, y = tasks.sample("text", 30, 8, gen(2))
    v = len(tasks.vocabulary())
    assert x.shape == (8, 30, v) and y.shape == (8, 30)
    assert torch.equal(x[:, 1:].argmax(2), y[:, :-1])  # the target at t is the input at t + 1
    assert len(tasks.text()) > 2000 and set(tasks.text()) <= set("abcdefghijklmnopqrstuvwxyz .,?")
    assert 0 < tasks.get("text").baseline < math.log(v)


@pytest.mark.parametrize("name", tasks.names())
def test_batches_are_seeded(name):
    a, b, c = (tasks.sample(name, 12, 4, gen(s)) for s in (5, 5, 6))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


def test_text_loss_counts_every_step_and_last_loss_only_the_last():
    x, y = tasks.sample("text", 6, 3, gen())
    v = x.shape[-1]
    logits = torch.zeros(3, 6, v, dtype=torch.float64)
    logits[:, :-1] = 5 * torch.nn.functional.one_hot(y[:, :-1], v)  # right everywhere but at T
    assert tasks.last_loss("text", logits, y).item() == pytest.approx(math.log(v))
    assert tasks.loss("text", logits, y).item() < math.log(v) / 2


@pytest.mark.parametrize("name", tasks.names())
def test_labels_name_every_step(name):
    x, _ = tasks.sample(name, 9, 1, gen())
    labels = tasks.labels(name, x[0])
    assert len(labels) == 9 and all(isinstance(s, str) and s for s in labels)
    if name == "adding":
        assert sum(s.endswith("*") for s in labels) == 2
    if name == "copy":
        assert labels[0] in tasks.SYMBOLS and labels[-1] == "?" and set(labels[1:-1]) == {"·"}


@pytest.mark.parametrize("T", [0, 1, 201])
def test_lengths_outside_the_limits_raise(T):
    with pytest.raises(ValueError, match=f"Invalid sequence length T: {T}"):
        tasks.sample("adding", T, 2, gen())


def test_unknown_task_raises():
    with pytest.raises(ValueError, match="Unknown task: 'sorting'"):
        tasks.get("sorting")
