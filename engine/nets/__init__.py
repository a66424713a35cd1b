"""Small neural networks and how they learn: the seeded MLP, its initialisers, losses and data
sets; per-layer probes; training one network; the race, which trains several from identical
weights as one batched computation; learning-rate sweeps; and the classic presets.

Modules, from the network up:

- ``networks``, ``initializers``, ``losses``, ``datasets``: the MLP and what it is made of;
- ``probes``: per-layer gradient norms and activation statistics;
- ``batches``: the data checked and moved, run limits, the seeded minibatch order;
- ``history``, ``training``: one network trained and what it recorded;
- ``stacked``, ``race``: K networks as one ``(K, P)`` tensor, raced by K optimizers;
- ``sweeps``, ``race_summary``, ``race_cost``: learning-rate sweeps, what a race page shows of a
  result, and how long a race will take;
- ``presets``: the gradient-flow page's classic experiments as data;
- ``cures``, ``symmetry``, ``dead_units``, ``output_gradients``: the lessons' measured facts
  (the vanishing sigmoid net and its cures, zero initialisation, dead ReLUs, MSE against
  cross-entropy at the output).
"""

from engine.nets import (
    batches,
    cures,
    datasets,
    dead_units,
    history,
    initializers,
    losses,
    networks,
    output_gradients,
    presets,
    probes,
    race,
    race_cost,
    race_summary,
    stacked,
    sweeps,
    symmetry,
    training,
)

__all__ = [
    "batches",
    "cures",
    "datasets",
    "dead_units",
    "history",
    "initializers",
    "losses",
    "networks",
    "output_gradients",
    "presets",
    "probes",
    "race",
    "race_cost",
    "race_summary",
    "stacked",
    "sweeps",
    "symmetry",
    "training",
]
