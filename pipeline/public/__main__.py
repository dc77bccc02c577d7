"""Command line: ``python -m pipeline.public --config config/public.yaml``.

Writes the configuration's raw inputs from the public files it names (``public_sources``).
With ``--borough CODE --write-config PATH`` it first writes a copy of the configuration for
another London borough (e.g. ``E09000012`` Hackney) and builds that one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from pipeline.public.build import PublicBuildError, config_for_borough, write_public_inputs


def main(argv: list[str] | None = None) -> int:
    """Build and write the inputs; print only file counts and paths (never data)."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.public",
        description="Build the SNA's raw inputs for a London borough from public files alone.",
    )
    parser.add_argument("--config", type=Path, default=Path("config/public.yaml"))
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="folder the source paths are relative to"
    )
    parser.add_argument("--out", type=Path, help="folder the outputs go under (default: --root)")
    parser.add_argument("--borough", help="ONS code of another London borough to build")
    parser.add_argument(
        "--write-config", type=Path, help="with --borough: where to write its configuration"
    )
    args = parser.parse_args(argv)
    config = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    try:
        if args.borough:
            if args.write_config is None:
                parser.error("--borough needs --write-config (the new configuration's path)")
            config = config_for_borough(config, args.borough)
            text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)
            args.write_config.write_text(text, encoding="utf-8")
            print(f"wrote {args.write_config} for {config['areas'][0]['name']}")
        written = write_public_inputs(config, args.root, args.out)
    except PublicBuildError as error:
        print(f"python -m pipeline.public: {error}", file=sys.stderr)
        return 1
    areas = ", ".join(area["name"] for area in config["areas"])
    out = (args.out or args.root) / Path(config["shared_inputs"]).parent
    print(f"wrote {len(written)} files for {areas} under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
