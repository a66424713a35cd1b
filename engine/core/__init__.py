"""What every domain of the engine stands on: where tensors live, torch's thread policy, range
checks with messages a person can act on, CSV tables, and the rules for when a run has
diverged. Nothing here knows a domain's types; the domains import it, never the reverse."""

from engine.core import checks, device, divergence, tables, threads

__all__ = ["checks", "device", "divergence", "tables", "threads"]
