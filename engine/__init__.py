"""Gradient lab's torch engine: optimizers, surfaces, trajectories, activations and networks.

Nothing here imports streamlit or plotly, so every module works from a notebook or a script.
"""
