"""Writes of the scoring app, one module per feature."""
