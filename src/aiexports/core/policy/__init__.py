"""Policy as dated data (packs) plus small pure rule functions (the engine)."""
