"""Restricted-party screening: list entries, name normalisation, matching and results."""
