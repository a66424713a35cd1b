"""Gradient lab's torch engine, one package per domain.

- ``core``: where tensors live, torch's thread policy, range checks, CSV, divergence rules;
- ``expressions``: the safe parser for typed formulas and their LaTeX;
- ``optimizers``: pure optimizers, their shared primitives, schedules, lr grids, grouping;
- ``surfaces``: 2D loss surfaces, batched trajectories, divergence of a path, path analysis;
- ``activations``: activation functions, their properties and depth products;
- ``nets``: networks, data, probes, training, the batched race, sweeps and presets.

Dependencies point one way (import-linter contracts in pyproject.toml): ``nets`` uses
``optimizers`` and ``activations``, ``surfaces`` uses ``optimizers`` and ``expressions``, the
packages of one layer never use each other, and every package may use ``core``.
Nothing here imports streamlit or plotly, so every module works from a notebook or a script.
"""
