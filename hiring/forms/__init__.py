"""Forms of the hiring pages, one module per feature."""
