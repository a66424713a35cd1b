"""Glue of the Activation explorer: its widgets (widgets.py), cached engine calls (data.py) and
the engine's tables turned into viz's records and figures (figures.py)."""
