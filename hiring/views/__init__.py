"""Pages of the hiring app, one module per feature."""
