"""The newer optimizers' registry: specs and defaults against their oracles, validation, groups,
formulas, symbols and purity (every optimizer, the first twelve included)."""

from __future__ import annotations

import inspect

import pytest
import pytorch_optimizer as po
import schedulefree
import torch
from torch.testing import assert_close

from engine import optimizers as opt
from engine.optimizers import GROUPS
from tests.engine.optimizers.test_family import KOZISTR, NEW, start
from tests.engine.optimizers.test_optimizers import F64, grads_for

ORACLE_CLASS = {
    "adabound": po.AdaBound,
    "swats": po.SWATS,
    "lamb": po.Lamb,
    "prodigy": po.Prodigy,
    "lion": po.Lion,
    "rprop": torch.optim.Rprop,
    "muon": torch.optim.Muon,
    "adafactor": torch.optim.Adafactor,
    "sf_adamw": schedulefree.AdamWScheduleFree,
    "lookahead": po.Lookahead,
}
# Where the engine's default differs from the oracle's, and why.
OWN_DEFAULTS = {
    # Luo et al.'s AdaBound adds λθ to g, as torch's Adam; pytorch-optimizer decouples.
    ("adabound", "decoupled_weight_decay"): (False, True),
    # torch's None: ε₁ = the dtype's machine epsilon, written 0 (a widget has no None).
    ("adafactor", "eps"): ((0.0, 1e-3), (None, 1e-3)),
    # torch's None means "original".
    ("muon", "adjust_lr_fn"): ("original", None),
}
# The engine's own settings, with no counterpart in the oracle's signature.
ENGINE_ONLY = {("muon", "ns_dtype"), ("lookahead", "optimizer"), ("lookahead", "lr")}


@pytest.mark.parametrize("name", NEW)
def test_specs_follow_the_oracle_names_and_defaults(name):
    sig = inspect.signature(ORACLE_CLASS[name].__init__).parameters
    for spec in opt.hyper_specs(name):
        assert spec.kind in {"float", "bool", "choice", "pair"}
        if (name, spec.name) in ENGINE_ONLY:
            continue
        theirs = sig[KOZISTR.get(spec.name, spec.name)].default
        if (name, spec.name) in OWN_DEFAULTS:
            assert (spec.default, theirs) == OWN_DEFAULTS[name, spec.name]
        else:
            assert spec.default == pytest.approx(theirs), spec.name
        if spec.kind == "float":
            assert spec.low <= spec.default <= spec.high, spec.name


def test_every_optimizer_has_a_group():
    expected = {
        "classic": ["sgd", "momentum", "nesterov", "lookahead"],
        "adaptive": ["adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "nadam"],
        "sign-based": ["rprop", "lion"],
        "matrix": ["muon", "adafactor"],
        "schedule-free": ["sf_adamw"],
    }
    expected["adaptive"] += ["radam", "adamax", "adabound", "swats", "lamb", "prodigy"]
    assert tuple(expected) == GROUPS
    assert {n: opt.group(n) for n in opt.names()} == {
        n: g for g, names in expected.items() for n in names
    }
    assert len(opt.names()) == 22


INVALID = [
    ("adabound", {"final_lr": -1.0}, "Invalid final_lr value: -1.0"),
    ("adabound", {"gamma": 0.0}, "Invalid gamma value: 0.0"),
    ("swats", {"eps": -1e-6}, "Invalid epsilon value: -1e-06"),
    ("swats", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ("lookahead", {"k": 0}, "Invalid k value: 0.0"),
    ("lookahead", {"k": 2.5}, "Invalid k value: 2.5"),
    ("lookahead", {"alpha": 1.5}, "Invalid alpha value: 1.5"),
    ("lookahead", {"optimizer": "lookahead"}, "Invalid optimizer value: 'lookahead'"),
    ("lookahead", {"optimizer": "sgd", "lr": -1.0}, "Invalid learning rate: -1.0"),
    ("lookahead", {"optimizer": "sgd", "betas": (0.9, 0.9)}, "Unknown hyperparameter"),
    ("lamb", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    ("lamb", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("prodigy", {"d0": 0.0}, "Invalid d0 value: 0.0"),
    ("prodigy", {"d_coef": -1.0}, "Invalid d_coef value: -1.0"),
    ("rprop", {"etas": (1.5, 1.2)}, "Invalid eta values: 1.5, 1.2"),
    ("rprop", {"etas": (0.5, 0.9)}, "Invalid eta values: 0.5, 0.9"),
    ("rprop", {"step_sizes": (1.0, 0.5)}, "Invalid step_sizes value: (1.0, 0.5)"),
    ("rprop", {"step_sizes": (-1.0, 1.0)}, "Invalid step_sizes value: (-1.0, 1.0)"),
    ("lion", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    ("lion", {"lr": float("nan")}, "Invalid learning rate: nan"),
    ("muon", {"momentum": -0.1}, "Invalid momentum value: -0.1"),
    ("muon", {"ns_steps": 0}, "Invalid ns_steps value: 0.0"),
    ("muon", {"ns_steps": 2.5}, "Invalid ns_steps value: 2.5"),
    ("muon", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    ("muon", {"adjust_lr_fn": "none"}, "Invalid adjust_lr_fn value: 'none'"),
    ("muon", {"ns_dtype": "float16"}, "Invalid ns_dtype value: 'float16'"),
    ("adafactor", {"beta2_decay": 0.5}, "Invalid beta2_decay value: 0.5"),
    ("adafactor", {"d": 0.5}, "Invalid d value: 0.5"),
    ("adafactor", {"eps": (-1.0, 1e-3)}, "Invalid epsilon value: -1.0"),
    ("adafactor", {"eps": (None, 1e-3)}, "Invalid eps value: None"),  # 0 stands for None
    ("sf_adamw", {"warmup_steps": -1}, "Invalid warmup_steps value: -1.0"),
    ("sf_adamw", {"warmup_steps": 2.5}, "Invalid warmup_steps value: 2.5"),
    ("sf_adamw", {"r": -1.0}, "Invalid r value: -1.0"),
    ("sf_adamw", {"weight_lr_power": -2.0}, "Invalid weight_lr_power value: -2.0"),
]


@pytest.mark.parametrize(("name", "hyper", "message"), INVALID, ids=lambda x: str(x))
def test_invalid_hyperparameters(name, hyper, message):
    with pytest.raises(ValueError) as err:
        opt.create(name, **hyper)
    assert message in str(err.value)


def test_tensor_hypers_are_checked_elementwise():
    with pytest.raises(ValueError, match="Invalid learning rate") as err:
        opt.create("lion", lr=torch.tensor([0.1, -2.5]))
    assert "-2.5" in str(err.value)
    with pytest.raises(ValueError, match="Invalid k value"):
        opt.create("lookahead", k=torch.tensor([5.0, 0.5]))


@pytest.mark.parametrize("name", ["muon", "adafactor", "lamb", "swats", "prodigy"])
def test_a_sweep_needs_batch_dims_where_norms_are_per_model(name):
    """lr (3,) over params (3, 4, 2) with batch_dims=0 would be one model with three lrs."""
    o = opt.create(name, lr=torch.tensor([0.1, 0.2, 0.3], dtype=F64))
    params = torch.ones(3, 4, 2, dtype=F64)
    with pytest.raises(ValueError, match="Invalid batch_dims: 0"):
        o.step(params, params, o.init(params))
    o.step(params, params, o.init(params, batch_dims=1), batch_dims=1)
    with pytest.raises(ValueError, match="Invalid batch_dims: 3"):
        o.init(torch.zeros(2, 3), batch_dims=3)


FULL = {"swats": {"amsbound": True}, "adabound": {"amsbound": True}}
FULL["lookahead"] = {"amsgrad": True}  # its default inner optimizer is Adam


@pytest.mark.parametrize("name", NEW)
def test_every_state_symbol_appears_in_the_formula(name):
    state = opt.create(name).init({"w": torch.zeros(2, 3), "b": torch.zeros(3)})
    syms = opt.symbols(name)
    assert list(syms) == list(state._fields)
    assert type(state).__doc__ and all(f in type(state).__doc__ for f in state._fields)
    text = opt.formula(name, **FULL.get(name, {}))
    assert text.startswith(r"\begin{aligned}") and r"\theta_t" in text and "g_t" in text
    for field, sym in syms.items():
        assert sym in text, (field, sym)
    assert opt.describe(name).endswith(".")


@pytest.mark.parametrize(
    ("name", "hyper", "present", "absent"),
    [
        ("muon", {}, [r"\sqrt{\max(1, R / C)}", r"\mu B_t"], ["0.2"]),
        ("muon", {"adjust_lr_fn": "match_rms_adamw", "nesterov": False}, ["0.2"], [r"\mu B_t"]),
        ("lamb", {"weight_decay": 0.1}, [r"(1 - \eta\lambda)"], [r"+ \lambda"]),
        ("lamb", {"weight_decay": 0.1, "decoupled_weight_decay": False}, [r"+ \lambda"], []),
        ("prodigy", {"bias_correction": True}, [r"1 - \beta_1^t"], []),
        ("prodigy", {"safeguard_warmup": True}, [r"d_{t-1}\, g_t"], []),
        ("adabound", {"amsbound": True}, [r"v^{\max}_t"], []),
        ("sf_adamw", {"warmup_steps": 5}, [r"T_{\text{warmup}}"], []),
        ("sf_adamw", {}, [], [r"T_{\text{warmup}}"]),
        ("lion", {"weight_decay": 0.1}, [r"(1 - \eta\lambda)"], []),
        ("lookahead", {"optimizer": "sgd"}, [r"\eta g_t", r"\phi_t"], [r"\hat m_t"]),
        ("lookahead", {}, [r"\hat m_t", r"t \bmod k"], []),
        ("rprop", {"maximize": True}, [r"-\nabla"], []),
        ("adafactor", {"weight_decay": 0.1}, [r"(1 - \eta\lambda)", r"\epsilon_1"], []),
    ],
)
def test_formula_follows_the_configuration(name, hyper, present, absent):
    text = opt.formula(name, **hyper)
    for s in present:
        assert s in text
    for s in absent:
        assert s not in text


def test_lookahead_state_is_the_inner_state_and_the_slow_weights():
    o = opt.create("lookahead", optimizer="adam", k=2)
    p = torch.ones(3, dtype=F64)
    state = o.init(p)
    assert state._fields == ("m", "v", "v_max", "phi", "t")
    inner = opt.create("adam")
    p1, s1 = o.step(p, torch.ones(3, dtype=F64), state)
    q1, r1 = inner.step(p, torch.ones(3, dtype=F64), inner.init(p))
    assert_close(p1, q1) and assert_close(s1.m, r1.m)  # no synchronisation yet
    assert torch.equal(s1.phi, p)
    assert opt.create("lookahead", optimizer="adadelta").init(p)._fields == ("v", "u", "phi", "t")


def test_lookahead_lists_the_shared_specs_or_its_inner_optimizers():
    assert [s.name for s in opt.hyper_specs("lookahead")] == ["optimizer", "k", "alpha", "lr"]
    full = [s.name for s in opt.hyper_specs("lookahead", optimizer="momentum")]
    assert full[:3] == ["optimizer", "k", "alpha"]
    assert full[3:] == [s.name for s in opt.hyper_specs("momentum")]
    with pytest.raises(ValueError, match="Invalid optimizer value: 'nope'"):
        opt.hyper_specs("lookahead", optimizer="nope")


def _clone(x):
    if isinstance(x, torch.Tensor):
        return x.clone()
    if isinstance(x, dict):
        return {k: _clone(v) for k, v in x.items()}
    return type(x)(*(_clone(v) for v in x)) if hasattr(x, "_fields") else x


@pytest.mark.parametrize("name", opt.names())
@pytest.mark.parametrize("kind", ["matrix", "dict"])
def test_step_is_pure(name, kind):
    specs = {s.name for s in opt.hyper_specs(name)}
    o = opt.create(name, **({"weight_decay": 0.1} if "weight_decay" in specs else {}))
    params = start(kind)
    grads = grads_for(params)[:3]
    state = o.init(params)
    params, state = o.step(params, grads[0], state)  # a non-trivial state
    before = _clone((params, grads[1], tuple(state)))
    new_params, new_state = o.step(params, grads[1], state)
    assert_close((params, grads[1], tuple(state)), before, atol=0, rtol=0)
    assert type(new_state) is type(state)
    moved = new_params if kind == "matrix" else new_params["w"]
    assert not torch.equal(moved, params if kind == "matrix" else params["w"])


@pytest.mark.parametrize("name", NEW)
def test_runs_on_the_resolved_device(name):
    """Params on CUDA when there is one; CPU hyper tensors follow them; same numbers as CPU."""
    from engine.core.device import resolve

    device = resolve(None)
    params = {"w": start("matrix").expand(3, 5, 3).clone(), "b": torch.zeros(3, 4, dtype=F64)}
    grads = [{k: g.expand(3, *g.shape).clone() for k, g in gs.items()} for gs in grads_for(
        {"w": params["w"][0], "b": params["b"][0]})[:10]]  # fmt: skip
    lr = torch.tensor([0.5, 1.0, 2.0], dtype=F64) * opt.traits(name).lr["surface"]

    def run(ps, gs):
        o = opt.create(name, lr=lr)
        state = o.init(ps, batch_dims=1)
        for g in gs:
            ps, state = o.step(ps, g, state, batch_dims=1)
        return ps, state

    cpu, _ = run(params, grads)
    moved = [{k: g.to(device) for k, g in gs.items()} for gs in grads]
    there, state = run({k: p.to(device) for k, p in params.items()}, moved)
    assert there["w"].device.type == device.type
    assert all(
        x.device.type == device.type
        for f in state
        for x in (f.values() if isinstance(f, dict) else [f])
    )
    assert_close({k: v.cpu() for k, v in there.items()}, cpu, atol=1e-10, rtol=0)
