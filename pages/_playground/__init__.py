"""Glue of the optimizer playground: its controls (controls.py), cached engine calls (data.py),
the trajectories view's figures (figures.py), the three views (views.py), what it says about
stopped paths (notes.py) and the share box (share.py)."""
