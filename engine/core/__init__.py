"""What every domain of the engine stands on: where tensors live, torch's thread policy, range
checks with messages a person can act on, and CSV tables. Nothing here knows a domain."""
