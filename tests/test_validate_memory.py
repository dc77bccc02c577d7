"""Validation memory follows the input (issue 12, point 8).

A 200,000-row victim extract (the demo's rows repeated with fresh ids, as bench/validate_memory.py
makes a 2,000,000-row one) validates in a subprocess within the memory the rules declare for it;
the declared memory is computed from the inputs' sizes, and the validate rules declare it.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.validate_memory import write_victim_extract
from pipeline.audit.verify import copy_tree
from pipeline.settings import Settings
from pipeline.steps import check_raw_inputs_step, validate_shared_step
from pipeline.validate.kinds import area_kinds, raw_filename, shared_kinds
from pipeline.validate.memory import (
    FLOOR_MB,
    OTHER_INPUT_MB_PER_MIB,
    PARQUET_MB_PER_MIB,
    VICTIM_EXTRACT_MB_PER_MIB,
    validation_mem_mb,
)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "raw" / "demo"
MIB = 1024 * 1024
ROWS = 200_000

#: Validates lsoas.csv, then the victim extract, and prints the process's peak memory (MB) and
#: its peak before reading anything (the interpreter with the libraries imported).
MEASURE = """
import json, sys
from pathlib import Path
import yaml
from bench.memory import peak_mb
from pipeline.settings import Settings
from pipeline.validate.run import validate_input
config = Settings.of(yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8")))
baseline = peak_mb()
lsoas = validate_input("lsoas", Path(sys.argv[1]), settings=config)
result = validate_input(
    "victims", Path(sys.argv[2]), settings=config, area_lsoas=set(lsoas.frame["lsoa_code"])
)
counts = result.reconciliation.groupby("category")["rows"].sum()
print(json.dumps({
    "peak_mb": peak_mb(), "baseline_mb": baseline,
    "read": int(counts["read"]), "used": int(counts["used"]), "excluded": int(counts["excluded"]),
}))
"""


@pytest.fixture(scope="module")
def big_area(tmp_path_factory) -> Path:
    """The demo area's inputs with a 200,000-row victim extract."""
    folder = tmp_path_factory.mktemp("big") / "area"
    folder.mkdir()
    for kind in area_kinds(Settings.of({})):
        (folder / raw_filename(kind)).write_bytes(
            (DEMO / "waltham-forest" / raw_filename(kind)).read_bytes()
        )
    write_victim_extract(folder / "victims.csv", ROWS)
    return folder


def _file(path: Path, size: int) -> Path:
    path.write_bytes(b"x" * size)
    return path


def test_declared_memory_is_a_floor_plus_bytes_of_peak_per_byte_of_input(tmp_path):
    victims = _file(tmp_path / "victims.csv", 100 * MIB)
    table = _file(tmp_path / "population_la.csv", 10 * MIB)
    parquet = _file(tmp_path / "population_la.parquet", 1 * MIB)
    assert validation_mem_mb([]) == FLOOR_MB
    expected = FLOOR_MB + 100 * VICTIM_EXTRACT_MB_PER_MIB + 10 * OTHER_INPUT_MB_PER_MIB
    expected += PARQUET_MB_PER_MIB
    assert validation_mem_mb([victims, table, parquet]) == -(-expected // 100) * 100
    assert validation_mem_mb([victims]) > validation_mem_mb([_file(tmp_path / "x.csv", 0)])
    # The demo's shared inputs: the floor, rounded up (README).
    assert validation_mem_mb(sorted((DEMO / "shared").glob("*.csv"))) == 400
    with pytest.raises(FileNotFoundError):  # Snakemake evaluates it again once inputs exist
        validation_mem_mb([tmp_path / "not-yet-made.parquet"])


def test_a_large_victim_extract_validates_within_the_declared_memory(big_area):
    victims = big_area / "victims.csv"
    declared = validation_mem_mb([victims, big_area / "lsoas.csv"])
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(big_area / "lsoas.csv"), str(victims)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    # Every row accounted for: read = used + excluded.
    assert figures["read"] == ROWS == figures["used"] + figures["excluded"]
    # Before rows were read in batches into Arrow columns this peaked at about 610 MB. The peak
    # is the subprocess's own (VmHWM): ru_maxrss would report pytest's size, inherited across
    # exec, which is how CI once saw 927 MB here.
    assert figures["peak_mb"] < declared, (figures, declared)
    assert figures["baseline_mb"] < FLOOR_MB, figures  # the interpreter with its libraries


def _resources(plan: str, rule: str) -> int:
    """The mem_mb a dry run plans for a rule's job."""
    block = re.search(rf"rule {rule}:\n(.*?)\n\n", plan + "\n\n", flags=re.S)
    assert block, plan[-3000:]
    return int(re.search(r"mem_mb=(\d+)", block.group(1)).group(1))


def test_the_validate_rules_declare_memory_from_their_inputs(big_area, config, tmp_path):
    """A dry run of the workflow plans each validate job with validation_mem_mb of its inputs:
    more for an area whose victim extract is larger."""
    work = copy_tree(REPO, tmp_path / "repo")
    settings = copy.deepcopy(config)
    settings["dataset"] = "memtest"
    settings["areas"][0]["inputs"] = str(big_area)
    (work / "memtest.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    # The jobs' upstream files, as earlier jobs would have left them.
    shared_raw = {
        k: str(DEMO / "shared" / raw_filename(k)) for k in shared_kinds(Settings.of(settings))
    }
    checks = work / "data/processed/raw-check/memtest"
    check_raw_inputs_step(list(shared_raw.values()), str(checks / "shared.json"))
    check_raw_inputs_step(
        [str(p) for p in sorted(big_area.iterdir())], str(checks / "waltham-forest.json")
    )
    validated = {
        k: work / f"data/processed/validated/memtest/shared/{k}.parquet" for k in shared_raw
    }
    validate_shared_step(
        shared_raw,
        validated={k: str(p) for k, p in validated.items()},
        reconciliation={
            k: str(work / f"data/processed/validation/memtest/shared/{k}.reconciliation.csv")
            for k in shared_raw
        },
        read=str(work / "data/processed/validation/memtest/shared/inputs-read.json"),
        settings=settings,
    )
    plan = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--configfile",
            "memtest.yaml",
            "--forcerun",
            "validate_shared_inputs",
            "validate_area_inputs",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert plan.returncode == 0, plan.stderr[-3000:]
    plan_text = plan.stdout + plan.stderr
    area_inputs = [big_area / raw_filename(k) for k in area_kinds(Settings.of(settings))]
    area_inputs += [*validated.values(), checks / "waltham-forest.json"]
    area_mb = _resources(plan_text, "validate_area_inputs")
    assert area_mb == validation_mem_mb(area_inputs)
    assert area_mb > validation_mem_mb([DEMO / "waltham-forest" / "victims.csv"])
    shared_mb = _resources(plan_text, "validate_shared_inputs")
    assert shared_mb == validation_mem_mb([*shared_raw.values(), checks / "shared.json"])
