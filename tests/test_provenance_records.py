"""Input records name each file as configured, wherever a symlinked input folder points, so
that an auditor whose ``../shared`` is a link records the same paths as CI."""

from __future__ import annotations

import hashlib

from pipeline.audit.provenance import input_records


def test_a_symlinked_input_folder_is_recorded_as_configured(tmp_path):
    elsewhere = tmp_path / "mounted" / "data"
    elsewhere.mkdir(parents=True)
    (elsewhere / "extract.csv").write_bytes(b"a,b\n1,2\n")
    repo = tmp_path / "work" / "main"
    repo.mkdir(parents=True)
    (tmp_path / "work" / "shared").symlink_to(elsewhere)
    inside = repo / "data" / "raw.csv"
    inside.parent.mkdir()
    inside.write_bytes(b"x\n")

    records = input_records([repo / "../shared/extract.csv", inside], repo)

    assert [r["path"] for r in records] == ["../shared/extract.csv", "data/raw.csv"]
    assert records[0]["size"] == 8
    assert records[0]["sha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
