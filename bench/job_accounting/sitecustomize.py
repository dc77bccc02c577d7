"""Per-process CPU accounting for the speed benchmark (``bench/speed.py``), not used otherwise.

The benchmark puts this folder first on ``PYTHONPATH`` and names a folder in
``SNA_BENCH_JOB_RECORDS``; every Python process started under it then leaves one JSON record
there: its arguments, parent, wall-clock start and end, and CPU seconds (user + system).

- Snakemake's own process records its CPU as it exits (its jobs are counted separately).
- Any other process (each job's script, anything a job starts) forks at once: the child runs
  the program, and the parent waits for it with ``wait4``, so the record holds the child's
  whole CPU, start-up and interpreter shutdown included, and that of the processes it waited
  for. The parent then exits with the child's status.

Without the variable it does nothing.
"""

import atexit
import json
import os
import resource
import signal
import sys
import time

_RECORDS = os.environ.get("SNA_BENCH_JOB_RECORDS")


def _write(record):
    path = os.path.join(_RECORDS, f"{record['pid']}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(record, handle)


def _record_on_exit(started):
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    _write(
        {
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "argv": list(sys.argv),
            "start": started,
            "end": time.time(),
            "cpu": own.ru_utime + own.ru_stime,
            "children_cpu": children.ru_utime + children.ru_stime,
        }
    )


def _run_in_child_and_record():
    started = time.time()
    parent = os.getppid()
    child = os.fork()
    if child == 0:
        return  # the child goes on to run the program
    for forwarded in (signal.SIGTERM, signal.SIGINT):
        signal.signal(forwarded, lambda number, _frame: os.kill(child, number))
    while True:
        try:
            _, status, usage = os.wait4(child, 0)
            break
        except InterruptedError:
            continue
    _write(
        {
            "pid": child,
            "ppid": parent,
            "argv": list(sys.argv),
            "start": started,
            "end": time.time(),
            "cpu": usage.ru_utime + usage.ru_stime,
            "children_cpu": 0.0,
        }
    )
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


def _is_snakemake():
    # ``python -m snakemake``: at this point sys.argv[0] is still "-m", so read orig_argv.
    command = [part.replace(os.sep, "/") for part in sys.orig_argv[1:3]]
    return command == ["-m", "snakemake"] or any(
        part.endswith(("snakemake/__main__.py", "bin/snakemake")) for part in command[:1]
    )


if _RECORDS:
    if _is_snakemake():
        atexit.register(_record_on_exit, time.time())
    else:
        _run_in_child_and_record()
