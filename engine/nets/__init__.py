"""Small neural networks and how they learn: their loss landscapes, the paths their optimizers
take across them, and how sharp the minima they find are."""
