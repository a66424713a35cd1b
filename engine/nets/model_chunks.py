r"""The race's K models, forward and backward a few at a time, so a step's memory is bounded.

One step of K stacked models keeps every model's activations for the backward pass: about
:math:`K \cdot B \cdot w \cdot L` floats per saved tensor (:math:`B` rows, :math:`L` layers of
:math:`w` units), several tensors per layer. At the race's largest sizes (a sweep of 60 networks,
1600 training rows, 8 layers of 128 units, batch norm) that is over a gigabyte. The models share
no parameter, so :math:`g^k = \nabla_{\theta^k} L^k` can be computed for any subset of them at a
time with the same result: this module picks the largest subset whose activations fit
:data:`CHUNK_BYTES` and concatenates the pieces. Small races (the defaults) are one chunk, the
computation they always were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch

from engine.nets import networks

#: Activation bytes one chunk's forward and backward may hold.
CHUNK_BYTES = 96 * 2**20
#: float32 tensors kept per hidden unit and row for the backward pass (measured on the largest
#: race with batch norm: the linear output, the normalised one, the activation and autograd's
#: own copies; a plain ReLU network keeps fewer, so this errs towards smaller chunks).
SAVED_PER_UNIT = 6


def models_per_chunk(config: networks.MLPConfig, rows: int, models: int) -> int:
    """How many of ``models`` networks go through one forward and backward on ``rows`` rows."""
    per_model = rows * config.width * config.depth * 4 * SAVED_PER_UNIT
    return max(1, min(models, CHUNK_BYTES // max(per_model, 1)))


def chunks(models: int, size: int) -> list[slice]:
    """``[0, models)`` as consecutive slices of at most ``size``."""
    return [slice(at, min(at + size, models)) for at in range(0, models, size)]


@contextmanager
def same_randomness(device: torch.device) -> Iterator[Callable[[], None]]:
    """A ``rewind()`` that puts the random generator back where it was on entry.

    Dropout under ``vmap(randomness="same")`` drops the same units in every model of a call;
    rewinding before each chunk keeps that true across chunks (every chunk draws the masks
    the whole batch would have drawn).
    """
    cuda = device.type == "cuda"
    cpu_state = torch.get_rng_state()
    cuda_state = torch.cuda.get_rng_state(device) if cuda else None

    def rewind() -> None:
        torch.set_rng_state(cpu_state)
        if cuda_state is not None:
            torch.cuda.set_rng_state(cuda_state, device)

    yield rewind


def concat(parts: list[tuple[torch.Tensor, ...]]) -> tuple[torch.Tensor, ...]:
    """Each position's tensors of ``parts`` joined along the models' dimension 0."""
    if len(parts) == 1:
        return parts[0]
    return tuple(torch.cat(pieces) for pieces in zip(*parts, strict=True))
