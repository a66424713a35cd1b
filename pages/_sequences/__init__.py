"""Glue of the Gradients through time page (pages/sequences.py): URL state and presets
(``urlstate``), the sidebar (``widgets``), cached probes and live training (``runs``), and the
CSV records (``tables``)."""
