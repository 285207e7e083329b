"""``python -m benchmarks run …`` (public suite) and ``python -m benchmarks optimiser …``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch a subcommand; its own options are parsed by its module."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", add_help=False, help="public benchmark suite (benchmarks/public.py)")
    commands.add_parser(
        "optimiser", add_help=False, help="generated portfolios (benchmarks/optimiser_bench.py)"
    )
    args, rest = parser.parse_known_args(argv)
    if args.command == "run":
        from benchmarks.public import main as run_main

        return run_main(rest)
    from benchmarks.optimiser_bench import main as optimiser_main

    optimiser_main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
