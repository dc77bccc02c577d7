"""Speed against the floor, in one run (``run_benchmarks.py speed [--london]``).

In a fresh copy of the repository: a cold single-area run with every job's CPU recorded (see
``bench/job_accounting/sitecustomize.py``), a no-op re-run, bare WeasyPrint laying out the
same two HTML files (the floor), each rule's start-up (interpreter, Snakemake's preamble and
the script's module-level imports) on its own, Snakemake's plans for one area and for London
(jobs per area), and, with ``--london``, the London-wide run (33 areas). The arithmetic is in
``bench/cpu_budget.py``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.cpu_budget import (
    SNAKEMAKE_PREAMBLE_IMPORTS,
    AreaCost,
    ClusterPlan,
    Job,
    JobsPerArea,
    ProcessRecord,
    Target,
    area_cost,
    cpu_by,
    floor_ratio,
    job_counts,
    jobs_of,
    jobs_per_area,
    mean_job_cpu,
    minutes,
    parallel_efficiency,
    top_level_imports,
    total_cpu,
    workflow_imports,
)

REPO = Path(__file__).resolve().parents[1]
HOOK = Path(__file__).resolve().parent / "job_accounting"
LONDON_CONFIG = "config/london-demo.yaml"
LONDON_AREAS = 33
RENDERED = "data/processed/render/waltham-forest/2024-25"
FLOOR_FILES = ("resident.html", "technical-internal.html")
# One area's jobs in the order each waits for the last (record_provenance runs beside them).
AREA_CHAIN = (
    "check_raw_inputs",
    "validate_area_inputs",
    "compute_measures",
    "draw_charts",
    "render_reports",
    "publish_edition",
)
SHARED_CHAIN = ("check_raw_inputs", "validate_shared_inputs")
# The chain's jobs that go through a cluster scheduler (the others are local rules).
CLUSTER_HOPS = 4  # validate_area_inputs, compute_measures, draw_charts, render_reports
SHARED_HOPS = 1  # validate_shared_inputs
# Paper cluster for item 3 of issue 16.
CSP_AREAS = 300
NODES, CORES_PER_NODE, GIB_PER_NODE = 16, 32, 128
HOP_LATENCY = 30.0  # seconds: SLURM queueing + Snakemake's status checks, per job
LOCAL_CORES = 4  # submit node cores for the local rules
LOCAL_RULES = ("check_raw_inputs", "record_provenance", "publish_edition")  # localrule: True

# The floor: WeasyPrint alone, with the options pipeline.render.pdf uses, on finished HTML.
FLOOR_CODE = """
import json, sys, time
started = time.process_time()
from weasyprint import HTML
imported = time.process_time()
layouts = {}
for path in sys.argv[2:]:
    before = time.process_time()
    with open(path, encoding="utf-8") as handle:
        HTML(string=handle.read(), base_url=None).write_pdf(
            pdf_variant=sys.argv[1], uncompressed_pdf=False
        )
    layouts[path.rsplit("/", 1)[-1]] = time.process_time() - before
print(json.dumps({"import": imported - started, "layouts": layouts}))
"""


class Measured:
    """A child process's wall time, CPU (its whole tree, as waited for) and output."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
        self.wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.output = result.stdout + result.stderr
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{self.output[-4000:]}")


def _env(copy: Path, records: Path | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": f"{HOOK}{os.pathsep}{copy}"}
    env.pop("SNA_BENCH_JOB_RECORDS", None)
    if records is not None:
        records.mkdir(parents=True, exist_ok=True)
        env["SNA_BENCH_JOB_RECORDS"] = str(records)
    return env


def _records(folder: Path) -> list[ProcessRecord]:
    return [
        ProcessRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.json"))
    ]


def _snakemake(cores: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--cores", str(cores), *args]


# A workflow of ``{jobs}`` trivial jobs with one parameter each: the floor of a no-op re-run.
# Snakemake imports pandas to compare the parameters of every job when pandas is installed
# (snakemake/persistence ``_serialize_param_pandas``), so a floor without params would be
# lower than any real workflow's.
BARE_WORKFLOW = """
rule all:
    input: expand("out/{{i}}.txt", i=range({jobs}))
rule one:
    output: "out/{{i}}.txt"
    params: value=lambda wildcards: {{"i": wildcards.i}}
    shell: "echo {{wildcards.i}} > {{output}}"
"""


def _bare_noop(cores: int, jobs: int, env: dict[str, str]) -> Measured:
    """A no-op re-run of :data:`BARE_WORKFLOW` with as many jobs as the real one."""
    folder = Path(tempfile.mkdtemp(prefix="sna-bare-noop-"))
    try:
        (folder / "Snakefile").write_text(BARE_WORKFLOW.format(jobs=jobs), encoding="utf-8")
        Measured(_snakemake(cores, "--quiet"), folder, env)
        return Measured(_snakemake(cores), folder, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _scheduler_cpu(records: list[ProcessRecord]) -> float:
    """CPU of Snakemake's own process (parsing, planning, scheduling), not of its jobs."""
    return sum(r.cpu for r in records if r.argv and r.argv[0].endswith("snakemake/__main__.py"))


def _stage_lines(jobs: list[Job], startup: dict[str, float], label: str) -> list[str]:
    total = total_cpu(jobs) or 1.0
    stages = [
        f"{stage} {cpu:.1f} s ({100 * cpu / total:.0f}%, {count} job{'s' * (count > 1)})"
        for stage, (count, cpu) in cpu_by(jobs, "stage").items()
    ]
    rules = []
    for rule, (count, cpu) in cpu_by(jobs).items():
        start = startup.get(rule)
        share = f", start-up {start:.1f} s of each" if start is not None else ""
        rules.append(f"{rule} {cpu / count:.1f} s x {count}{share}")
    lines = [
        f"{label} CPU by stage: " + "; ".join(stages),
        f"{label} CPU by rule (mean per job x jobs): " + "; ".join(rules),
    ]
    if startup:
        starts = sum(startup.get(job.rule, 0.0) for job in jobs)
        lines.append(
            f"{label} start-up (interpreter + Snakemake preamble + the scripts' module-level "
            f"imports, measured alone; pandas and the statistics libraries load when a step "
            f"first uses them and count as its work): {starts:.1f} s of {total:.1f} s "
            f"({100 * starts / total:.0f}%)"
        )
    return lines


def _startup_cpu(copy: Path, rules: set[str]) -> dict[str, float]:
    """Each rule's start-up: a fresh interpreter that imports what its job imports, then exits."""
    env = _env(copy, None)
    costs = {}
    for rule in sorted(rules):
        script = copy / "scripts" / f"{rule}.py"
        code = SNAKEMAKE_PREAMBLE_IMPORTS + top_level_imports(script.read_text(encoding="utf-8"))
        costs[rule] = Measured([sys.executable, "-c", code], copy, env).cpu
    return costs


def _floor(copy: Path) -> tuple[float, float, dict[str, float]]:
    sys.path.insert(0, str(REPO))
    from pipeline.render.pdf import PDF_VARIANT  # noqa: PLC0415

    paths = [str(copy / RENDERED / name) for name in FLOOR_FILES]
    run = Measured([sys.executable, "-c", FLOOR_CODE, PDF_VARIANT, *paths], copy, _env(copy, None))
    figures = json.loads(run.output.strip().splitlines()[-1])
    return sum(figures["layouts"].values()), figures["import"], figures["layouts"]


def _plans(copy: Path, cores: int) -> tuple[JobsPerArea, Measured, Measured]:
    env = _env(copy, None)
    one = Measured(_snakemake(cores, "--forceall", "-n", "--quiet", "rules"), copy, env)
    many = Measured(
        _snakemake(cores, "--forceall", "-n", "--quiet", "rules", "--configfile", LONDON_CONFIG),
        copy,
        env,
    )
    split = jobs_per_area(job_counts(one.output), job_counts(many.output), LONDON_AREAS)
    return split, one, many


def _london(copy: Path, cores: int, floor_per_area: float) -> list[str]:
    env = _env(copy, None)
    generate = Measured(
        _snakemake(cores, "generate_demo_data", "--quiet", "all", "--configfile", LONDON_CONFIG),
        copy,
        env,
    )
    records = copy.parent / "records-london"
    run = Measured(
        _snakemake(cores, "--quiet", "all", "--configfile", LONDON_CONFIG),
        copy,
        _env(copy, records),
    )
    found = _records(records)
    jobs = jobs_of(found)
    cpu = total_cpu(jobs)
    span = max(job.end for job in jobs) - min(job.start for job in jobs)
    return [
        f"London-wide inputs generated first (not counted): {generate.wall:.1f} s",
        Target(
            f"London-wide wall, {LONDON_AREAS} areas, {len(jobs)} jobs, {cores} cores",
            run.wall / 60,
            "<=",
            4.0,
            " min",
        ).line()
        + f" ({minutes(run.wall)}, {run.wall / LONDON_AREAS:.1f} s per area)",
        Target(
            "London-wide parallel efficiency (job CPU / (wall x cores))",
            parallel_efficiency(cpu, run.wall, cores),
            ">=",
            0.9,
        ).line()
        + f" (job CPU {cpu:.0f} s; jobs' span {span:.0f} s of {run.wall:.0f} s wall)",
        f"London-wide job CPU per area {cpu / LONDON_AREAS:.1f} s = "
        f"{floor_ratio(cpu / LONDON_AREAS, floor_per_area):.2f} x the floor per area; Snakemake's "
        f"own process {_scheduler_cpu(found):.1f} s; whole tree {run.cpu:.0f} s",
        *_stage_lines(jobs, {}, "London-wide"),
    ]


def _extrapolated_london(cost: AreaCost, cores: int) -> list[str]:
    cpu = cost.cpu(LONDON_AREAS)
    best = cpu / cores
    return [
        f"London-wide, not run: from the single-area figures, job CPU = {cost.shared_cpu:.1f} s "
        f"shared + {LONDON_AREAS} x {cost.per_area_cpu:.1f} s per area = {cpu:.0f} s; on "
        f"{cores} cores at best {minutes(best)} (efficiency 1), {minutes(best / 0.9)} at 0.9 "
        "[target <= 4 min: not met even at efficiency 1]",
        "London-wide parallel efficiency: not measured (run with --london)",
    ]


def _cluster_lines(
    jobs_run: list[Job], cost: AreaCost, split: JobsPerArea, one: Measured, many: Measured
) -> list[str]:
    jobs = split.total(CSP_AREAS)
    cpu_hours = cost.cpu(CSP_AREAS) / 3600
    # Planning grows with the areas: a straight line through the two dry runs' CPU.
    per_area_planning = (many.cpu - one.cpu) / (LONDON_AREAS - 1)
    planning = one.cpu + (CSP_AREAS - 1) * per_area_planning
    lines = [
        f"plan: {split.per_area_total()} jobs per area "
        f"({', '.join(f'{rule} {n}' for rule, n in split.per_area.items() if n)}), "
        f"{split.shared_total()} shared; {CSP_AREAS} areas = {jobs:,} jobs",
        f"plan: {CSP_AREAS} areas' job CPU = {cost.shared_cpu:.1f} s + {CSP_AREAS} x "
        f"{cost.per_area_cpu:.1f} s = {cpu_hours:.2f} CPU hours; Snakemake planning about "
        f"{planning:.0f} s of CPU (dry runs: {one.cpu:.1f} s for 1 area, {many.cpu:.1f} s for "
        f"{LONDON_AREAS})",
    ]
    for cap in (50, NODES * CORES_PER_NODE):
        plan = ClusterPlan(
            CSP_AREAS, NODES, CORES_PER_NODE, cap, HOP_LATENCY, CLUSTER_HOPS, SHARED_HOPS
        )
        lines.append(
            f"plan: {NODES} nodes x {CORES_PER_NODE} cores ({GIB_PER_NODE} GiB each), jobs: {cap}"
            f" -> {plan.slots} slots, wall about {minutes(plan.wall(cost))} "
            f"(shared stage {cost.shared_path:.0f} s, one area's chain {cost.critical_path:.0f} s,"
            f" {CLUSTER_HOPS + SHARED_HOPS} scheduler hops of {HOP_LATENCY:.0f} s)"
        )
    mean = mean_job_cpu(jobs_run)
    local = sum(mean[rule] * split.per_area[rule] for rule in LOCAL_RULES)
    lines.append(
        f"plan: local rules ({', '.join(LOCAL_RULES)}) run on the submitting node: "
        f"{CSP_AREAS} x {local:.1f} s = {CSP_AREAS * local:.0f} s CPU, "
        f"{minutes(CSP_AREAS * local / LOCAL_CORES)} on {LOCAL_CORES} cores"
    )
    return lines


def bench_speed(london: bool = False) -> list[str]:
    cores = os.cpu_count() or 1
    load = os.getloadavg()
    lines = [
        f"load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min); "
        f"niceness {os.nice(0)}; {cores} cores used (--cores {cores})"
    ]
    copy = Path(tempfile.mkdtemp(prefix="sna-speed-")) / "repo"
    sys.path.insert(0, str(REPO))
    from pipeline.audit.verify import copy_tree  # noqa: PLC0415

    copy_tree(REPO, copy)
    try:
        records = copy.parent / "records-single"
        cold = Measured(_snakemake(cores, "--quiet", "all"), copy, _env(copy, records))
        noop = Measured(_snakemake(cores), copy, _env(copy, None))
        assert "Nothing to be done" in noop.output, noop.output[-2000:]
        version = Measured(_snakemake(cores, "--version"), copy, _env(copy, None))
        sources = [copy / "Snakefile", *sorted((copy / "rules").glob("*.smk"))]
        code = workflow_imports(path.read_text(encoding="utf-8") for path in sources)
        workflow_import = Measured([sys.executable, "-c", code], copy, _env(copy, None))
        found = _records(records)
        jobs = jobs_of(found)
        bare = _bare_noop(cores, len(jobs), _env(copy, None))
        cpu = total_cpu(jobs)
        floor, weasy_import, layouts = _floor(copy)
        startup = _startup_cpu(copy, {job.rule for job in jobs})
        split, one, many = _plans(copy, cores)
        cost = area_cost(jobs, split, AREA_CHAIN, SHARED_CHAIN)
        render = sum(job.cpu for job in jobs if job.rule == "render_reports")
        lines += [
            "floor: bare WeasyPrint layout of the same HTML, "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in layouts.items())
            + f" = {floor:.1f} s CPU (importing WeasyPrint {weasy_import:.1f} s more)",
            Target(
                f"cold single-area job CPU ({len(jobs)} jobs, {cpu:.1f} s) / floor",
                floor_ratio(cpu, floor),
                "<=",
                1.6,
                "x",
            ).line(),
            f"cold single area: wall {cold.wall:.1f} s; whole process tree {cold.cpu:.1f} s CPU, "
            f"of which Snakemake's own process {_scheduler_cpu(found):.1f} s; render_reports "
            f"{render:.1f} s = {render / floor:.2f} x the floor",
            f"single-area parallel efficiency {parallel_efficiency(cpu, cold.wall, cores):.2f} "
            "(for information: one area's jobs mostly wait for each other; the >= 0.9 target "
            "is London-wide's)",
            *_stage_lines(jobs, startup, "single area"),
            Target("no-op re-run wall", noop.wall, "<", 1.0, " s").line()
            + f" (CPU {noop.cpu:.1f} s; of which `snakemake --version` alone {version.cpu:.1f} s"
            f" CPU, the workflow files' imports alone {workflow_import.cpu:.1f} s CPU)",
            f"no-op floor: bare Snakemake re-running {len(jobs)} trivial jobs with params "
            f"{bare.wall:.2f} s wall; ours = {noop.wall / bare.wall:.2f} x that floor (a target "
            "below the floor cannot be met by this workflow)",
            f"per area: {cost.per_area_cpu:.1f} s job CPU = "
            f"{floor_ratio(cost.per_area_cpu, floor):.2f} x the floor; shared "
            f"{cost.shared_cpu:.1f} s; one area's chain {cost.critical_path:.1f} s",
        ]
        lines += _london(copy, cores, floor) if london else _extrapolated_london(cost, cores)
        lines += _cluster_lines(jobs, cost, split, one, many)
        end = os.getloadavg()
        lines.append(f"load average at end {end[0]:.2f} / {end[1]:.2f} / {end[2]:.2f}")
        return lines
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)
