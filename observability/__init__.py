"""Logs, request ids, metrics and deploy checks: the operators' view of the product.

The lowest layer of the import contract: no app of the product is imported here, so every
app may use it (docs/operations.md).
"""
