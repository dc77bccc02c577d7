"""Fixtures shared across the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The real public files beside the repository; CI must have them."""
    if not REALDATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{REALDATA} is missing, and CI=true requires the real-data tests to run")
        pytest.skip(f"real public data not found at {REALDATA} (tests read it in place)")
    return REALDATA
