"""Memory benchmark: validating a national-scale victim extract (default 2 million rows).

The extract is the demo borough's victim rows repeated with fresh offence and victim ids, in a
copy of the demo's input folders under ``bench/out/`` (git-ignored). The area's validation job
(``validate_area_inputs``: every input of the area, then the cross-input checks) runs in a
subprocess, as the workflow runs it, which reports its own peak resident memory (max RSS) and
time. Printed against the 2 GB target and the memory the rule declares for inputs of that size.

``--calibrate`` measures what ``pipeline/validate/memory.py`` is calibrated from: the area job
for victim extracts of several sizes (MB of peak per MiB of extract above the demo's job), and
one large table of short numeric fields (a 1,000,000-row LA population file, the demo's rows
under fresh area codes) validated on its own.

    .venv/bin/python -m bench.validate_memory [--rows 2000000] [--calibrate] [--keep]

The inputs are deleted afterwards unless ``--keep`` is given (then later runs reuse them).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

from bench.memory import peak_mb

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
OUT = REPO / "bench" / "out"
AREA_CODE = "E09000031"
#: Peak memory a 2-million-row extract must validate within (issue 12).
TARGET_MB = 2000


def write_victim_extract(path: Path, rows: int) -> None:
    """``rows`` victim rows: the demo's rows over and over, each copy with fresh ids (offence
    and victim ids prefixed ``B<copy>-``), so every (offence_id, victim_id) pair is unique."""
    demo = (DEMO / "waltham-forest" / "victims.csv").read_text(encoding="utf-8")
    header, *body = demo.splitlines(keepends=True)
    if not body[-1].endswith("\n"):
        body[-1] += "\n"
    fields = [line.split(",", 2) for line in body]  # offence_id, victim_id, the rest
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        written, copy = 0, 0
        while written < rows:
            take = fields[: rows - written]
            handle.writelines(f"B{copy:04d}-{o},B{copy:04d}-{v},{rest}" for o, v, rest in take)
            written += len(take)
            copy += 1


def prepare(rows: int, out: Path = OUT) -> Path:
    """Input folders like the demo's, with a ``rows``-row victim extract (reused if present)."""
    folder = out / f"validate-{rows}"
    victims = folder / "area" / "victims.csv"
    if victims.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(DEMO / "shared", folder / "shared")
    shutil.copytree(DEMO / "waltham-forest", folder / "area")
    write_victim_extract(victims, rows)
    return folder


def _settings() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


def _shared_outputs(folder: Path, kinds: list[str]) -> dict[str, dict[str, str]]:
    validated = {k: str(folder / "validated" / "shared" / f"{k}.parquet") for k in kinds}
    reconciliation = {k: str(folder / "validation" / "shared" / f"{k}.csv") for k in kinds}
    return {"validated": validated, "reconciliation": reconciliation}


def _area_job(folder: Path) -> dict:
    """The validate_area_inputs job's arguments for the benchmark folders."""
    from pipeline.validate.kinds import area_kinds, raw_filename, shared_kinds

    settings = _settings()
    kinds, shared = list(area_kinds(settings)), list(shared_kinds(settings))
    return {
        "raw": {k: str(folder / "area" / raw_filename(k)) for k in kinds},
        "shared": _shared_outputs(folder, shared)["validated"],
        "validated": {k: str(folder / "validated" / "area" / f"{k}.parquet") for k in kinds},
        "reconciliation": {k: str(folder / "validation" / "area" / f"{k}.csv") for k in kinds},
        "kept": str(folder / "validation" / "area" / "cross-inputs.csv"),
        "read": str(folder / "validation" / "area" / "inputs-read.json"),
        "settings": settings,
        "area_code": AREA_CODE,
    }


def validate_shared(folder: Path) -> None:
    """Validate the shared inputs once (the area job reads them), as validate_shared_inputs."""
    from pipeline.steps import validate_shared_step
    from pipeline.validate.kinds import raw_filename, shared_kinds

    settings = _settings()
    kinds = list(shared_kinds(settings))
    outputs = _shared_outputs(folder, kinds)
    validate_shared_step(
        {k: str(folder / "shared" / raw_filename(k)) for k in kinds},
        validated=outputs["validated"],
        reconciliation=outputs["reconciliation"],
        read=str(folder / "validation" / "shared" / "inputs-read.json"),
        settings=settings,
    )


def job_inputs(folder: Path) -> list[Path]:
    """The files the area job reads: the area's raw inputs and the validated shared inputs (the
    rule also declares its raw-check record, a few hundred bytes, left out here)."""
    job = _area_job(folder)
    return [Path(f) for f in (*job["raw"].values(), *job["shared"].values())]


def input_size_mb(folder: Path) -> float:
    """The area job's input size in MiB (as Snakemake's ``input.size_mb`` counts it)."""
    return sum(path.stat().st_size for path in job_inputs(folder)) / 1024 / 1024


def measure(folder: Path) -> dict[str, float]:
    """Run the area's validation job in this process; return time, peak memory and rows."""
    from pipeline.steps import validate_area_step

    job = _area_job(folder)
    start = time.perf_counter()
    validate_area_step(
        job["raw"],
        job["shared"],
        validated=job["validated"],
        reconciliation=job["reconciliation"],
        kept=job["kept"],
        read=job["read"],
        settings=job["settings"],
        area_code=job["area_code"],
    )
    seconds = time.perf_counter() - start
    peak = peak_mb()
    table = pd.read_csv(job["reconciliation"]["victims"])
    by_category = table.groupby("category")["rows"].sum()
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "rows_read": int(by_category["read"]),
        "rows_used": int(by_category["used"]),
        "rows_excluded": int(by_category.get("excluded", 0)),
    }


def write_population_table(path: Path, copies: int) -> None:
    """The demo's LA population rows ``copies`` times, each copy under fresh area codes."""
    header, *body = (DEMO / "shared" / "population_la.csv").read_text(encoding="utf-8").splitlines()
    codes = {code: i for i, code in enumerate(sorted({line[:9] for line in body}))}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        for copy in range(copies):
            handle.writelines(
                f"E09{copy * len(codes) + codes[line[:9]]:06d}{line[9:]}\n" for line in body
            )


def measure_table(kind: str, path: Path) -> dict[str, float]:
    """Validate one input on its own in this process; return time and peak memory. The
    validated table is then written beside it as Parquet (see measure_parquet)."""
    from pipeline.runtime import write_parquet
    from pipeline.settings import Settings
    from pipeline.validate.run import validate_input

    start = time.perf_counter()
    result = validate_input(kind, path, settings=Settings.of(_settings()))
    figures = {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_mb(),
        "rows": len(result.frame),
    }
    write_parquet(result.frame, path.with_suffix(".parquet"))
    return figures


def measure_parquet(path: Path) -> dict[str, float]:
    """Read a validated table back as the cross-input checks do; return the memory it adds."""
    from pipeline.runtime import read_parquet

    before = peak_mb()
    read_parquet(path)
    after = peak_mb()
    return {"added_mb": after - before, "mib": path.stat().st_size / 1024 / 1024}


def _child(*args: str) -> dict:
    """Run this module with ``args`` in a fresh process; its last line of output, as JSON."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.validate_memory", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if out.returncode != 0:
        raise SystemExit(f"validation failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def area_job(rows: int) -> dict:
    """The area's validation job for a ``rows``-row extract, measured in a subprocess."""
    folder = prepare(rows)
    validate_shared(folder)
    return {**_child("--measure", str(folder)), "input_mib": input_size_mb(folder)}


def remove_inputs() -> None:
    """Delete what this benchmark wrote under bench/out/ (a copy of the repository, as
    ``make verify`` and the workflow tests make, would carry it)."""
    for path in [*OUT.glob("validate-*"), *OUT.glob("population_la-*")]:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def run_calibration(sizes: tuple[int, ...] = (10_184, 500_000, 1_000_000, 2_000_000)) -> list[str]:
    """Peak memory against input size: the figures memory.py is calibrated from."""
    lines = []
    jobs = {rows: area_job(rows) for rows in sizes}
    floor = jobs[sizes[0]]
    for rows, job in jobs.items():
        slope = (job["peak_mb"] - floor["peak_mb"]) / max(
            job["input_mib"] - floor["input_mib"], 1e-9
        )
        lines.append(
            f"area job, {rows:,}-row victim extract: inputs {job['input_mib']:,.1f} MiB, peak "
            f"{job['peak_mb']:,.0f} MB, {job['seconds']:.1f} s"
            + (f"; {slope:.2f} MB per MiB above the first" if rows != sizes[0] else "")
        )
    path = OUT / "population_la-1m.csv"
    if not path.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        write_population_table(path, copies=220)
    small = OUT / "population_la-200k.csv"
    if not small.is_file():
        write_population_table(small, copies=43)
    tables = {p: _child("--measure-table", "population_la", str(p)) for p in (small, path)}
    for table_path, figures in tables.items():
        mib = table_path.stat().st_size / 1024 / 1024
        lines.append(
            f"population_la alone, {figures['rows']:,} rows: {mib:,.1f} MiB, peak "
            f"{figures['peak_mb']:,.0f} MB, {figures['seconds']:.1f} s"
        )
    (a, fa), (b, fb) = tables.items()
    slope = (fb["peak_mb"] - fa["peak_mb"]) / ((b.stat().st_size - a.stat().st_size) / 1024 / 1024)
    lines.append(f"population_la: {slope:.2f} MB per MiB between the two")
    parquet = _child("--measure-parquet", str(path.with_suffix(".parquet")))
    lines.append(
        f"population_la validated, {parquet['mib']:.1f} MiB of Parquet: reading it back adds "
        f"{parquet['added_mb']:,.0f} MB ({parquet['added_mb'] / parquet['mib']:.0f} MB per MiB)"
    )
    return lines


def run_validate_memory_benchmark(rows: int = 2_000_000) -> list[str]:
    """Prepare the inputs, time the area's validation job in a subprocess, describe it."""
    from pipeline.validate.memory import validation_mem_mb

    folder = prepare(rows)
    validate_shared(folder)
    figures = _child("--measure", str(folder))
    balanced = figures["rows_read"] == figures["rows_used"] + figures["rows_excluded"]
    assert figures["rows_read"] == rows and balanced, figures
    size_mb = input_size_mb(folder)
    declared = validation_mem_mb(job_inputs(folder))
    victims_mb = (folder / "area" / "victims.csv").stat().st_size / 1024 / 1024
    return [
        f"victim extract: {rows:,} rows, {victims_mb:,.0f} MiB; the job's inputs {size_mb:,.0f} "
        "MiB",
        f"validate_area_inputs (every area input, then the cross-input checks): "
        f"{figures['seconds']:.1f} s, peak {figures['peak_mb']:,.0f} MB "
        f"(target < {TARGET_MB:,} MB: {'met' if figures['peak_mb'] < TARGET_MB else 'NOT met'})",
        f"rule declares mem_mb={declared:,} for inputs of this size "
        f"({'covers' if declared >= figures['peak_mb'] else 'BELOW'} the peak)",
        f"victims reconciliation: read {figures['rows_read']:,} = used "
        f"{figures['rows_used']:,} + excluded {figures['rows_excluded']:,}",
    ]


def run_and_remove(rows: int = 2_000_000) -> list[str]:
    """The benchmark, then its inputs deleted (as ``run_benchmarks.py validate-2m`` runs it)."""
    try:
        return run_validate_memory_benchmark(rows)
    finally:
        remove_inputs()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--calibrate", action="store_true", help="peak against input size")
    parser.add_argument("--keep", action="store_true", help="keep the inputs in bench/out/")
    parser.add_argument("--measure", type=Path, metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument(
        "--measure-table", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS
    )
    parser.add_argument("--measure-parquet", type=Path, metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.measure_parquet:
        print(json.dumps(measure_parquet(args.measure_parquet)))
        return
    if args.measure_table:
        print(json.dumps(measure_table(args.measure_table[0], Path(args.measure_table[1]))))
        return
    try:
        lines = run_calibration() if args.calibrate else run_validate_memory_benchmark(args.rows)
    finally:
        if not args.keep:
            remove_inputs()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
