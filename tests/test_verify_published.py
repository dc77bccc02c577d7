"""`make verify` checks the published bytes first: every file of both trees and every entry of
their zips against the manifests, naming each changed, missing and extra file, and stops
before the re-run when any differs. Each case tampers with a copy of one edition published
once at the step level."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from pipeline.audit import verify
from pipeline.render.publish import publish_editions, tree_paths
from tests.publish_inputs import AREA, EDITION, make_inputs, settings

PUBLIC = f"reports/{AREA}/{EDITION}"
INTERNAL = f"reports/internal/{AREA}/{EDITION}"
ZIP = f"{AREA}-{EDITION}-sna.zip"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("published")
    publish_editions(**make_inputs(base / "inputs", "v1", settings()), root=base / "repo")
    return base / "repo"


@pytest.fixture()
def repo(published, tmp_path) -> Path:
    shutil.copytree(published, tmp_path / "repo")
    return tmp_path / "repo"


def run_check(repo: Path, capsys) -> tuple[bool, str]:
    manifests = verify.verify_published(repo, AREA, EDITION)
    return manifests is not None, capsys.readouterr().out


def test_an_untouched_edition_passes(repo, capsys):
    ok, out = run_check(repo, capsys)
    assert ok, out
    assert "PUBLISHED FILE" not in out
    rows = [line for line in out.splitlines() if line.endswith(" same")]
    # Every file of both trees and every zip entry has its row.
    assert any(row.startswith(f"{ZIP}:data/resident/wards.csv") for row in rows)
    assert any(row.startswith("technical-internal.pdf") for row in rows)


def _rewrite(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def _tamper_zip_entry(zip_path: Path, entry: str) -> None:
    with zipfile.ZipFile(zip_path) as archive:
        contents = {info: archive.read(info.filename) for info in archive.infolist()}
    with zipfile.ZipFile(zip_path, "w") as archive:
        for info, data in contents.items():
            archive.writestr(info, data.replace(b"[c]", b"3") if info.filename == entry else data)


@pytest.mark.parametrize(
    "tamper, named",
    [
        # Un-suppressing a hidden count in a published CSV.
        (
            lambda repo: _rewrite(repo / PUBLIC / "data/resident/wards.csv", b"[c]", b"3"),
            f"PUBLISHED FILE CHANGED: {PUBLIC}/data/resident/wards.csv",
        ),
        # Defacing the resident report.
        (
            lambda repo: _rewrite(repo / PUBLIC / "resident.html", b"<!--", b"<h1>hacked</h1><!--"),
            f"PUBLISHED FILE CHANGED: {PUBLIC}/resident.html",
        ),
        # Copying a raw extract into the edition folder.
        (
            lambda repo: (repo / PUBLIC / "victims.csv").write_text("offence_id\nX1\n"),
            f"PUBLISHED FILE EXTRA: {PUBLIC}/victims.csv",
        ),
        (
            lambda repo: (repo / INTERNAL / "data/internal/trend-internal.csv").unlink(),
            f"PUBLISHED FILE MISSING: {INTERNAL}/data/internal/trend-internal.csv",
        ),
        (
            lambda repo: _tamper_zip_entry(repo / PUBLIC / ZIP, "data/resident/wards.csv"),
            f"PUBLISHED FILE CHANGED: {PUBLIC}/{ZIP}:data/resident/wards.csv",
        ),
    ],
    ids=["unsuppressed-csv", "defaced-html", "extra-file", "deleted-file", "zip-entry"],
)
def test_a_tampered_edition_fails_naming_the_file(repo, capsys, tamper, named):
    tamper(repo)
    ok, out = run_check(repo, capsys)
    assert not ok
    assert named in out, out
    assert "DIFFERENT, the published files are not the ones their manifest lists" in out


def test_verify_stops_before_the_re_run_when_published_files_differ(repo, capsys, monkeypatch):
    def no_re_run(*args, **kwargs):
        raise AssertionError("the re-run must not start")

    monkeypatch.setattr(verify, "run_workflow", no_re_run)
    (tree_paths(repo, AREA, EDITION)["public"] / "resident.pdf").write_bytes(b"%PDF-1.7 fake")
    assert verify.verify_edition(repo, AREA, EDITION, configfile=None, cores=1, keep=False) is False
    assert f"PUBLISHED FILE CHANGED: {PUBLIC}/resident.pdf" in capsys.readouterr().out


def test_a_missing_manifest_fails(repo, capsys):
    (repo / INTERNAL / "MANIFEST-internal.json").unlink()
    ok, out = run_check(repo, capsys)
    assert not ok and f"{INTERNAL}/MANIFEST-internal.json: no manifest" in out
