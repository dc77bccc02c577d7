"""One pending re-evaluation timer in Snakemake's scheduler, not one more per job.

Snakemake 9's job scheduler (``snakemake.scheduling.job_scheduler.JobScheduler``) has a job
rate limiter by default (``--max-jobs-per-timespan 100/1s``), and with it every pass of its
scheduling loop that leaves jobs waiting starts a new ``threading.Timer`` that wakes the loop
again a second later. Each job that finishes also wakes the loop, and that pass starts one
more timer: while jobs are waiting for a core, the timers never die out, and their number
grows by one with every job event. In a London-wide run (33 areas on 2 cores, jobs always
waiting) the loop ran hundreds of passes a second by the end, each one statting every input
of every waiting job: Snakemake's own process used 347 s of CPU, 1.5 s per job and a quarter
of the run's CPU (``bench/results.md``, 2026-12-04).

:func:`coalesce_reevaluation_timers` replaces the method that starts those timers with one
that keeps at most one pending: every pass that asks for a re-evaluation within ``delay``
seconds is answered by the one timer already set. The loop is still woken by every job that
finishes (Snakemake releases it itself), and by the timer while the rate limit holds jobs back,
so no job waits longer than before. The timer is a daemon thread, so the end of a run does not
wait for it.

The Snakefile calls it in Snakemake's own process; ``tests/test_snakemake_timers.py`` checks
the method it replaces still exists in the installed Snakemake and that a many-job run makes
far fewer passes with it.
"""

from __future__ import annotations

import threading
from typing import Any

#: The scheduler method Snakemake 9 uses to wake its loop later (its spelling).
PATCHED_METHOD = "_schedule_reevalutation"
_PENDING = "_sna_reevaluation_pending"


def _reevaluate_once(scheduler: Any, delay: float) -> None:
    """Wake ``scheduler``'s loop in ``delay`` seconds unless a wake-up is already pending."""
    lock = scheduler.__dict__.setdefault("_sna_reevaluation_lock", threading.Lock())
    with lock:
        if scheduler.__dict__.get(_PENDING):
            return
        scheduler.__dict__[_PENDING] = True

    def wake() -> None:
        with lock:
            scheduler.__dict__[_PENDING] = False
        scheduler._open_jobs.release()

    timer = threading.Timer(delay, wake)
    timer.daemon = True
    timer.start()


def coalesce_reevaluation_timers(scheduler_class: type | None = None) -> bool:
    """Patch Snakemake's scheduler class (by default the installed one); True if patched.

    Returns False, changing nothing, when the class has no such method (another Snakemake
    version): the run is then as fast or as slow as that version makes it.
    """
    if scheduler_class is None:
        from snakemake.scheduling.job_scheduler import JobScheduler  # noqa: PLC0415

        scheduler_class = JobScheduler
    if not callable(getattr(scheduler_class, PATCHED_METHOD, None)):
        return False
    setattr(scheduler_class, PATCHED_METHOD, _reevaluate_once)
    return True
