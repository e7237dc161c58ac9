"""Shared widgets, tables and plotly figure builders for the app's views."""
