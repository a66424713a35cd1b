"""engine.nets.output_gradients: autograd on the training loss against the closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from engine.nets import output_gradients as og

P = np.array([1e-4, 0.01, 0.1, 0.5, 0.9, 0.999])


def _softmax_rows(p: np.ndarray, c: int) -> np.ndarray:
    rest = np.repeat(((1 - p) / (c - 1))[:, None], c - 1, 1)
    return np.concatenate([p[:, None], rest], 1)


@pytest.mark.parametrize("c", [2, 3, 10])
def test_softmax_gradients_match_the_closed_forms(c):
    probs = _softmax_rows(P, c)
    y = np.zeros_like(probs)
    y[:, 0] = 1
    ce = np.linalg.norm(probs - y, axis=1)  # dl/dz = p - y
    mse = []
    for p, t in zip(probs, y, strict=True):  # dl/dz = J^T (2/C)(p - y), J = diag(p) - p p^T
        jac = np.diag(p) - np.outer(p, p)
        mse.append(np.linalg.norm(jac.T @ (2 / c * (p - t))))
    np.testing.assert_allclose(og.logit_gradient("ce", P, c), ce, rtol=1e-5)
    np.testing.assert_allclose(og.logit_gradient("mse", P, c), mse, rtol=1e-5, atol=1e-12)


def test_sigmoid_gradients_match_the_closed_forms():
    # one output, target 1: CE gives |p - 1|, MSE gives |2 (p - 1) p (1 - p)|
    np.testing.assert_allclose(og.logit_gradient("ce", P, 1), 1 - P, rtol=1e-5)
    np.testing.assert_allclose(og.logit_gradient("mse", P, 1), 2 * (1 - P) ** 2 * P, rtol=1e-5)


def test_confidently_wrong_ce_pushes_hard_and_mse_barely():
    ce, mse = og.logit_gradient("ce", 0.001), og.logit_gradient("mse", 0.001)
    assert ce[0] > 1 > 100 * mse[0]


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="hinge"):
        og.logit_gradient("hinge", 0.5)
    with pytest.raises(ValueError, match="classes"):
        og.logit_gradient("ce", 0.5, classes=0)
