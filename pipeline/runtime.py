"""What every rule script shares: logging to the rule's log file, clean failures (a one-line
reason on the console, kept for the end-of-run summary), and deterministic writing of tables
and JSON (sorted keys, fixed float format, ``\\n`` endings)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a frame is read: the workflow file imports
    import pandas as pd  # this module, and a no-op run should not pay for pandas.

LOGGER = logging.getLogger("pipeline")
#: Enough significant digits for any published figure, and stable across platforms.
FLOAT_FORMAT = "%.12g"
#: The last console line of every stopped run (publishing writes only after every check).
UNTOUCHED = "The last published edition is untouched."
#: Where each stopped job leaves its reason (one file per job, the console message only): the
#: Snakefile's ``onstart`` empties it and ``onerror`` prints it at the end of the run.
STOPS_DIR = Path("logs/stops")


class UserFacingError(Exception):
    """A problem the user can fix; printed without a traceback."""


@contextmanager
def logged_step(
    log_path: str | Path, step: str, *, keep_reason: bool = True
) -> Iterator[logging.Logger]:
    """Send log records of ``step`` to the rule's log file (and warnings to stderr).

    No traceback reaches the console. Errors meant for the user (validation stops, changed raw
    inputs, configuration and adapter errors) end the step with their message; anything else
    is logged with its traceback, and the console gets one line naming the log. Either way the
    line is also kept as the job's stop reason (:func:`stop_reason_path`; not for commands
    run outside the workflow, ``keep_reason=False``) and the step exits with status 1.
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
            message = f"{step}: {error}"
        else:
            logger.exception("%s failed", step)
            # The type only: an internal error's text may quote data, the log keeps it all.
            message = (
                f"{step}: internal error ({type(error).__name__}), not a problem with the "
                f"inputs; the traceback is in {log_path}"
            )
        print(f"\n{message}\n", file=sys.stderr)
        if keep_reason:
            _keep_stop_reason(log_path, message)
        raise SystemExit(1) from None
    finally:
        root.removeHandler(handler)
        handler.close()


def stop_reason_path(log_path: str | Path) -> Path:
    """The stop-reason file of the job that logs to ``log_path``: its path below ``logs/``
    joined into one name (``logs/a/b/c.log`` -> ``logs/stops/a__b__c.txt``), so every job of
    a run has its own; beside the log when it is not under a ``logs`` folder."""
    parts = Path(log_path).with_suffix("").parts
    if "logs" not in parts:
        return Path(log_path).parent / STOPS_DIR.name / f"{Path(log_path).stem}.txt"
    at = len(parts) - 1 - parts[::-1].index("logs")
    return Path(*parts[: at + 1], STOPS_DIR.name, "__".join(parts[at + 1 :]) + ".txt")


def _keep_stop_reason(log_path: str | Path, message: str) -> None:
    path = stop_reason_path(log_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(message + "\n", encoding="utf-8")


def clear_stop_reasons(stops_dir: Path = STOPS_DIR) -> None:
    """Snakefile ``onstart``: forget the stop reasons of earlier runs."""
    for path in stops_dir.glob("*.txt"):
        path.unlink()


def stop_summary(snakemake_log: Any = None, stops_dir: Path = STOPS_DIR) -> str:
    """The end of a stopped run's console: each job's reason, then :data:`UNTOUCHED`.
    ``snakemake_log``: the ``log`` Snakemake gives ``onerror`` (a path or a list of them)."""
    reasons = [path.read_text(encoding="utf-8").strip() for path in sorted(stops_dir.glob("*.txt"))]
    if reasons:
        lines = [f"The run stopped ({len(reasons)} job{'s' if len(reasons) > 1 else ''}):"]
        for reason in reasons:
            first, *rest = reason.splitlines()
            lines += [f"  {first}", *(f"    {line}" if line else "" for line in rest)]
    else:
        lines = [
            "The run stopped: a job failed without a reason of its own (killed, or out of "
            "memory?); see the 'Error in rule' blocks above and their log files."
        ]
    logs = [snakemake_log] if isinstance(snakemake_log, str | Path) else list(snakemake_log or [])
    if logs:
        lines.append(f"Snakemake's log of this run: {', '.join(shown_path(log) for log in logs)}")
    return "\n".join(["", *lines, UNTOUCHED])


def shown_path(path: str | Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return Path(path).absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def report_stop_reasons(snakemake_log: Any = None, stops_dir: Path = STOPS_DIR) -> None:
    """Snakefile ``onerror``: print :func:`stop_summary` and exit with status 1 at once.

    Exiting here keeps these lines last: otherwise Snakemake prints its log hint, the elapsed
    time and "WorkflowError: At least one job did not complete successfully" after them. Its
    lock on the working folder is released on the way out (a context manager).
    """
    print(stop_summary(snakemake_log, stops_dir), file=sys.stderr)
    raise SystemExit(1)


def _is_user_facing(error: Exception) -> bool:
    """Problems with the inputs, which the user fixes: shown as a message, not a traceback."""
    from pipeline.audit.raw_manifest import RawInputChanged
    from pipeline.validate.errors import ValidationStop

    return isinstance(error, UserFacingError | RawInputChanged | ValidationStop)


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table as CSV the same way every time."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", float_format=FLOAT_FORMAT)


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a table this project wrote as CSV (pandas loads here, not at import)."""
    import pandas as pd

    return pd.read_csv(path)


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
    import pandas as pd

    return pd.read_parquet(path)
