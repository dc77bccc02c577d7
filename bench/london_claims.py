"""Walk every claim of all 33 London-wide demo areas against its evidence (issue 14).

    .venv/bin/python bench/london_claims.py [slug ...]

Generates the London-wide demo's inputs in a scratch folder, computes each area's measures
and findings with the workflow's step functions, and prints each area's claim count and any
claim its evidence does not license (the check of tests/test_claims.py). The test suite runs
a sample of areas (tests/test_claims_london.py); this runs them all (about 2.5 min).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.test_claims_london import LONDON, london_area_problems, london_raw  # noqa: E402


def main(argv: list[str]) -> int:
    slugs = argv or [a["slug"] for a in LONDON["areas"]]
    with tempfile.TemporaryDirectory(prefix="sna-london-claims-") as scratch:
        raw = london_raw(Path(scratch))
        total, failing = 0, 0
        for slug in slugs:
            count, problems = london_area_problems(raw, slug, Path(scratch) / slug)
            total += count
            failing += bool(problems)
            print(f"{slug}: {count} findings, {len(problems)} problems", flush=True)
            for problem in problems:
                print(f"  {problem}")
    print(f"{len(slugs)} areas, {total} findings, {failing} areas with problems")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
