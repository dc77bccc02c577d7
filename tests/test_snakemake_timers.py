"""Snakemake's scheduler keeps one wake-up timer pending, not one more per job
(pipeline/snakemake_timers.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipeline.snakemake_timers import PATCHED_METHOD, coalesce_reevaluation_timers


class _FakeScheduler:
    def __init__(self) -> None:
        self._open_jobs = threading.Semaphore(0)

    def _schedule_reevalutation(self, delay: float) -> None:  # Snakemake's own: a timer each
        threading.Timer(delay, self._open_jobs.release).start()


def test_many_requests_for_a_wake_up_set_one_timer_and_wake_the_loop_once():
    class Scheduler(_FakeScheduler):
        pass

    assert coalesce_reevaluation_timers(Scheduler)
    scheduler = Scheduler()
    for _ in range(50):
        scheduler._schedule_reevalutation(0.05)
    assert scheduler._open_jobs.acquire(timeout=2)
    assert not scheduler._open_jobs.acquire(timeout=0.3)
    # Once it has fired, the next request sets a new one.
    scheduler._schedule_reevalutation(0.05)
    assert scheduler._open_jobs.acquire(timeout=2)


def test_the_timer_does_not_keep_the_interpreter_alive():
    class Scheduler(_FakeScheduler):
        pass

    coalesce_reevaluation_timers(Scheduler)
    Scheduler()._schedule_reevalutation(60)
    assert all(t.daemon for t in threading.enumerate() if isinstance(t, threading.Timer))


def test_a_class_without_the_method_is_left_alone():
    class Other:
        pass

    assert not coalesce_reevaluation_timers(Other)
    assert not hasattr(Other, PATCHED_METHOD)


def test_the_installed_snakemake_has_the_method_the_patch_replaces():
    from snakemake.scheduling.job_scheduler import JobScheduler

    class Scheduler(JobScheduler):
        pass

    # An upgrade that renames or removes it would silently bring the timers back.
    assert callable(getattr(JobScheduler, PATCHED_METHOD, None))
    assert coalesce_reevaluation_timers(Scheduler)
    assert getattr(JobScheduler, PATCHED_METHOD) is not getattr(Scheduler, PATCHED_METHOD)


# Chains of short jobs competing for 2 cores, so jobs always wait: the case that multiplied
# the timers (Snakemake's default rate limit, 100 jobs a second, wakes the loop each second).
WORKFLOW = """
import snakemake.scheduling.job_scheduler as js
{patch}
PASSES = [0]
_select = js.JobScheduler.job_selector
def _counted(self, jobs):
    PASSES[0] += 1
    return _select(self, jobs)
js.JobScheduler.job_selector = _counted

rule all:
    input: expand("out/{{chain}}.3", chain=range(6))

rule step:
    output: "out/{{chain}}.{{step}}"
    input: lambda w: [] if w.step == "1" else [f"out/{{w.chain}}.{{int(w.step) - 1}}"]
    wildcard_constraints: step="[123]"
    shell: "sleep 0.8; touch {{output}}"

onsuccess:
    Path("passes.txt").write_text(str(PASSES[0]))
"""


def _passes(folder: Path, patched: bool) -> int:
    folder.mkdir()
    patch = (
        "from pipeline.snakemake_timers import coalesce_reevaluation_timers\n"
        "coalesce_reevaluation_timers()"
        if patched
        else ""
    )
    (folder / "Snakefile").write_text(
        "from pathlib import Path\n" + WORKFLOW.format(patch=patch), encoding="utf-8"
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        timeout=120,
    )
    assert time.perf_counter() - started < 60
    assert len(list((folder / "out").iterdir())) == 18  # every job ran
    return int((folder / "passes.txt").read_text())


def test_a_many_job_run_makes_far_fewer_scheduling_passes_with_one_timer(tmp_path):
    unpatched = _passes(tmp_path / "as-released", patched=False)
    patched = _passes(tmp_path / "one-timer", patched=True)
    # 18 jobs: Snakemake alone adds a timer with every job event, each waking the loop every
    # second while jobs wait; with the patch, a pass per event and at most one more a second.
    # (51 against 23 on an idle machine; a loaded one widens the gap, as jobs take longer.)
    assert patched < 0.7 * unpatched, (patched, unpatched)
