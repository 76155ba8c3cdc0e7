"""Readers: documents, bundled reference data and restricted-party list files."""
