"""engine.optimizers against torch.optim: 50 steps in float64 agree within 1e-10."""

from __future__ import annotations

import inspect

import pytest
import torch
from torch.testing import assert_close

from engine import optimizers as opt

STEPS = 50
F64 = torch.float64

# The first twelve, with torch.optim as the oracle (tests/engine/optimizers/ tests the rest).
TORCH = {
    "sgd": torch.optim.SGD,
    "momentum": torch.optim.SGD,
    "nesterov": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "amsgrad": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "nadam": torch.optim.NAdam,
    "radam": torch.optim.RAdam,
    "adadelta": torch.optim.Adadelta,
    "adamax": torch.optim.Adamax,
}

# Defaults plus at least two non-default settings per optimizer.
CASES = [
    ("sgd", {}),
    ("sgd", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("sgd", {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05}),
    ("sgd", {"momentum": 0.8, "nesterov": True, "lr": 0.05}),
    ("momentum", {}),
    ("momentum", {"dampening": 0.5, "lr": 0.02}),
    ("momentum", {"lr": 0.05, "weight_decay": 0.2, "maximize": True}),
    ("nesterov", {}),
    ("nesterov", {"momentum": 0.5, "weight_decay": 0.1}),
    ("nesterov", {"maximize": True, "lr": 0.03}),
    ("adam", {}),
    ("adam", {"amsgrad": True, "weight_decay": 0.1}),
    ("adam", {"decoupled_weight_decay": True, "weight_decay": 0.1, "maximize": True}),
    ("adam", {"betas": (0.5, 0.9), "eps": 1e-3, "lr": 0.1}),
    ("adamw", {}),
    ("adamw", {"amsgrad": True, "lr": 0.01}),
    ("adamw", {"weight_decay": 0.5, "maximize": True, "betas": (0.8, 0.99)}),
    ("amsgrad", {}),
    ("amsgrad", {"weight_decay": 0.1, "lr": 0.05}),
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("adagrad", {"weight_decay": 0.1, "maximize": True, "eps": 1e-3, "lr": 0.1}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"momentum": 0.9, "weight_decay": 0.1}),
    ("rmsprop", {"centered": True, "momentum": 0.5, "maximize": True, "alpha": 0.9}),
    ("adadelta", {}),
    ("adadelta", {"rho": 0.5, "weight_decay": 0.1}),
    ("adadelta", {"lr": 0.5, "eps": 1e-3, "maximize": True}),
    ("adamax", {}),
    ("adamax", {"betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("adamax", {"maximize": True, "eps": 1e-3, "lr": 0.01}),
    ("nadam", {}),
    ("nadam", {"momentum_decay": 0.01, "weight_decay": 0.1}),
    ("nadam", {"decoupled_weight_decay": True, "weight_decay": 0.1, "maximize": True}),
    ("nadam", {"betas": (0.5, 0.9), "lr": 0.01}),
    ("radam", {}),
    ("radam", {"weight_decay": 0.1, "lr": 0.01}),
    ("radam", {"decoupled_weight_decay": True, "weight_decay": 0.1, "maximize": True}),
    ("radam", {"betas": (0.9, 0.9), "eps": 1e-4}),
]


def case_id(case: tuple[str, dict]) -> str:
    name, hyper = case
    return name + ("-" + "-".join(f"{k}={v}" for k, v in hyper.items()) if hyper else "")


def grads_for(params, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    seq = []
    for _ in range(STEPS):
        if isinstance(params, dict):
            seq.append(
                {k: torch.randn(p.shape, generator=gen, dtype=F64) for k, p in params.items()}
            )
        else:
            seq.append(torch.randn(params.shape, generator=gen, dtype=F64))
    return seq


def start(kind: str):
    gen = torch.Generator().manual_seed(123)
    if kind == "tensor":
        return torch.randn(5, 2, generator=gen, dtype=F64)
    return {
        "w": torch.randn(4, 3, generator=gen, dtype=F64),
        "b": torch.randn(3, generator=gen, dtype=F64),
    }


def run_ours(name, hyper, params, grads, lrs=None):
    o = opt.create(name, **hyper)
    state = o.init(params)
    for i, g in enumerate(grads):
        params, state = o.step(params, g, state, lr=None if lrs is None else lrs[i])
    return params, state


def run_torch(name, hyper, params, grads, lrs=None):
    kwargs = {k: v for k, v in opt.create(name, **hyper).hyper.items() if k != "convention"}
    keys = list(params) if isinstance(params, dict) else [None]
    leaves = [(params[k] if k else params).clone() for k in keys]
    old = torch.get_default_dtype()
    torch.set_default_dtype(F64)  # torch keeps `step` and NAdam's mu_product in the default dtype
    try:
        o = TORCH[name](leaves, foreach=False, **kwargs)
        for i, g in enumerate(grads):
            for k, p in zip(keys, leaves, strict=True):
                p.grad = (g[k] if k else g).clone()
            if lrs is not None:
                o.param_groups[0]["lr"] = lrs[i]
            o.step()
    finally:
        torch.set_default_dtype(old)
    return dict(zip(keys, leaves, strict=True)) if keys != [None] else leaves[0]


@pytest.mark.parametrize("kind", ["tensor", "dict"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_matches_torch(case, kind):
    name, hyper = case
    params = start(kind)
    grads = grads_for(params)
    ours, _ = run_ours(name, hyper, params, grads)
    assert_close(ours, run_torch(name, hyper, params, grads), atol=1e-10, rtol=0)


@pytest.mark.parametrize("name", sorted({c[0] for c in CASES}))
def test_lr_override_follows_a_schedule_like_torch(name):
    params = start("tensor")
    grads = grads_for(params, seed=1)
    lrs = [0.05 * 0.9**i for i in range(STEPS)]
    ours, _ = run_ours(name, {}, params, grads, lrs)
    assert_close(ours, run_torch(name, {}, params, grads, lrs), atol=1e-10, rtol=0)


def test_lr_override_is_for_one_step_only():
    o = opt.create("adam", lr=0.01)
    p = torch.ones(3, dtype=F64)
    g = torch.full((3,), 2.0, dtype=F64)
    s = o.init(p)
    p1, s1 = o.step(p, g, s, lr=0.5)
    assert_close(p1, opt.create("adam", lr=0.5).step(p, g, s)[0])
    assert o.hyper["lr"] == 0.01
    p2, _ = o.step(p1, g, s1)
    p2_ref, _ = opt.create("adam", lr=0.01).step(p1, g, s1)
    assert_close(p2, p2_ref)


def test_lr_override_may_be_a_batched_tensor():
    params = torch.randn(3, 4, 2, dtype=F64, generator=torch.Generator().manual_seed(4))
    grads = grads_for(params, seed=4)
    lr = torch.tensor([0.01, 0.05, 0.2], dtype=F64)
    hyper_run, _ = run_ours("nadam", {"lr": lr}, params, grads)
    override_run, _ = run_ours("nadam", {}, params, grads, [lr] * STEPS)
    assert_close(override_run, hyper_run, atol=1e-12, rtol=0)


def test_step_does_not_build_a_graph():
    p = torch.ones(2, dtype=F64, requires_grad=True)
    o = opt.create("adam")
    new_p, state = o.step(p, torch.ones(2, dtype=F64), o.init(p))
    assert not new_p.requires_grad and not state.m.requires_grad


# --- batched hyperparameters ---------------------------------------------------------------

BATCHED = [
    ("sgd", "lr", [0.01, 0.1, 0.3], {}),
    ("momentum", "momentum", [0.0, 0.5, 0.9], {"dampening": 0.2}),
    ("nesterov", "lr", [0.01, 0.02, 0.05], {"weight_decay": 0.1}),
    ("adam", "lr", [0.001, 0.01, 0.1], {"amsgrad": True}),
    ("adam", "weight_decay", [0.0, 0.1, 0.5], {"decoupled_weight_decay": True}),
    ("adamw", "eps", [1e-8, 1e-3, 1e-1], {}),
    ("adam", "betas", [(0.5, 0.9), (0.9, 0.99), (0.95, 0.999)], {}),
    ("adagrad", "initial_accumulator_value", [0.0, 0.1, 1.0], {"lr_decay": 0.05}),
    ("rmsprop", "momentum", [0.0, 0.5, 0.9], {"centered": True}),
    ("rmsprop", "lr", [0.001, 0.01, 0.1], {"convention": "course"}),
    ("adadelta", "rho", [0.5, 0.9, 0.99], {}),
    ("adamax", "betas", [(0.5, 0.9), (0.9, 0.99), (0.95, 0.999)], {}),
    ("nadam", "betas", [(0.5, 0.9), (0.9, 0.99), (0.95, 0.999)], {}),
    ("nadam", "momentum_decay", [0.0, 0.004, 0.05], {"decoupled_weight_decay": True}),
    ("radam", "betas", [(0.5, 0.9), (0.9, 0.99), (0.95, 0.999)], {}),
    ("radam", "lr", [0.001, 0.01, 0.1], {"weight_decay": 0.1}),
]


def as_batch(values):
    """Stack per-row hyper values into tensors; a list of betas pairs becomes a pair of tensors."""
    if isinstance(values[0], tuple):
        return tuple(torch.tensor(col, dtype=F64) for col in zip(*values, strict=True))
    return torch.tensor(values, dtype=F64)


@pytest.mark.parametrize("kind", ["tensor", "dict"])
@pytest.mark.parametrize(("name", "key", "values", "extra"), BATCHED, ids=lambda x: str(x))
def test_batched_hyper_rows_equal_separate_runs(name, key, values, extra, kind):
    gen = torch.Generator().manual_seed(7)
    params = torch.randn(3, 4, 2, generator=gen, dtype=F64)
    if kind == "dict":
        params = {"w": params, "b": torch.randn(3, 4, generator=gen, dtype=F64)}
    grads = grads_for(params, seed=2)
    batched, state = run_ours(name, {key: as_batch(values), **extra}, params, grads)
    for b, value in enumerate(values):

        def row(x, b=b):
            return {k: v[b] for k, v in x.items()} if isinstance(x, dict) else x[b]

        single, _ = run_ours(name, {key: value, **extra}, row(params), [row(g) for g in grads])
        assert_close(row(batched), single, atol=1e-12, rtol=0)


# --- purity, state, registry ---------------------------------------------------------------


def _clone(x):
    if isinstance(x, torch.Tensor):
        return x.clone()
    if isinstance(x, dict):
        return {k: _clone(v) for k, v in x.items()}
    if hasattr(x, "_fields"):
        return type(x)(*(_clone(v) for v in x))
    return tuple(_clone(v) for v in x)


@pytest.mark.parametrize("name", list(TORCH))
@pytest.mark.parametrize("kind", ["tensor", "dict"])
def test_step_is_pure(name, kind):
    o = opt.create(name, weight_decay=0.1)
    params = start(kind)
    grads = grads_for(params)[:3]
    state = o.init(params)
    params, state = o.step(params, grads[0], state)  # a non-trivial state
    before = _clone((params, grads[1], tuple(state)))
    new_params, new_state = o.step(params, grads[1], state)
    assert_close((params, grads[1], tuple(state)), before, atol=0, rtol=0)
    assert type(new_state) is type(state)
    moved = new_params if isinstance(new_params, torch.Tensor) else new_params["w"]
    assert not torch.equal(moved, params if kind == "tensor" else params["w"])


STATE_FIELDS = {
    "sgd": ("v", "t"),
    "momentum": ("v", "t"),
    "nesterov": ("v", "t"),
    "adam": ("m", "v", "t", "v_max"),
    "adamw": ("m", "v", "t", "v_max"),
    "amsgrad": ("m", "v", "t", "v_max"),
    "adagrad": ("s", "t"),
    "rmsprop": ("v", "b", "g", "t"),
    "adadelta": ("v", "u"),
    "adamax": ("m", "u", "t"),
    "nadam": ("m", "v", "mu_product", "t"),
    "radam": ("m", "v", "t"),
}


@pytest.mark.parametrize("name", list(TORCH))
def test_state_fields_are_the_formula_symbols(name):
    o = opt.create(name)
    state = o.init({"w": torch.zeros(2, 3), "b": torch.zeros(3)})
    assert state._fields == STATE_FIELDS[name]
    assert type(state).__doc__ and all(f in type(state).__doc__ for f in state._fields)
    for f in state._fields:
        value = getattr(state, f)
        if f == "t":
            assert value.shape == () and value.item() == 0
        else:
            assert set(value) == {"w", "b"} and value["w"].shape == (2, 3)


def test_names_cover_the_brief():
    required = {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}
    required |= {"nadam", "radam", "adadelta", "adamax", "amsgrad"}
    assert required <= set(opt.names())
    assert all(opt.traits(n).lr["surface"] > 0 for n in opt.names())


@pytest.mark.parametrize("name", list(TORCH))
def test_specs_follow_torch_names_and_defaults(name):
    sig = inspect.signature(TORCH[name].__init__).parameters
    implied = {"momentum": {"momentum": 0.9}, "nesterov": {"momentum": 0.9, "nesterov": True}}
    implied["amsgrad"] = {"amsgrad": True}
    specs = opt.hyper_specs(name)
    for spec in specs:
        if spec.name == "convention":
            assert spec.kind == "choice" and spec.default == "pytorch"
            continue
        expected = implied.get(name, {}).get(spec.name, sig[spec.name].default)
        assert spec.default == expected, spec.name
        assert spec.kind in {"float", "bool", "choice", "pair"}
    torch_only = {"self", "params", "foreach", "fused", "capturable", "differentiable"}
    assert {s.name for s in specs} >= set(sig) - torch_only
    assert opt.create(name).hyper == {
        s.name: s.default for s in specs
    }  # defaults filled, nothing else


@pytest.mark.parametrize("name", list(TORCH))
def test_formula_and_description(name):
    text = opt.formula(name)
    assert text.startswith(r"\begin{aligned}") and r"\theta_t" in text and "g_t" in text
    assert opt.describe(name).endswith(".")


@pytest.mark.parametrize(
    ("name", "hyper", "present", "absent"),
    [
        ("sgd", {}, [r"\eta g_t"], ["v_t"]),
        ("momentum", {}, [r"\mu v_{t-1} + g_t", r"\eta v_t"], [r"\lambda"]),
        ("momentum", {"weight_decay": 0.1, "dampening": 0.5}, [r"\lambda", r"\tau"], []),
        ("nesterov", {}, [r"(g_t + \mu v_t)"], []),
        ("momentum", {"convention": "velocity"}, [r"\theta_{t-1} + v_t"], []),
        ("momentum", {"convention": "ema"}, [r"(1 - \beta) g_t"], []),
        ("sgd", {"maximize": True}, [r"-\nabla"], []),
        ("adam", {}, [r"\hat m_t", r"\hat v_t", r"\epsilon"], [r"\max"]),
        ("adam", {"amsgrad": True}, [r"v^{\max}_t"], []),
        ("adamw", {}, [r"(1 - \eta\lambda)"], [r"+ \lambda"]),
        ("adagrad", {}, [r"s_{t-1} + g_t^2"], [r"\eta_t"]),
        ("adagrad", {"lr_decay": 0.1}, [r"\eta_t", r"\gamma"], []),
        ("rmsprop", {}, [r"\sqrt{v_t}"], ["b_t", r"\bar g"]),
        ("rmsprop", {"centered": True, "momentum": 0.9}, [r"\bar g_t", "b_t"], []),
        ("rmsprop", {"convention": "course"}, [r"v_1 = g_1^2"], []),
        ("adadelta", {}, [r"\Delta\theta_t", "u_t"], []),
        ("adamax", {}, [r"\max(\beta_2 u_{t-1}"], []),
        ("nadam", {}, [r"\Pi_t", r"\mu_{t+1}"], []),
        ("nadam", {"decoupled_weight_decay": True, "weight_decay": 0.1}, [r"\eta\lambda"], []),
        ("radam", {}, [r"\rho_t > 5", "r_t"], []),
    ],
)
def test_formula_follows_the_configuration(name, hyper, present, absent):
    text = opt.formula(name, **hyper)
    for s in present:
        assert s in text
    for s in absent:
        assert s not in text


# --- validation ----------------------------------------------------------------------------

INVALID = [
    ("sgd", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("sgd", {"lr": float("nan")}, "Invalid learning rate: nan"),
    ("sgd", {"lr": float("inf")}, "Invalid learning rate: inf"),
    ("sgd", {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("sgd", {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    ("sgd", {"dampening": 1.5}, "Invalid dampening value: 1.5"),
    ("sgd", {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    ("nesterov", {"dampening": 0.1}, "Nesterov momentum requires a momentum and zero dampening"),
    ("momentum", {"convention": "ema", "dampening": 0.3}, "Invalid dampening value: 0.3"),
    ("momentum", {"convention": "nope"}, "Invalid convention value: 'nope'"),
    ("adam", {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ("adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ("adam", {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ("adam", {"betas": (0.9,)}, "Invalid betas value: (0.9,)"),
    ("adam", {"amsgrad": "yes"}, "Invalid amsgrad value: 'yes'"),
    ("adam", {"lr": "fast"}, "Invalid lr value: 'fast'"),
    ("adamw", {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
    ("adagrad", {"lr_decay": -1.0}, "Invalid lr_decay value: -1.0"),
    (
        "adagrad",
        {"initial_accumulator_value": -0.5},
        "Invalid initial_accumulator_value value: -0.5",
    ),
    ("adagrad", {"eps": float("-inf")}, "Invalid epsilon value: -inf"),
    ("rmsprop", {"alpha": -0.1}, "Invalid alpha value: -0.1"),
    ("rmsprop", {"momentum": -1.0}, "Invalid momentum value: -1.0"),
    ("rmsprop", {"centered": True, "convention": "course"}, "Invalid centered value: True"),
    ("rmsprop", {"convention": "ema"}, "Invalid convention value: 'ema'"),
    ("adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
    ("adadelta", {"lr": -1.0}, "Invalid learning rate: -1.0"),
    ("adamax", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    ("nadam", {"momentum_decay": -0.1}, "Invalid momentum_decay value: -0.1"),
    ("nadam", {"decoupled_weight_decay": 2}, "Invalid decoupled_weight_decay value: 2"),
    ("radam", {"betas": (-0.1, 0.999)}, "Invalid beta parameter at index 0: -0.1"),
    ("radam", {"weight_decay": float("nan")}, "Invalid weight_decay value: nan"),
]


@pytest.mark.parametrize(("name", "hyper", "message"), INVALID, ids=lambda x: str(x))
def test_invalid_hyperparameters(name, hyper, message):
    with pytest.raises(ValueError) as err:
        opt.create(name, **hyper)
    assert message in str(err.value)


def test_tensor_hypers_are_checked_elementwise():
    with pytest.raises(ValueError, match="Invalid learning rate") as err:
        opt.create("sgd", lr=torch.tensor([0.1, -2.5]))
    assert "-2.5" in str(err.value)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1"):
        opt.create("adam", betas=(torch.tensor([0.9, 0.9]), torch.tensor([0.99, float("nan")])))
    with pytest.raises(ValueError, match="Nesterov"):
        opt.create("nesterov", momentum=torch.tensor([0.9, 0.0]))


def test_unknown_name_and_hyperparameter():
    with pytest.raises(ValueError, match="sgd") as err:
        opt.create("adamm")
    assert "adamm" in str(err.value) and "adam" in str(err.value)
    with pytest.raises(ValueError, match="'beta1'"):
        opt.create("adam", beta1=0.9)
    with pytest.raises(ValueError, match="'nesterov'"):
        opt.create("adam", nesterov=True)


# --- course conventions --------------------------------------------------------------------


@pytest.mark.parametrize("nesterov", [False, True])
def test_velocity_convention_is_pytorch_scaled_by_minus_lr(nesterov):
    params = start("tensor")
    grads = grads_for(params)
    hyper = {"lr": 0.05, "momentum": 0.7, "nesterov": nesterov, "weight_decay": 0.1}
    torch_p, torch_s = run_ours("sgd", hyper, params, grads)
    course_p, course_s = run_ours("sgd", {**hyper, "convention": "velocity"}, params, grads)
    assert_close(course_p, torch_p, atol=1e-12, rtol=0)
    assert_close(course_s.v, -0.05 * torch_s.v, atol=1e-12, rtol=0)


def test_velocity_convention_differs_under_a_schedule():
    params = start("tensor")
    grads = grads_for(params)
    lrs = [0.1 / (i + 1) for i in range(STEPS)]
    a, _ = run_ours("momentum", {}, params, grads, lrs)
    b, _ = run_ours("momentum", {"convention": "velocity"}, params, grads, lrs)
    assert (a - b).abs().max() > 1e-3


@pytest.mark.parametrize("nesterov", [False, True])
def test_ema_convention_by_hand(nesterov):
    params = start("tensor")
    grads = grads_for(params)
    beta, lr = 0.9, 0.1
    ours, state = run_ours(
        "momentum", {"lr": lr, "convention": "ema", "nesterov": nesterov}, params, grads
    )
    p, v = params.clone(), torch.zeros_like(params)
    for g in grads:
        v = beta * v + (1 - beta) * g
        p = p - lr * ((beta * v + (1 - beta) * g) if nesterov else v)
    assert_close(ours, p, atol=1e-12, rtol=0)
    assert_close(state.v, v, atol=1e-12, rtol=0)
    torch_p, _ = run_ours("momentum", {"lr": lr, "nesterov": nesterov}, params, grads)
    assert (torch_p - ours).abs().max() > 1e-2


@pytest.mark.parametrize("convention", ["pytorch", "velocity", "ema"])
def test_conventions_agree_without_momentum(convention):
    params = start("tensor")
    grads = grads_for(params)
    ours, _ = run_ours("sgd", {"lr": 0.1, "convention": convention}, params, grads)
    assert_close(ours, run_torch("sgd", {"lr": 0.1}, params, grads), atol=1e-10, rtol=0)


def test_t_counts_steps_in_float64_on_the_params_device():
    o = opt.create("adam")
    p = torch.zeros(2, dtype=torch.float32)
    s = o.init(p)
    for _ in range(3):
        p, s = o.step(p, torch.ones(2), s)
    assert s.t.item() == 3 and s.t.dtype == torch.float64 and s.t.device == p.device
    assert p.dtype == torch.float32 and s.m.dtype == torch.float32


def test_float32_adam_keeps_to_torch_optim_over_many_steps():
    """torch.optim computes 1 - beta2**t from a Python float; a float32 t would drift."""
    gen = torch.Generator().manual_seed(0)
    grads = [torch.randn(64, generator=gen) for _ in range(300)]
    ours = opt.create("adam", lr=1e-3)
    p, s = torch.zeros(64), ours.init(torch.zeros(64))
    ref = torch.nn.Parameter(torch.zeros(64))
    torch_adam = torch.optim.Adam([ref], lr=1e-3)
    for g in grads:
        p, s = ours.step(p, g, s)
        ref.grad = g.clone()
        torch_adam.step()
    torch.testing.assert_close(p, ref.detach(), atol=3e-8, rtol=0)  # a float32 t: ~3e-7


FULL = {
    "sgd": {"momentum": 0.9},
    "rmsprop": {"centered": True, "momentum": 0.9},
    "adam": {"amsgrad": True},
    "adamw": {"amsgrad": True},
}


@pytest.mark.parametrize("name", list(TORCH))
def test_every_state_symbol_appears_in_the_formula(name):
    syms = opt.symbols(name)
    assert list(syms) == list(opt.create(name).init(torch.zeros(2))._fields)
    text = opt.formula(name, **FULL.get(name, {}))
    for field, sym in syms.items():
        assert sym in text, (field, sym)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_rmsprop_course_convention_by_hand(momentum):
    params = start("tensor")
    grads = grads_for(params)
    lr, alpha, eps = 0.01, 0.9, 1e-8
    hyper = {"lr": lr, "alpha": alpha, "momentum": momentum, "convention": "course"}
    ours, state = run_ours("rmsprop", hyper, params, grads)
    p, v, b = params.clone(), grads[0] ** 2, torch.zeros_like(params)
    for i, g in enumerate(grads):
        if i:
            v = alpha * v + (1 - alpha) * g**2
        b = momentum * b + g / (v.sqrt() + eps)
        p = p - lr * b
    assert_close(ours, p, atol=1e-12, rtol=0)
    assert_close(state.v, v, atol=1e-12, rtol=0)


def test_rmsprop_course_first_step_is_about_lr():
    o = opt.create("rmsprop", lr=0.1, convention="course")
    p = torch.zeros(3, dtype=F64)
    g = torch.tensor([1e-3, 2.0, -50.0], dtype=F64)
    p1, s1 = o.step(p, g, o.init(p))
    assert_close(p1, -0.1 * torch.sign(g), atol=1e-6, rtol=0)
    assert_close(s1.v, g**2)
    torch_p1 = run_torch("rmsprop", {"lr": 0.1}, p, [g])
    assert_close(torch_p1, -torch.sign(g), atol=0, rtol=1e-3)  # η/√(1-α): ten times larger


@pytest.mark.parametrize("name", list(TORCH))
def test_runs_on_the_resolved_device(name):
    """Params on CUDA when there is one; CPU hyper tensors follow them; same numbers as CPU."""
    from engine.core.device import resolve

    device = resolve(None)
    params = torch.randn(3, 4, 2, dtype=F64, generator=torch.Generator().manual_seed(5))
    grads = grads_for(params)[:10]
    lr = torch.tensor([0.5, 1.0, 2.0], dtype=F64) * opt.traits(name).lr["surface"]
    cpu, _ = run_ours(name, {"lr": lr}, params, grads)
    moved = [g.to(device) for g in grads]
    there, state = run_ours(name, {"lr": lr}, params.to(device), moved)
    assert there.device.type == device.type
    assert all(x.device.type == device.type for x in state)
    assert_close(there.cpu(), cpu, atol=1e-10, rtol=0)


# How the formulas write each symbol of the hyperparameter metadata.
SYMBOL_LATEX = {
    "η": r"\eta", "λ": r"\lambda", "β₁": r"\beta_1", "β₂": r"\beta_2", "μ": r"\mu", "τ": r"\tau",
    "ε": r"\epsilon", "α": r"\alpha", "ρ": r"\rho", "ψ": r"\psi", "γ": r"\gamma", "s₀": "s_0",
    "η_final": r"\eta_{\text{final}}", "k": "k", "d₀": "d_0", "κ": r"\kappa", "η₋": r"\eta_-",
    "η₊": r"\eta_+", "Δmin": r"\Delta_{\min}", "Δmax": r"\Delta_{\max}", "c": "t^{c}",
    "ε₁": r"\epsilon_1", "ε₂": r"\epsilon_2", "d": "/ d", "T_warmup": r"T_{\text{warmup}}",
    "r": "t^r", "p": "^p",
}  # fmt: skip


def _shown_value(spec):
    """A valid value of ``spec`` that the formula writes out (a zero hides its term)."""
    if spec.kind == "pair":
        return (0.8, 0.99) if spec.name == "betas" else spec.default
    if spec.name == "lr":
        return 0.01
    if spec.step == 1.0:  # a whole number (steps, a period)
        return max(float(spec.default), 2.0)
    return 0.1 if spec.low <= 0.1 <= spec.high else spec.default


@pytest.mark.parametrize("name", opt.names())
def test_every_hyperparameter_has_a_plain_name_and_the_formulas_symbol(name):
    for spec in opt.hyper_specs(name):
        labels = spec.label if spec.kind == "pair" else (spec.label,)
        assert all(labels) and not any("_" in x for x in labels)  # "weight decay"
        if spec.kind not in ("float", "pair"):
            continue
        assert spec.log or spec.step > 0  # a linear slider knows how many digits to show
        symbols = spec.symbol if spec.kind == "pair" else (spec.symbol,)
        value = _shown_value(spec)
        extra = {"momentum": 0.5} if name == "sgd" else {}
        if spec.name == "dampening" and name == "nesterov":
            continue  # Nesterov refuses a dampening
        latex = opt.formula(name, **(extra | {spec.name: value}))
        for symbol in symbols:
            assert SYMBOL_LATEX[symbol] in latex, (spec.name, symbol)
