"""The optimizers beyond torch.optim's classic twelve, each against an independent oracle.

50 steps of one fixed gradient sequence in float64 agree within 1e-10, with defaults and
non-defaults: torch.optim for Muon, Adafactor and Rprop; pytorch-optimizer (kozistr) for
AdaBound, SWATS, Lookahead, Lion, LAMB and Prodigy; ``schedulefree`` for Schedule-Free AdamW;
lion-pytorch as a second opinion for Lion. Shapes: a vector, a matrix and a dict of tensors.
"""

from __future__ import annotations

import contextlib

import pytest
import pytorch_optimizer as po
import schedulefree
import torch
from lion_pytorch import Lion as LionPytorch
from torch.testing import assert_close

from engine import optimizers as opt
from tests.engine.optimizers.test_optimizers import F64, TORCH, grads_for

NEW = ["adabound", "swats", "lookahead", "lamb", "prodigy", "rprop", "lion", "muon"]
NEW += ["adafactor", "sf_adamw"]


def rename(h: dict, **names: str) -> dict:
    return {names.get(k, k): v for k, v in h.items()}


def whole(h: dict, *keys: str) -> dict:
    """Hyperparameters the engine keeps as floats that the oracles want as ints."""
    return {k: int(v) if k in keys else v for k, v in h.items()}


KOZISTR = {"decoupled_weight_decay": "weight_decouple", "amsbound": "ams_bound"}


def oracle(name: str, leaves: list, h: dict):
    """The independent implementation of ``name``, built with the engine's full hyper ``h``."""
    if name == "rprop":
        return torch.optim.Rprop(leaves, foreach=False, **h)
    if name == "adafactor":
        # The engine writes torch's eps=(None, ε₂) as (0, ε₂): 0 is no use as ε₁ (1/√0).
        eps1, eps2 = h["eps"]
        return torch.optim.Adafactor(leaves, foreach=False, **{**h, "eps": (eps1 or None, eps2)})
    if name == "muon":
        kw = {k: v for k, v in h.items() if k != "ns_dtype"}
        return torch.optim.Muon(leaves, **whole(kw, "ns_steps"))
    if name in ("lion", "adabound", "swats", "lamb", "prodigy"):
        cls = {"lion": po.Lion, "adabound": po.AdaBound, "swats": po.SWATS}
        cls |= {"lamb": po.Lamb, "prodigy": po.Prodigy}
        return cls[name](leaves, foreach=False, **rename(h, **KOZISTR))
    if name == "sf_adamw":
        o = schedulefree.AdamWScheduleFree(leaves, foreach=False, **whole(h, "warmup_steps"))
        o.train()  # the parameters are y, the point where gradients are taken
        return o
    assert name == "lookahead"
    inner = {k: v for k, v in h.items() if k not in ("optimizer", "k", "alpha")}
    if h["optimizer"] in TORCH:
        kw = {k: v for k, v in inner.items() if k != "convention"}
        base = TORCH[h["optimizer"]](leaves, foreach=False, **kw)
    else:
        base = oracle(h["optimizer"], leaves, inner)
    return po.Lookahead(base, k=int(h["k"]), alpha=h["alpha"])


@contextlib.contextmanager
def float64_muon():
    """torch.optim.Muon's Newton–Schulz iterations in the parameters' dtype, not bfloat16.

    torch casts the update to bfloat16 for speed (about 3 significant digits); the engine's
    default ``ns_dtype="param"`` keeps the parameters' dtype, so the same maths is compared by
    making torch's cast a copy. ``ns_dtype="bfloat16"`` is compared with torch as it is.
    """
    saved = torch.Tensor.bfloat16
    torch.Tensor.bfloat16 = lambda self: self.clone()
    try:
        yield
    finally:
        torch.Tensor.bfloat16 = saved


def run_oracle(name: str, h: dict, params, grads):
    keys = list(params) if isinstance(params, dict) else [None]
    leaves = [(params[k] if k else params).clone() for k in keys]
    old = torch.get_default_dtype()
    torch.set_default_dtype(F64)  # oracles keep step counters and Prodigy's sums in it
    patch = name == "muon" and h["ns_dtype"] == "param"
    try:
        with float64_muon() if patch else contextlib.nullcontext():
            o = oracle(name, leaves, h)
            for g in grads:
                for k, p in zip(keys, leaves, strict=True):
                    p.grad = (g[k] if k else g).clone()
                o.step()
    finally:
        torch.set_default_dtype(old)
    out = dict(zip(keys, leaves, strict=True)) if keys != [None] else leaves[0]
    return out, o


def run_ours(name: str, hyper: dict, params, grads, batch_dims: int = 0):
    o = opt.create(name, **hyper)
    state = o.init(params, batch_dims=batch_dims)
    for g in grads:
        params, state = o.step(params, g, state, batch_dims=batch_dims)
    return params, state


def start(kind: str):
    gen = torch.Generator().manual_seed(123)

    def randn(*shape):
        return torch.randn(*shape, generator=gen, dtype=F64)

    return {
        "vector": lambda: randn(6),
        "matrix": lambda: randn(5, 3),  # tall: Muon transposes it for the iterations
        "dict": lambda: {"w": randn(4, 3), "b": randn(3)},
        "matrices": lambda: {"w1": randn(3, 5), "w2": randn(4, 3)},
    }[kind]()


# torch.optim.Muon takes matrices only; its vector case has its own test below.
SHAPES = {"muon": ["matrix", "matrices"], "lookahead-muon": ["matrix", "matrices"]}
CASES = [
    ("adabound", {}),
    ("adabound", {"amsbound": True, "weight_decay": 0.1, "final_lr": 0.05, "gamma": 0.1}),
    ("adabound", {"decoupled_weight_decay": True, "weight_decay": 0.1, "maximize": True}),
    ("adabound", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-4}),
    ("swats", {}),
    ("swats", {"amsbound": True, "weight_decay": 0.1, "lr": 0.01}),
    ("swats", {"decoupled_weight_decay": True, "weight_decay": 0.1, "maximize": True}),
    ("swats", {"nesterov": True, "betas": (0.8, 0.99), "eps": 1e-3}),
    ("lookahead", {}),
    ("lookahead", {"optimizer": "momentum", "k": 3, "alpha": 0.3, "lr": 0.05}),
    ("lookahead", {"optimizer": "adamw", "k": 1, "alpha": 0.9, "weight_decay": 0.1}),
    ("lookahead", {"optimizer": "lion", "k": 4, "alpha": 0.8, "lr": 0.01}),
    ("lookahead", {"optimizer": "prodigy", "k": 2}),  # an inner optimizer that sums the model
    ("lookahead", {"optimizer": "adadelta", "k": 7, "alpha": 0.2}),  # an inner without t
    ("lamb", {}),
    ("lamb", {"decoupled_weight_decay": False, "weight_decay": 0.1, "grad_averaging": False}),
    ("lamb", {"weight_decay": 0.1, "lr": 0.01, "betas": (0.8, 0.99), "maximize": True}),
    ("lamb", {"eps": 1e-3, "lr": 0.1}),
    ("prodigy", {}),
    ("prodigy", {"bias_correction": True, "safeguard_warmup": True, "weight_decay": 0.1}),
    ("prodigy", {"d0": 1e-3, "d_coef": 0.5, "lr": 0.5, "betas": (0.8, 0.99), "maximize": True}),
    ("prodigy", {"eps": 1e-4, "lr": 2.0}),
    ("rprop", {}),
    ("rprop", {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
    ("rprop", {"maximize": True, "lr": 0.001}),
    ("lion", {}),
    ("lion", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    ("lion", {"maximize": True, "lr": 1e-3}),
    ("muon", {}),
    ("muon", {"nesterov": False, "momentum": 0.8, "weight_decay": 0.0, "ns_steps": 3, "eps": 1e-3}),
    ("muon", {"lr": 0.02, "adjust_lr_fn": "match_rms_adamw", "weight_decay": 0.2}),
    ("muon", {"ns_dtype": "bfloat16"}),
    ("muon", {"ns_dtype": "bfloat16", "nesterov": False, "lr": 0.02, "ns_steps": 7}),
    ("adafactor", {}),
    ("adafactor", {"lr": 0.1, "beta2_decay": -0.5, "eps": (1e-20, 1e-2), "d": 2.0}),
    ("adafactor", {"weight_decay": 0.1, "maximize": True, "lr": 1e-3}),
    ("sf_adamw", {}),
    ("sf_adamw", {"warmup_steps": 10, "r": 1.0, "weight_lr_power": 1.0, "weight_decay": 0.1}),
    ("sf_adamw", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-4}),
]
PARAMS = [
    (name, hyper, kind)
    for name, hyper in CASES
    for kind in SHAPES.get(name, ["vector", "matrix", "dict"])
]


def case_id(x) -> str:
    if isinstance(x, dict):
        return "-".join(f"{k}={v}" for k, v in x.items()) or "defaults"
    return str(x)


@pytest.mark.parametrize(("name", "hyper", "kind"), PARAMS, ids=case_id)
def test_matches_its_oracle(name, hyper, kind):
    params = start(kind)
    grads = grads_for(params)
    h = opt.create(name, **hyper).hyper
    ours, state = run_ours(name, hyper, params, grads)
    theirs, o = run_oracle(name, h, params, grads)
    assert_close(ours, theirs, atol=1e-10, rtol=0)
    if name == "sf_adamw":  # the state's x is the point the library evaluates at
        o.eval()
        assert_close(state.x, theirs, atol=1e-10, rtol=0)


@pytest.mark.parametrize("kind", ["vector", "dict"])
@pytest.mark.parametrize("case", [c for c in CASES if c[0] == "lion" and "maximize" not in c[1]])
def test_lion_matches_lion_pytorch_too(case, kind):
    name, hyper = case
    params = start(kind)
    grads = grads_for(params)
    h = opt.create(name, **hyper).hyper
    ours, _ = run_ours(name, hyper, params, grads)
    keys = list(params) if isinstance(params, dict) else [None]
    leaves = [(params[k] if k else params).clone() for k in keys]
    o = LionPytorch(leaves, lr=h["lr"], betas=h["betas"], weight_decay=h["weight_decay"])
    for g in grads:
        for k, p in zip(keys, leaves, strict=True):
            p.grad = (g[k] if k else g).clone()
        o.step()
    theirs = dict(zip(keys, leaves, strict=True)) if keys != [None] else leaves[0]
    assert_close(ours, theirs, atol=1e-10, rtol=0)


def test_prodigy_grows_its_estimate_of_d():
    """The oracle runs above only prove something if d moved off d₀."""
    params = start("dict")
    _, state = run_ours("prodigy", {}, params, grads_for(params))
    assert state.d["w"].min() > 10 * 1e-6  # d₀
    assert torch.equal(state.d["w"].unique(), state.d["b"].unique())  # one d per model


def quadratic(params):
    """The gradient of f(θ) = ½ Σ c θ² with curvatures c from 0.5 to 3, at ``params``."""
    if isinstance(params, dict):
        return {k: quadratic(p) for k, p in params.items()}
    return torch.linspace(0.5, 3.0, params.numel(), dtype=F64).reshape(params.shape) * params


@pytest.mark.parametrize("kind", ["vector", "dict"])
def test_swats_switches_to_sgd_like_its_oracle(kind):
    """On a smooth quadratic Adam's projected step sizes settle and SWATS switches to SGD; the
    gradients are taken at each run's own point, so the runs agree only if the switch does."""
    o = opt.create("swats", lr=0.01, eps=1e-2)
    params = start(kind)
    ours, state = params, o.init(params)
    keys = list(params) if isinstance(params, dict) else [None]
    leaves = [(params[k] if k else params).clone() for k in keys]
    ref = po.SWATS(leaves, foreach=False, **rename(o.hyper, **KOZISTR))
    switched_at = None
    for t in range(100):
        ours, state = o.step(ours, quadratic(ours), state)
        for p in leaves:
            p.grad = quadratic(p.detach()).clone()
        ref.step()
        if switched_at is None and ref.param_groups[0]["phase"] == "sgd":
            switched_at = t
    theirs = dict(zip(keys, leaves, strict=True)) if keys != [None] else leaves[0]
    assert switched_at is not None and switched_at < 60  # then 40 or more SGD steps
    eta = state.eta_sgd if kind == "vector" else state.eta_sgd["b"]
    assert eta.min() == eta.max() == pytest.approx(ref.param_groups[0]["lr"], rel=1e-12, abs=0)
    assert_close(ours, theirs, atol=1e-10, rtol=0)


@pytest.mark.parametrize("nesterov", [False, True])
def test_muon_on_a_vector_is_a_normalised_momentum_step(nesterov):
    """A vector is one row: Newton–Schulz only rescales B̃/‖B̃‖, by c₅ ≈ 0.70."""
    p = torch.tensor([0.3, -1.2], dtype=F64)
    grads = grads_for(p)[:5]
    lr, mu, wd = 0.1, 0.9, 0.05
    ours, _ = run_ours(
        "muon", {"lr": lr, "momentum": mu, "weight_decay": wd, "nesterov": nesterov}, p, grads
    )
    a, b, c = 3.4445, -4.7750, 2.0315
    scale = 1.0
    for _ in range(5):
        scale = a * scale + b * scale**3 + c * scale**5
    assert scale == pytest.approx(0.70, abs=0.01)
    B = torch.zeros_like(p)
    for g in grads:
        B = mu * B + (1 - mu) * g
        update = mu * B + (1 - mu) * g if nesterov else B
        p = (1 - lr * wd) * p - lr * scale * update / update.norm()
    assert_close(ours, p, atol=1e-12, rtol=0)
