"""Use cases shared by every edge: each takes its ports and reference data as arguments."""
