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
    """A hand-batched forward for an MLP without batch norm or activation parameters (dropout is
    off in eval mode): ``vmap``'s rule for ``linear`` copies the shared input per point, here the
    first layer is one matmul for all points and the others one ``baddbmm`` each. ``None`` for
    other models."""
    if not isinstance(model, networks.MLP):
        return None
    cfg = model.config
    if cfg.batchnorm or list(model.acts.parameters()):
        return None
    act = model.acts[0]

    def forward(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        W, b = p["hidden.0.weight"], p["hidden.0.bias"]  # (G, width, in), (G, width)
        G, n = W.shape[0], x.shape[0]
        z = torch.addmm(b.reshape(-1), x, W.reshape(-1, W.shape[-1]).T)  # (n, G * width)
        h = act(z.view(n, G, -1).transpose(0, 1))
        for i in range(1, cfg.depth):
            W, b = p[f"hidden.{i}.weight"], p[f"hidden.{i}.bias"]
            a = act(torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2)))
            h = h + a if cfg.residual else a
        return torch.baddbmm(p["out.bias"].unsqueeze(1), h, p["out.weight"].transpose(1, 2))

    return forward
