"""One place that decides where tensors live."""

from __future__ import annotations

import torch

from engine.core.i18n import _


def resolve(device: str | torch.device | None = None) -> torch.device:
    """Return ``device`` as a ``torch.device``; ``None`` means CUDA when available, else CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            _("Invalid device: {device!r} (CUDA is not available on this machine)").format(
                device=device
            )
        )
    return resolved
