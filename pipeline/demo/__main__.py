"""Command line: ``python -m pipeline.demo --out data/raw/demo [--seed N] [--preset NAME]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.demo import DEFAULT_PRESET, DEFAULT_SEED, PRESETS, generate, write


def main(argv: list[str] | None = None) -> int:
    """Generate a demo preset and write it; print only file counts (never records)."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.demo",
        description="Write deterministic synthetic SNA demo data in the data contracts.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("data/raw/demo"),
        help="output folder (default: data/raw/demo)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--preset",
        choices=PRESETS,
        default=DEFAULT_PRESET,
        help=f"which areas to generate (default: {DEFAULT_PRESET})",
    )
    args = parser.parse_args(argv)
    demo = generate(seed=args.seed, preset=args.preset)
    written = write(demo, args.out)
    print(
        f"demo '{args.preset}' (seed {args.seed}): wrote {len(written)} files for "
        f"{len(demo.areas)} area(s) to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
