"""aiexports: run a national AI export program.

The package is layered as a pure ``core`` (models, policy engine, screening logic),
``sources`` (readers of files and bundled reference data), ``storage`` (databases),
``services`` (use cases shared by every edge) and the ``cli`` edge.
"""

__version__ = "0.1.0"
