"""A network's weights as one flat vector, and many such vectors of one MLP in one forward.

The landscape views move through weight space along flat directions, so parameters live as a
``(P,)`` vector (or ``(G, P)`` for G points) laid out in ``named_parameters`` order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import nn

from engine.nets import networks


class Layout:
    """Where each named parameter sits in a flat weight vector (``named_parameters`` order)."""

    def __init__(self, model: nn.Module) -> None:
        named = list(model.named_parameters())
        self.names = [k for k, _ in named]
        self.shapes = [tuple(p.shape) for _, p in named]
        self.sizes = [p.numel() for _, p in named]
        self.size = sum(self.sizes)

    def flatten(self, params: Mapping[str, torch.Tensor], lead: int = 0) -> torch.Tensor:
        """``(*lead_dims, P)`` from a state dict (the first ``lead`` dims are kept, e.g. K)."""
        return torch.cat([params[k].detach().flatten(lead) for k in self.names], -1)

    def unflatten(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        lead = flat.shape[:-1]
        parts = flat.split(self.sizes, dim=-1)
        return {
            k: p.view(*lead, *s) for k, s, p in zip(self.names, self.shapes, parts, strict=True)
        }


def split_state(model: nn.Module, state: Mapping[str, torch.Tensor]) -> tuple[dict, dict]:
    """A ``state_dict`` (e.g. ``History.model``) as ``(params, buffers)`` dicts."""
    names = {k for k, _ in model.named_parameters()}
    params = {k: v for k, v in state.items() if k in names}
    return params, {k: v for k, v in state.items() if k not in names}


def plain_forward(model: nn.Module) -> Callable | None:
    """A hand-batched eval-mode forward for an MLP whose activation has no parameters:
    ``forward(params, buffers, x)`` with ``(G, ...)`` parameters and shared running statistics
    (dropout is off in eval mode). ``vmap``'s rule for ``linear`` copies the shared input per
    point; here the first layer is one matmul for all points, the others one ``baddbmm`` each,
    and batch norm the affine map :math:`\\gamma (z - \\mu) / \\sqrt{\\sigma^2 + \\epsilon} + \\beta`.
    ``None`` for other models."""
    if not isinstance(model, networks.MLP) or list(model.acts.parameters()):
        return None
    cfg = model.config
    act = model.acts[0]
    eps = [float(getattr(norm, "eps", 0.0)) for norm in model.norms]

    def forward(p: dict[str, torch.Tensor], b: dict, x: torch.Tensor) -> torch.Tensor:
        # A Linear layer feeding batch norm has no bias (networks.py): its bias is then absent.
        W, bias = p["hidden.0.weight"], p.get("hidden.0.bias")  # (G, width, in), (G, width)
        G, n = W.shape[0], x.shape[0]
        flat_w = W.reshape(-1, W.shape[-1]).T
        z = x @ flat_w if bias is None else torch.addmm(bias.reshape(-1), x, flat_w)
        z = z.view(n, G, -1).transpose(0, 1)
        h = None
        for i in range(cfg.depth):
            if i > 0:
                W, bias = p[f"hidden.{i}.weight"], p.get(f"hidden.{i}.bias")
                Wt = W.transpose(1, 2)
                z = torch.bmm(h, Wt) if bias is None else torch.baddbmm(bias.unsqueeze(1), h, Wt)
            if cfg.batchnorm:
                mean, var = b[f"norms.{i}.running_mean"], b[f"norms.{i}.running_var"]
                scale = p[f"norms.{i}.weight"] * torch.rsqrt(var + eps[i])  # (G, width)
                z = torch.addcmul(p[f"norms.{i}.bias"].unsqueeze(1), z - mean, scale.unsqueeze(1))
            a = act(z)
            h = h + a if cfg.residual and i > 0 else a
        return torch.baddbmm(p["out.bias"].unsqueeze(1), h, p["out.weight"].transpose(1, 2))

    return forward
