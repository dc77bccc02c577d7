"""Safe CSVs: no published cell a spreadsheet would run as a formula (OWASP CSV injection),
numbers untouched; tested on the cell rule itself and with hostile names in every place names
reach the published CSVs (wards, LSOAs, the area, neighbours, action owners and actions)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.editions import report_variants
from pipeline.families.registry import edition_family_names
from pipeline.render.preview import cached_preview, load_measures
from pipeline.render.publish import publish_editions, tree_paths
from pipeline.runtime import write_csv, write_json
from pipeline.safe_csv import _NUMBER, FORMULA_STARTS, neutralise_cell, safe_csv_bytes
from pipeline.settings import Area, Settings
from pipeline.steps import charts_step
from tests.publish_inputs import AREA, EDITION, TEMPLATES, settings


@pytest.mark.parametrize(
    "cell, published",
    [
        ("=1+1", "'=1+1"),
        ("\t=1+1", "'\t=1+1"),  # a tab first: still a formula once a spreadsheet trims it
        ("\r=1+1", "'\r=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-", "'-"),
        ('=HYPERLINK("http://evil.example","W1")', '\'=HYPERLINK("http://evil.example","W1")'),
        ("-2.1 to 3.5", "'-2.1 to 3.5"),  # an interval is text, and would be a formula
        # Numbers stay numbers.
        ("-3.2", "-3.2"),
        ("-1e-05", "-1e-05"),
        ("+5", "+5"),
        ("-0", "-0"),
        (".5", ".5"),
        ("-inf", "-inf"),
        # Everything else is left alone.
        ("Parkside", "Parkside"),
        ("[c]", "[c]"),
        ("", ""),
        ("A=1", "A=1"),
    ],
)
def test_the_cell_rule(cell, published):
    assert neutralise_cell(cell) == published


def test_a_csv_keeps_every_other_cell_byte_for_byte(tmp_path):
    source = tmp_path / "t.csv"
    text = "Ward,\"Rate per 1,000\",Change\nParkside,28.4,-3.2\n=cmd|' /C calc'!A0,[c],+5\n"
    source.write_text(text, encoding="utf-8")
    assert safe_csv_bytes(source).decode("utf-8") == text.replace("=cmd", "'=cmd")


def _hostile(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The demo's measure tables with every name replaced by a formula-like one."""
    out = {family: table.copy() for family, table in tables.items()}
    hot = out["hotspots"]
    wards = sorted(hot["ward_name"].dropna().unique())
    ward_names = {w: f'=HYPERLINK("http://evil.example/{i}","W{i}")' for i, w in enumerate(wards)}
    hot["ward_name"] = hot["ward_name"].map(ward_names)
    lsoas = sorted(hot["lsoa_name"].dropna().unique())
    hot["lsoa_name"] = hot["lsoa_name"].map({n: f"@SUM(A{i})" for i, n in enumerate(lsoas)})
    trend = out["trend"]
    by_area = trend["measure_id"].str.endswith("_by_area")
    neighbours = sorted(trend.loc[by_area, "group"].unique())
    assert len(neighbours) >= 5
    renamed = {n: f"-{i}+{n}" for i, n in enumerate(neighbours)}
    trend.loc[by_area, "group"] = trend.loc[by_area, "group"].map(renamed)
    monitoring = out["monitoring"]
    owned = monitoring["owner"].notna()
    assert owned.any()
    monitoring.loc[owned, "owner"] = "+44 20 7946 0000"
    monitoring.loc[owned, "action"] = "\t=1+1"
    return out


def _cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in row]


def test_hostile_names_are_neutralised_in_every_published_csv(tmp_path):
    preview = cached_preview(pdf=False)
    tables, _ = load_measures(preview.measures)
    config = settings(technical_in_public=True)
    area = {**config["areas"][0], "name": "=Waltham Forest"}
    paths = {}
    for family, table in _hostile(tables).items():
        paths[family] = str(tmp_path / "measures" / f"{family}.csv")
        write_csv(table, paths[family])
    charts = tmp_path / "charts"
    charts_step(paths, None, out_dir=str(charts), settings=config, area=area)
    reports = {}
    for variant in report_variants(Settings.of(config)):
        for fmt in ("html", "pdf"):
            path = tmp_path / "render" / variant.file_name(fmt)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"stand-in")
            reports[variant.key(fmt)] = str(path)
    write_json({"commit": "test"}, tmp_path / "provenance.json")
    root = tmp_path / "repo"
    publish_editions(
        reports=reports,
        tables={family: paths[family] for family in edition_family_names(Settings.of(config))},
        chart_dir=str(charts),
        provenance=str(tmp_path / "provenance.json"),
        template_dir=str(TEMPLATES),
        root=root,
        settings=Settings.of(config),
        area=Area.of(area),
    )
    published: dict[str, bytes] = {}
    for tree in tree_paths(root, AREA, EDITION).values():
        for path in sorted(tree.rglob("*")):
            if path.suffix == ".csv":
                published[str(path.relative_to(root))] = path.read_bytes()
            elif path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    for name in archive.namelist():
                        if name.endswith(".csv"):
                            published[f"{path.name}:{name}"] = archive.read(name)
    assert len(published) > 30
    every = {name: _cells(data) for name, data in published.items()}
    for name, cells in every.items():
        for cell in cells:
            assert not cell.startswith(FORMULA_STARTS) or _NUMBER.fullmatch(cell), (name, cell)
    text = "\n".join(cell for cells in every.values() for cell in cells)
    # The names did reach the CSVs (so the check above is not empty): each neutralised.
    for needle in (
        '\'=HYPERLINK("http://evil.example/0","W0")',  # a ward
        "'@SUM(A0)",  # an LSOA
        "'=Waltham Forest",  # the area, in column headings
        "'-0+",  # a neighbour
        "'+44 20 7946 0000",  # an action owner
        "'\t=1+1",  # an action
    ):
        assert needle in text, needle
    public = [n for n in every if n.startswith(f"reports/{AREA}") or n.endswith("-sna.zip")]
    assert any("'=HYPERLINK" in c for n in public for c in every[n])  # public CSVs too
    assert any(cell.startswith("-") and _NUMBER.fullmatch(cell) for cell in text.split("\n"))
    assert Path(root / "reports").is_dir()
