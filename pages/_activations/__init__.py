"""Glue of the Activation explorer: its widgets and cached engine calls."""
