"""``python -m aiexports``: the same command as ``aiexports``."""

from aiexports.cli.app import main

main()
