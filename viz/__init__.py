"""Plotly figure builders: numpy arrays, lists and the small records defined here in, a
``go.Figure`` out. No streamlit, no torch, and no engine types: each page's glue converts."""
