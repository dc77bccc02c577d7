"""Arithmetic of the speed benchmark (``bench/speed.py``): job records, CPU by rule and stage,
the ratio to the WeasyPrint floor, parallel efficiency, the check against each target, the jobs
per area from Snakemake's plan, and the cost of many areas on one machine or a cluster.

Nothing here runs a process or reads the clock, so it is tested on hand-made records
(``tests/test_bench_cpu_budget.py``).
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath

# Snakemake writes each job's script to .snakemake/scripts/tmp<random>.<script name>.py; our
# scripts are named after their rules (scripts/<rule>.py).
_JOB_SCRIPT = re.compile(r"^tmp\w+\.(\w+)\.py$")

# Where each rule's cost is reported; rules not listed are reported under their own name.
STAGE_OF_RULE = {
    "check_raw_inputs": "validation",
    "validate_shared_inputs": "validation",
    "validate_area_inputs": "validation",
    "compute_measures": "measures",
    "draw_charts": "charts",
    "render_reports": "render",
    "record_provenance": "publish",
    "publish_edition": "publish",
    "generate_demo_data": "demo inputs",
    "build_public_inputs": "public inputs",
}

# What Snakemake's script preamble imports before the rule's own script runs (the pickled
# ``snakemake`` object needs snakemake.io to unpickle).
SNAKEMAKE_PREAMBLE_IMPORTS = (
    "import pickle\n"
    "import snakemake.io\n"
    "from snakemake.logging import logger\n"
    "from snakemake.iocontainers import Snakemake\n"
)

_COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class ProcessRecord:
    """One Python process's exit record (written by bench/job_accounting/sitecustomize.py)."""

    pid: int
    ppid: int
    argv: tuple[str, ...]
    start: float
    end: float
    cpu: float  # user + system seconds of the process itself
    children_cpu: float  # user + system seconds of the children it waited for

    @classmethod
    def from_json(cls, data: Mapping) -> ProcessRecord:
        return cls(
            pid=int(data["pid"]),
            ppid=int(data["ppid"]),
            argv=tuple(data["argv"]),
            start=float(data["start"]),
            end=float(data["end"]),
            cpu=float(data["cpu"]),
            children_cpu=float(data["children_cpu"]),
        )

    @property
    def rule(self) -> str | None:
        """The rule whose script this process ran, or None for any other process."""
        if not self.argv:
            return None
        match = _JOB_SCRIPT.match(PurePath(self.argv[0]).name)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Job:
    rule: str
    cpu: float  # the job's process and the children it waited for
    start: float
    end: float

    @property
    def stage(self) -> str:
        return STAGE_OF_RULE.get(self.rule, self.rule)


def jobs_of(records: Iterable[ProcessRecord]) -> list[Job]:
    """One Job per rule script that ran. A job's own Python subprocesses are already in its
    ``children_cpu``, so a script process started by another job is not counted again."""
    records = list(records)
    job_pids = {record.pid for record in records if record.rule}
    return sorted(
        (
            Job(record.rule, record.cpu + record.children_cpu, record.start, record.end)
            for record in records
            if record.rule and record.ppid not in job_pids
        ),
        key=lambda job: (job.start, job.rule),
    )


def total_cpu(jobs: Iterable[Job]) -> float:
    return sum(job.cpu for job in jobs)


def cpu_by(jobs: Iterable[Job], key: str = "rule") -> dict[str, tuple[int, float]]:
    """(number of jobs, CPU seconds) by rule or by stage, largest CPU first."""
    groups: dict[str, tuple[int, float]] = {}
    for job in jobs:
        name = getattr(job, key)
        count, cpu = groups.get(name, (0, 0.0))
        groups[name] = (count + 1, cpu + job.cpu)
    return dict(sorted(groups.items(), key=lambda item: (-item[1][1], item[0])))


def parallel_efficiency(job_cpu: float, wall: float, cores: int) -> float:
    """Share of the cores' time the jobs used: sum of job CPU / (wall x cores)."""
    if wall <= 0 or cores <= 0:
        raise ValueError(f"wall ({wall}) and cores ({cores}) must be positive")
    return job_cpu / (wall * cores)


def floor_ratio(job_cpu: float, floor_cpu: float) -> float:
    """The run's job CPU as a multiple of the floor (bare WeasyPrint layout of its PDFs)."""
    if floor_cpu <= 0:
        raise ValueError(f"the floor's CPU ({floor_cpu}) must be positive")
    return job_cpu / floor_cpu


@dataclass(frozen=True)
class Target:
    what: str
    value: float
    comparison: str  # one of <=, >=, <, >
    target: float
    unit: str = ""

    @property
    def met(self) -> bool:
        return _COMPARE[self.comparison](self.value, self.target)

    def line(self) -> str:
        verdict = "met" if self.met else "NOT MET"
        return (
            f"{self.what}: {self.value:.2f}{self.unit} "
            f"[target {self.comparison} {self.target:g}{self.unit}: {verdict}]"
        )


def job_counts(plan: str) -> dict[str, int]:
    """Jobs by rule from the table ``snakemake -n --quiet rules`` prints ('all' and the total
    left out)."""
    counts = {}
    for name, count in re.findall(r"^(\w+)\s+(\d+)\s*$", plan, flags=re.MULTILINE):
        if name not in ("all", "total", "job", "count"):
            counts[name] = int(count)
    return counts


@dataclass(frozen=True)
class JobsPerArea:
    per_area: dict[str, int]  # rule -> jobs each area adds
    shared: dict[str, int]  # rule -> jobs done once, whatever the number of areas

    def per_area_total(self) -> int:
        return sum(self.per_area.values())

    def shared_total(self) -> int:
        return sum(self.shared.values())

    def total(self, areas: int) -> int:
        return self.shared_total() + areas * self.per_area_total()


def jobs_per_area(one: Mapping[str, int], many: Mapping[str, int], areas: int) -> JobsPerArea:
    """Split each rule's jobs into per-area and shared from the plans for one area and for
    ``areas`` areas. Rules only in the larger plan (e.g. generating demo inputs) are left
    out: they are not part of an SNA's own work."""
    if areas < 2:
        raise ValueError("need a plan with at least two areas to tell per-area jobs apart")
    per_area, shared = {}, {}
    for rule, count in one.items():
        added, remainder = divmod(many.get(rule, 0) - count, areas - 1)
        if remainder:
            raise ValueError(
                f"{rule}: {count} job(s) for one area and {many.get(rule, 0)} for {areas} do "
                "not grow by a whole number per area"
            )
        per_area[rule] = added
        shared[rule] = count - added
    return JobsPerArea(per_area, shared)


@dataclass(frozen=True)
class AreaCost:
    per_area_cpu: float  # CPU seconds each area adds
    shared_cpu: float  # CPU seconds done once
    critical_path: float  # seconds of one area's chain of jobs, one after another
    shared_path: float  # seconds of the shared jobs' chain, before any area can start

    def cpu(self, areas: int) -> float:
        return self.shared_cpu + areas * self.per_area_cpu


def mean_job_cpu(jobs: Iterable[Job]) -> dict[str, float]:
    """Each rule's mean CPU per job."""
    return {rule: cpu / count for rule, (count, cpu) in cpu_by(jobs).items()}


def area_cost(
    jobs: Iterable[Job], split: JobsPerArea, chain: Iterable[str], shared_chain: Iterable[str]
) -> AreaCost:
    """Per-area and shared CPU from a single-area run: each rule's mean job CPU times its
    per-area and shared job counts. ``chain`` names the rules an area runs one after another
    (its critical path), ``shared_chain`` those of the shared stage."""
    mean = mean_job_cpu(jobs)
    missing = sorted(set(split.per_area) - set(mean))
    if missing:
        raise ValueError(f"no job of rule(s) {', '.join(missing)} in the run")
    return AreaCost(
        per_area_cpu=sum(mean[rule] * n for rule, n in split.per_area.items()),
        shared_cpu=sum(mean[rule] * n for rule, n in split.shared.items()),
        critical_path=sum(mean[rule] for rule in chain),
        shared_path=sum(mean[rule] for rule in shared_chain),
    )


@dataclass(frozen=True)
class ClusterPlan:
    """Many areas on a cluster of equal nodes; every job single-threaded."""

    areas: int
    nodes: int
    cores_per_node: int
    concurrent_jobs: int  # the profile's ``jobs:`` cap
    hop_latency: float  # seconds from a job's inputs existing to its successor running
    hops: int  # jobs in one area's chain that go through the scheduler

    @property
    def slots(self) -> int:
        return min(self.nodes * self.cores_per_node, self.concurrent_jobs)

    shared_hops: int  # jobs in the shared stage's chain that go through the scheduler

    def wall(self, cost: AreaCost) -> float:
        """Shared stage, then the areas: never faster than one area's chain (plus the
        scheduler's hop per job), nor than the areas' CPU spread over the slots."""
        area_work = max(cost.critical_path, self.areas * cost.per_area_cpu / self.slots)
        hops = (self.hops + self.shared_hops) * self.hop_latency
        return cost.shared_path + area_work + hops


def top_level_imports(source: str) -> str:
    """The module-level import statements of a rule script: what every job of the rule
    imports before doing any work."""
    tree = ast.parse(source)
    nodes = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(
        ast.unparse(node)
        for node in nodes
        if not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
    )


def workflow_imports(sources: Iterable[str]) -> str:
    """The import lines at the left margin of a Snakefile and its rule files (Snakemake's
    syntax is not Python, so they are found line by line): what every Snakemake invocation,
    a no-op one included, imports while it reads the workflow."""
    lines = []
    for source in sources:
        for line in source.splitlines():
            if re.match(r"(from \S+ import |import )", line) and line not in lines:
                lines.append(line)
    return "\n".join(lines)


def minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{seconds:.1f} s"
