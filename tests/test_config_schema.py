"""The configuration schema refuses what would make a published edition unsafe: a resident
threshold below 3, an area slug that would land in the internal editions' folder, and an
unknown or mistyped publishing option."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

REPO = Path(__file__).resolve().parents[1]
SCHEMA = str(REPO / "schemas" / "config.schema.yaml")


@pytest.fixture()
def config() -> dict:
    return copy.deepcopy(
        yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "config").glob("*.yaml")))
def test_the_shipped_configurations_pass(name):
    validate(yaml.safe_load((REPO / "config" / name).read_text(encoding="utf-8")), SCHEMA)


@pytest.mark.parametrize("threshold, accepted", [(0, False), (1, False), (2, False), (3, True)])
def test_a_resident_threshold_below_3_is_refused(config, threshold, accepted):
    config["disclosure"]["resident_threshold"] = threshold
    if accepted:
        validate(config, SCHEMA)
    else:
        with pytest.raises(WorkflowError, match="resident_threshold"):
            validate(config, SCHEMA)


def test_the_area_slug_internal_is_refused(config):
    config["areas"][0]["slug"] = "internal"
    with pytest.raises(WorkflowError, match="slug"):
        validate(config, SCHEMA)
    config["areas"][0]["slug"] = "internal-borough"  # only the folder's own name is taken
    validate(config, SCHEMA)


def test_the_publishing_option_is_checked(config):
    config["publish"] = {"technical_report_in_public_edition": True}
    validate(config, SCHEMA)
    del config["publish"]  # optional: off by default
    validate(config, SCHEMA)
    config["publish"] = {"technical_report_in_public_edition": "yes"}
    with pytest.raises(WorkflowError, match="technical_report_in_public_edition"):
        validate(config, SCHEMA)
    config["publish"] = {"technical_in_public": True}
    with pytest.raises(WorkflowError, match="technical_in_public"):
        validate(config, SCHEMA)
