"""``python -m aiexports.cli``."""

from aiexports.cli.app import main

main()
