"""Glue of the Gradient flow page: presets and the URL (settings.py), the sidebar (widgets.py),
cached reports (data.py), the store and live training (runs.py), the engine's records turned
into viz's (figures.py), the page's sections (views.py) and its CSV (records.py)."""
