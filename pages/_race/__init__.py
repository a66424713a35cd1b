"""Glue of the Optimizer race page: its sidebar, the live race with Stop, and the result views."""
