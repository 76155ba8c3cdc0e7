"""The longer schemathesis run over the service's own OpenAPI document.

    python benchmarks/api_fuzz.py [--examples 500]

Runs ``tests/api/test_openapi_fuzz.py`` with many more generated requests per operation
than the suite's bounded run (8): no server error, every answer as documented."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    args = parser.parse_args(argv)
    env = {**os.environ, "AIEXPORTS_FUZZ_EXAMPLES": str(args.examples)}
    test = str(ROOT / "tests" / "api" / "test_openapi_fuzz.py")
    return subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", test], env=env, cwd=ROOT
    )


if __name__ == "__main__":
    raise SystemExit(main())
