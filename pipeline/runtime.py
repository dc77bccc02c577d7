"""What every rule script shares: logging to the rule's log file, clean failures, and
deterministic writing of tables and JSON (sorted keys, fixed float format, ``\\n`` endings)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

LOGGER = logging.getLogger("pipeline")
#: Enough significant digits for any published figure, and stable across platforms.
FLOAT_FORMAT = "%.12g"


class UserFacingError(Exception):
    """A problem the user can fix; printed without a traceback."""


@contextmanager
def logged_step(log_path: str | Path, step: str) -> Iterator[logging.Logger]:
    """Send log records of ``step`` to the rule's log file (and warnings to stderr).

    Errors meant for the user (validation stops, changed raw inputs) end the step with their
    message on stderr and exit status 1, without a traceback; anything else is logged with its
    traceback and re-raised.
    """
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    logger = logging.getLogger(f"pipeline.{step}")
    try:
        yield logger
    except Exception as error:  # noqa: BLE001 - classify, then report
        if _is_user_facing(error):
            logger.error("%s", error)
            print(f"\n{step}: {error}\n", file=sys.stderr)
            raise SystemExit(1) from None
        logger.exception("%s failed", step)
        raise
    finally:
        root.removeHandler(handler)
        handler.close()


def _is_user_facing(error: Exception) -> bool:
    """Problems with the inputs, which the user fixes: shown as a message, not a traceback."""
    from pipeline.audit.raw_manifest import RawInputChanged
    from pipeline.validate import ValidationStop

    return isinstance(error, UserFacingError | RawInputChanged | ValidationStop)


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table as CSV the same way every time."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", float_format=FLOAT_FORMAT)


def json_bytes(data: Any) -> bytes:
    """JSON as this project writes it: sorted keys, indent 2, UTF-8, a trailing newline."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return (text + "\n").encode("utf-8")


def write_json(data: Any, path: str | Path) -> None:
    """Write JSON with sorted keys and a trailing newline."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(json_bytes(data))


def read_json(path: str | Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a validated table as Parquet (GeoParquet for geometries), without the index."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False, compression="zstd")


def read_parquet(path: str | Path) -> pd.DataFrame:
    """Read a validated table; GeoParquet files come back as GeoDataFrames."""
    import pyarrow.parquet as pq

    if b"geo" in (pq.read_schema(path).metadata or {}):
        import geopandas

        return geopandas.read_parquet(path)
    return pd.read_parquet(path)
