"""Benchmarks, run by hand (not part of the test suite): prints figures with the machine's
details and, with --record, appends them to bench/results.md.

    .venv/bin/python bench/run_benchmarks.py speed       # one run: CPU against the floor, no-op
    .venv/bin/python bench/run_benchmarks.py speed --london  # ... and London-wide (8-20 min)
    .venv/bin/python bench/run_benchmarks.py cold        # cold `make report` and no-op rerun
    .venv/bin/python bench/run_benchmarks.py london      # London-wide run against a single area
    .venv/bin/python bench/run_benchmarks.py ingest      # 5M-row police.uk file against pyarrow
    .venv/bin/python bench/run_benchmarks.py narrative   # jobs re-run after a narrative edit
    .venv/bin/python bench/run_benchmarks.py validate-2m # peak memory validating 2M victim rows
    .venv/bin/python bench/run_benchmarks.py all --record
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.audit.verify import copy_tree  # noqa: E402


def machine() -> str:
    """One line describing the machine the figures come from."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    python = platform.python_version()
    return f"{platform.platform()}, {os.cpu_count()} cores ({cpu}){memory}, Python {python}"


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return elapsed, result.stdout + result.stderr


def fresh_copy() -> Path:
    return copy_tree(REPO, Path(tempfile.mkdtemp(prefix="sna-bench-")) / "repo")


def bench_cold() -> list[str]:
    """Cold `make report` in a fresh copy (environment from the uv cache, then the workflow),
    then the no-op rerun through make and through snakemake directly."""
    copy = fresh_copy()
    try:
        cold, _ = timed(["make", "report"], copy)
        noop_make, _ = timed(["make", "report"], copy)
        noop, output = timed([str(copy / ".venv/bin/snakemake"), "--cores", "4"], copy)
        assert "Nothing to be done" in output, output[-2000:]
        return [
            f"cold `make report` (fresh clone, env from uv cache + workflow): {cold:.1f} s",
            f"no-op `make report`: {noop_make:.1f} s",
            f"no-op `.venv/bin/snakemake --cores 4`: {noop:.1f} s",
        ]
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def job_seconds_by_rule(log: str) -> dict[str, list[float]]:
    """Each finished job's wall time, by rule, from Snakemake's default (not quiet) output:
    a job starts at the timestamp above its ``rule NAME:`` block and ends at the timestamp
    above ``Finished jobid: N``. Timestamps are to the second, so use sums, not single jobs."""
    stamp = r"\[(\w{3} \w{3} +\d+ [\d:]+ \d{4})\]"
    started: dict[str, tuple[str, float]] = {}
    seconds: dict[str, list[float]] = {}
    for block in re.split(rf"\n(?={stamp})", log):
        when = re.match(stamp, block)
        if not when:
            continue
        moment = time.mktime(time.strptime(when.group(1), "%a %b %d %H:%M:%S %Y"))
        rule = re.search(r"^(?:local)?rule (\w+):", block, re.M)
        job = re.search(r"jobid: (\d+)", block)
        if rule and job:
            started[job.group(1)] = (rule.group(1), moment)
        finished = re.search(r"Finished jobid: (\d+)", block)
        if finished and finished.group(1) in started:
            name, began = started.pop(finished.group(1))
            seconds.setdefault(name, []).append(moment - began)
    return seconds


def describe_job_time(seconds: dict[str, list[float]], wall: float) -> list[str]:
    """Job time by rule, largest first, and how many cores the run kept busy on average."""
    total = sum(sum(values) for values in seconds.values()) or 1.0
    ranked = sorted(seconds.items(), key=lambda item: -sum(item[1]))
    parts = [
        f"{rule} {sum(values):.0f} s ({len(values)} jobs, {sum(values) / len(values):.1f} s "
        f"each, {100 * sum(values) / total:.0f}%)"
        for rule, values in ranked
        if sum(values) > 0
    ]
    return [
        "job time by rule: " + "; ".join(parts),
        f"job time {total:.0f} s over {wall:.0f} s wall: {total / wall:.2f} jobs running on "
        "average",
    ]


def bench_london() -> list[str]:
    """London-wide demo (33 areas) against the single-area demo, same machine, 2 cores.

    Both runs start from raw inputs on disk: the single-area demo's are committed, and the
    London inputs are generated first (timed separately), so the ratio compares SNA runs.
    """
    copy = fresh_copy()
    env = {"PYTHONPATH": str(copy)}

    def snakemake(*targets: str, london: bool = False, quiet: str | None = "all") -> list[str]:
        # Targets first: --quiet and --configfile both take a variable number of values.
        command = [sys.executable, "-m", "snakemake", *targets, "--cores", "2"]
        command += ["--quiet", quiet] if quiet else []
        return command + (["--configfile", "config/london-demo.yaml"] if london else [])

    try:
        # Not quiet: the job log gives each rule's share of the time.
        single, single_log = timed(snakemake(quiet=None), copy, env)
        generate, _ = timed(snakemake("generate_demo_data", london=True), copy, env)
        _, plan = timed([*snakemake(london=True, quiet="rules"), "-n"], copy, env)
        jobs = re.search(r"^total\s+(\d+)$", plan, flags=re.MULTILINE)
        london, log = timed(snakemake(london=True, quiet=None), copy, env)
        return [
            f"single-area demo run: {single:.1f} s",
            *(
                f"single area, {line}"
                for line in describe_job_time(job_seconds_by_rule(single_log), single)
            ),
            f"London-wide inputs generated (not part of the ratio): {generate:.1f} s",
            f"London-wide demo run (33 areas, {jobs.group(1) if jobs else '?'} jobs): "
            f"{london:.1f} s ({london / 33:.1f} s per area)",
            f"ratio London/single: {london / single:.2f} (target <= 8)",
            *(f"London, {line}" for line in describe_job_time(job_seconds_by_rule(log), london)),
        ]
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def bench_ingest(rows: int = 5_000_000) -> list[str]:
    """Ingest of a generated national-scale police.uk street file against pyarrow's raw read."""
    from bench.police_uk_ingest import run_ingest_benchmark  # noqa: PLC0415

    return run_ingest_benchmark(rows)


def bench_validate_2m(rows: int = 2_000_000) -> list[str]:
    """Peak memory and time of an area's validation job with a 2M-row victim extract."""
    from bench.validate_memory import run_and_remove  # noqa: PLC0415

    return run_and_remove(rows)


def bench_narrative() -> list[str]:
    """Which jobs re-run when only the narrative text changes (should be rendering only)."""
    copy = fresh_copy()
    env = {"PYTHONPATH": str(copy)}
    try:
        timed([sys.executable, "-m", "snakemake", "--cores", "2", "--quiet"], copy, env)
        narrative = copy / "config/narrative/waltham-forest.yaml"
        narrative.write_text(narrative.read_text().replace("grow up safe", "grow up safe and well"))
        _, plan = timed([sys.executable, "-m", "snakemake", "-n", "--quiet", "rules"], copy, env)
        jobs = re.findall(r"^(\w+)\s+(\d+)$", plan, flags=re.MULTILINE)
        rules = sorted({name for name, _ in jobs if name not in ("all", "total", "job")})
        return [f"jobs planned after a narrative edit: {', '.join(rules) or 'none'}"]
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def bench_speed(london: bool = False) -> list[str]:
    """Issue 16's targets in one run: cold single-area job CPU against bare WeasyPrint, CPU by
    stage and rule with start-up, no-op re-run, London-wide wall and parallel efficiency
    (with --london; otherwise extrapolated), and the paper plan for 300 areas on a cluster."""
    from bench.speed import bench_speed as run  # noqa: PLC0415

    return run(london=london)


BENCHMARKS = {
    "speed": bench_speed,
    "cold": bench_cold,
    "london": bench_london,
    "ingest": bench_ingest,
    "narrative": bench_narrative,
    "validate-2m": bench_validate_2m,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("which", choices=[*BENCHMARKS, "all"])
    parser.add_argument(
        "--record", action="store_true", help="append the figures to bench/results.md"
    )
    parser.add_argument(
        "--london",
        action="store_true",
        help="speed: also run London-wide (33 areas, 8-20 min on 2 cores); off by default",
    )
    args = parser.parse_args()
    names = list(BENCHMARKS) if args.which == "all" else [args.which]
    lines = [f"machine: {machine()}"]
    print(lines[0], flush=True)
    for name in names:
        print(f"== {name}", flush=True)
        figures = BENCHMARKS[name](london=args.london) if name == "speed" else BENCHMARKS[name]()
        for figure in figures:
            print(figure, flush=True)
        lines += [f"{name}: {figure}" for figure in figures]
    if args.record:
        with open(REPO / "bench/results.md", "a", encoding="utf-8") as handle:
            handle.write("\n".join(f"- {line}" for line in lines) + "\n\n")


if __name__ == "__main__":
    main()
