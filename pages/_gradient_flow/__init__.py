"""Glue of the Gradient flow page: its sidebar, presets in the URL, cached reports, live training."""
