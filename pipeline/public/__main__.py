"""Command line: ``python -m pipeline.public --config config/public.yaml``.

Writes the configuration's raw inputs from the public files it names (``public_sources``).
With ``--borough CODE --write-config PATH`` it first writes a copy of the configuration for
another London borough (e.g. ``E09000012`` Hackney) and builds that one.

Exit status: 0 when the inputs are written; 1 when it stops, with one message and no
traceback: a problem with the configuration or a public file (the message names the file,
what was expected and what was found), or an internal error (one line naming the log file
that holds the traceback, ``--log``); 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from pipeline.config_checks import ConfigError, config_problems, load_mapping
from pipeline.public.build import write_public_inputs
from pipeline.public.configuration import config_for_borough
from pipeline.runtime import logged_step
from pipeline.settings import Settings

PROG = "python -m pipeline.public"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
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
    parser.add_argument(
        "--log",
        type=Path,
        default=Path("logs/pipeline.public.log"),
        help="log file (holds the traceback of an internal error)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Build and write the inputs; print only file counts and paths (never data)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.borough and args.write_config is None:
        parser.error("--borough needs --write-config (the new configuration's path)")
    try:
        with logged_step(args.log, PROG, keep_reason=False):
            config = load_mapping(args.config, "configuration")
            problems = config_problems(config, str(args.config))
            if problems:
                raise ConfigError(problems)
            if args.borough:
                config = config_for_borough(config, args.borough)
                text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)
                args.write_config.write_text(text, encoding="utf-8")
                print(f"wrote {args.write_config} for {Settings.of(config).areas[0].name}")
            written = write_public_inputs(config, args.root, args.out)
    except SystemExit as stop:  # logged_step has printed the one message
        return int(stop.code or 0)
    settings = Settings.of(config)
    areas = ", ".join(area.name for area in settings.areas)
    out = (args.out or args.root) / settings.shared_inputs.parent
    print(f"wrote {len(written)} files for {areas} under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
