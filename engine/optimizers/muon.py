r"""Muon: momentum whose update matrix is orthogonalised by Newton–Schulz iterations.

.. math::

    \begin{aligned}
    g_t &= \nabla_\theta f(\theta_{t-1}) \\
    B_t &= \mu B_{t-1} + (1-\mu) g_t \\
    \tilde B_t &= \mu B_t + (1-\mu) g_t \quad (\text{Nesterov; else } \tilde B_t = B_t) \\
    X_0 &= \tilde B_t / \max(\lVert \tilde B_t \rVert_F, \epsilon), \quad
        X_{j+1} = a X_j + (b A_j + c A_j^2) X_j,\ A_j = X_j X_j^\top \\
    O_t &= X_k \quad (\approx U V^\top \text{ of } \tilde B_t = U \Sigma V^\top) \\
    \theta_t &= (1 - \eta\lambda)\, \theta_{t-1} - \eta\, s\, O_t, \quad
        s = \sqrt{\max(1, R/C)}
    \end{aligned}

for an R × C weight matrix (a tall one is transposed for the iterations and back), with torch's
coefficients (a, b, c) = (3.4445, −4.7750, 2.0315) and k = ``ns_steps``. ``adjust_lr_fn=
"match_rms_adamw"`` uses s = 0.2·√max(R, C) instead (Moonshot's scaling, to reuse AdamW's η and λ).

Shapes: Muon is meant for the weight matrices of hidden layers. Here every tensor is read as a
matrix: a matrix as itself, a tensor of higher rank as (first dim) × (the rest), and a vector
(a bias, or a point on a 2D surface) as one row, 1 × n. For one row A = ‖X‖², so with
X₀ = B̃/‖B̃‖ the iterations only rescale: Muon on a vector is a normalised momentum step,
θ_t = (1-ηλ)θ_{t-1} − η·c_k·B̃_t/‖B̃_t‖, with c₅ ≈ 0.70 for the default coefficients (the
polynomial maps the single singular value 1 to 0.70, not to 1).

Reference: Jordan et al., 2024, "Muon: An optimizer for hidden layers in neural networks";
torch.optim.Muon. Notes: the momentum is an average, :math:`B \leftarrow B + (1-\mu)(g - B)`,
as torch's code does (its docstring writes :math:`\mu B + g`). torch runs the iterations in
bfloat16 for speed; here they run in the parameters' dtype (``ns_dtype="param"``, so float64
surface paths stay exact) unless ``ns_dtype="bfloat16"`` asks for torch's rounding.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import Tensor

from engine.core.checks import require
from engine.core.i18n import N_, _

from .base import Entry, Hyper, Leaf, Params
from .latex import aligned, grad_line
from .primitives import decoupled_decay, is_zero, moment, zeros
from .shapes import own_dims
from .specs import HyperSpec, lr_spec, wd_spec

#: torch.optim.Muon's quintic Newton–Schulz coefficients (a, b, c).
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


class MuonState(NamedTuple):
    """State of Muon.

    B: the momentum buffer :math:`B_t`, an average of gradients (one per weight matrix).
    """

    B: Params


def _validate(h: Hyper) -> None:
    k = h["ns_steps"]
    require(
        k,
        lambda x: (x >= 1) & (x < 100) & (x == x // 1),
        _("Invalid ns_steps value: {k}").format(k=k),
    )


def matrix_view(x: Tensor, batch_dims: int) -> Tensor:
    """``x`` as (batch..., R, C): a vector is one row, a higher-rank tensor (first) × (rest)."""
    lead, own = x.shape[:batch_dims], x.shape[batch_dims:]
    if len(own) < 2:
        return x.reshape(*lead, 1, math.prod(own))
    return x.reshape(*lead, own[0], -1)


def newton_schulz(G: Tensor, steps: int, eps: float | Tensor, bfloat16: bool = False) -> Tensor:
    """torch.optim.Muon's orthogonalisation of the last two dims of ``G``, for every leading index.

    One matrix takes torch's exact calls (``addmm``); a batch of matrices the batched ones.
    ``eps`` may be a tensor broadcasting as (batch..., 1, 1).
    """
    a, b, c = NS_COEFFICIENTS
    X = G.bfloat16() if bfloat16 else G
    tall = G.size(-2) > G.size(-1)
    if tall:
        X = X.mT
    if X.ndim == 2:
        X = X / torch.clamp(X.norm(), min=eps)
        for _ in range(steps):
            A = X @ X.T
            B = torch.addmm(A, A, A, beta=b, alpha=c)
            X = torch.addmm(X, B, X, beta=a)
    else:
        norm = torch.linalg.vector_norm(X, dim=(-2, -1), keepdim=True)
        X = X / torch.clamp(norm, min=torch.as_tensor(eps, dtype=X.dtype, device=X.device))
        lead = X.shape[:-2]
        X = X.reshape(-1, *X.shape[-2:])
        for _ in range(steps):
            A = X @ X.mT
            B = torch.baddbmm(A, A, A, beta=b, alpha=c)
            X = torch.baddbmm(X, B, X, beta=a)
        X = X.reshape(*lead, *X.shape[-2:])
    return X.mT if tall else X


def lr_scale(rows: int, cols: int, adjust_lr_fn: str) -> float:
    """torch.optim.Muon's ``_adjust_lr`` factor for an R × C matrix."""
    if adjust_lr_fn == "match_rms_adamw":
        return 0.2 * math.sqrt(max(rows, cols))
    return math.sqrt(max(1, rows / cols))


def _update(h: Hyper, p: Tensor, g: Tensor, s: Leaf, t: Tensor | None) -> tuple[Tensor, Leaf]:
    mu, lr, bd = h["momentum"], h["lr"], h["batch_dims"]
    B = moment(s["B"], g, mu)
    update = torch.lerp(g, B, mu) if h["nesterov"] else B  # μB + (1-μ)g
    own_dims(p, h)  # checks that a hyperparameter sweep runs over separate matrices
    M = matrix_view(update, bd)
    eps = h["eps"]
    if isinstance(eps, Tensor):  # broadcast (batch..., 1, ..., 1) -> (batch..., 1, 1)
        eps = eps.reshape(*eps.shape[:bd], 1, 1)
    ortho = newton_schulz(M, int(h["ns_steps"]), eps, h["ns_dtype"] == "bfloat16")
    ortho = ortho.reshape(p.shape).to(p.dtype)
    scale = lr_scale(M.size(-2), M.size(-1), h["adjust_lr_fn"])
    p = decoupled_decay(h, p, lr)
    if isinstance(lr, Tensor):
        return p - (lr * scale) * ortho, {"B": B}
    return p.add(ortho, alpha=-(lr * scale)), {"B": B}


def _formula(h: Hyper) -> str:
    nesterov = r"\tilde B_t &= \mu B_t + (1 - \mu) g_t" if h["nesterov"] else r"\tilde B_t &= B_t"
    scale = (
        r"s = 0.2 \sqrt{\max(R, C)}"
        if h["adjust_lr_fn"] == "match_rms_adamw"
        else r"s = \sqrt{\max(1, R / C)}"
    )
    decay = "" if is_zero(h["weight_decay"]) else r"(1 - \eta\lambda)\, "
    return aligned(
        grad_line(h, coupled_decay=False),
        r"B_t &= \mu B_{t-1} + (1 - \mu) g_t",
        nesterov,
        r"X_0 &= \tilde B_t / \max(\lVert \tilde B_t \rVert_F, \epsilon),"
        r" \quad X_{j+1} = a X_j + (b A_j + c A_j^2) X_j,\ A_j = X_j X_j^\top",
        rf"O_t &= X_k, \quad {scale}",
        rf"\theta_t &= {decay}\theta_{{t-1}} - \eta\, s\, O_t",
    )


ENTRIES = (
    Entry(
        name="muon",
        state=MuonState,
        leaf_fields=("B",),
        has_t=False,
        specs=(
            lr_spec(1e-3),
            wd_spec(0.1),
            HyperSpec(
                "momentum",
                0.95,
                "float",
                0.0,
                0.999,
                False,
                (),
                "momentum μ",
                symbol="μ",
                label=N_("momentum"),
                step=1e-3,
            ),
            HyperSpec(
                "nesterov",
                True,
                "bool",
                help=N_("orthogonalise μB + (1-μ)g instead of B"),
                label=N_("Nesterov momentum"),
            ),
            HyperSpec(
                "eps",
                1e-7,
                "float",
                1e-12,
                1e-1,
                True,
                (),
                "ε, keeps X₀ finite",
                symbol="ε",
                label=N_("stability constant"),
            ),
            HyperSpec(
                "ns_steps",
                5.0,
                "float",
                1.0,
                10.0,
                False,
                (),
                "Newton–Schulz steps k",
                symbol="k",
                label=N_("Newton–Schulz steps"),
                step=1.0,
            ),
            HyperSpec(
                "adjust_lr_fn",
                "original",
                "choice",
                choices=("original", "match_rms_adamw"),
                help=N_("original: s = √max(1, R/C); match_rms_adamw: s = 0.2√max(R, C)"),
                symbol="s",
                label=N_("step scale of an R×C matrix"),
            ),
            HyperSpec(
                "ns_dtype",
                "param",
                "choice",
                choices=("param", "bfloat16"),
                help=N_("precision of the iterations: the parameters' dtype, or bfloat16 as torch"),
                label=N_("Newton–Schulz precision"),
            ),
        ),
        checks=("lr", "momentum", "weight_decay", "eps"),
        validate=_validate,
        init_leaf=zeros("B"),
        update_leaf=_update,
        formula=_formula,
        description=(
            N_(
                "Muon: orthogonalises the momentum of each weight matrix (Newton–Schulz), so every "
                "direction of the update has about the same size; on a vector, such as a point on "
                "a 2D surface, that is a normalised momentum step of length about 0.7η."
            )
        ),
        default_lr=0.15,
        group="matrix",
        symbols={"B": "B_t"},
        structured=True,
    ),
)
