"""Ingest benchmark: a generated national-scale police.uk street file (default 5 million rows)
read by the project's adapter against a plain ``pyarrow.csv.read_csv`` of the same file, each in
its own process so that peak memory (max RSS) is measured separately.

    .venv/bin/python -m bench.police_uk_ingest [--rows 5000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.memory import peak_mb

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)
CRIME_TYPES = [
    "Anti-social behaviour",
    "Violence and sexual offences",
    "Public order",
    "Shoplifting",
    "Criminal damage and arson",
    "Other theft",
    "Vehicle crime",
    "Burglary",
    "Drugs",
    "Robbery",
    "Possession of weapons",
    "Theft from the person",
    "Bicycle theft",
    "Other crime",
]
FORCES = [
    "Metropolitan Police Service",
    "City of London Police",
    "West Midlands Police",
    "Kent Police",
]


def generate_file(path: Path, rows: int, seed: int = 1) -> None:
    """Write a police.uk-format street file of ``rows`` crimes over 12 months and ~33,000 LSOAs
    (synthetic codes), with some rows lacking a location, in chunks to bound memory."""
    rng = np.random.default_rng(seed)
    lsoas = np.array([f"E01{n:06d}" for n in range(33_755)])
    chunk = 500_000
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            month = rng.integers(1, 13, n)
            lsoa = lsoas[rng.integers(0, len(lsoas), n)]
            located = rng.random(n) > 0.02
            force = np.array(FORCES)[rng.choice(4, n, p=[0.6, 0.05, 0.2, 0.15])]
            crime = np.array(CRIME_TYPES)[rng.integers(0, len(CRIME_TYPES), n)]
            lines = [
                f"{start + i:064x},2024-{month[i]:02d},{force[i]},{force[i]},"
                f"-0.0{i % 9},51.5{i % 7},"
                f"On or near High Street,{lsoa[i] if located[i] else ''},"
                f"{'Area ' + lsoa[i][-4:] if located[i] else ''},{crime[i]},Under investigation,\n"
                for i in range(n)
            ]
            handle.writelines(lines)


def _measure(kind: str, path: str) -> dict[str, float]:
    """Run one reader in this process; return seconds (imports excluded) and peak memory."""
    import pyarrow.csv as pacsv

    from pipeline.adapters import read_police_uk_street

    start = time.perf_counter()
    if kind == "pyarrow":
        table = pacsv.read_csv(path)
        rows = table.num_rows
    else:
        area = {f"E01{n:06d}" for n in range(0, 33_755, 10)}  # every tenth LSOA is "the area"
        result = read_police_uk_street([path], area_lsoas=area, force="Metropolitan Police Service")
        rows = int(result.frame["count"].sum() + result.excluded["rows"].sum())
    seconds = time.perf_counter() - start
    peak = peak_mb()
    return {"seconds": seconds, "peak_mb": peak, "rows": rows}


def run_ingest_benchmark(rows: int = 5_000_000) -> list[str]:
    """Generate the file, time both readers in separate processes, and describe the result."""
    with tempfile.TemporaryDirectory(prefix="sna-ingest-") as folder:
        path = Path(folder) / "national-street.csv"
        generate_file(path, rows)
        size_mb = path.stat().st_size / 1e6
        figures = {}
        for kind in ("pyarrow", "adapter"):
            out = subprocess.run(
                [sys.executable, "-m", "bench.police_uk_ingest", "--measure", kind, str(path)],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parents[1],
            )
            figures[kind] = json.loads(out.stdout.strip().splitlines()[-1])
        assert figures["adapter"]["rows"] == rows, figures
    pa_rate = size_mb / figures["pyarrow"]["seconds"]
    ad_rate = size_mb / figures["adapter"]["seconds"]
    return [
        f"file: {rows:,} rows, {size_mb:,.0f} MB",
        f"pyarrow.csv.read_csv: {figures['pyarrow']['seconds']:.2f} s ({pa_rate:,.0f} MB/s), "
        f"peak {figures['pyarrow']['peak_mb']:,.0f} MB",
        "adapter (read_police_uk_street, every row accounted for): "
        f"{figures['adapter']['seconds']:.2f} s "
        f"({ad_rate:,.0f} MB/s), peak {figures['adapter']['peak_mb']:,.0f} MB",
        f"throughput ratio adapter/pyarrow: {ad_rate / pa_rate:.2f} (target >= 0.5; "
        f"peak memory target < 3,000 MB)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return
    for line in run_ingest_benchmark(args.rows):
        print(line)


if __name__ == "__main__":
    main()
