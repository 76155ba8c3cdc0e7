"""The web edge: server-rendered pages under ``/`` (service spec §7)."""
