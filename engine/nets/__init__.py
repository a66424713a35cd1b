"""Small neural networks and how they learn: the seeded MLP, initialisers, losses, data sets,
per-layer probes, training, the batched optimizer race, sweeps and the classic presets."""
