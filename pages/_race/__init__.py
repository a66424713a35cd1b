"""Glue of the Optimizer race page: its sidebar and settings (glue.py), the Run gate and the live
race with Stop (runs.py), and the views of a result (views.py)."""
