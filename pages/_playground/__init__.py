"""Glue of the optimizer playground: its controls, cached engine calls and views."""
