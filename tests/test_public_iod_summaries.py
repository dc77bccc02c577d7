"""IoD File 10 in the public build (issue 15): ``public_sources.iod_la_summaries`` gives the
shared ``deprivation_la`` input (the borough's and its neighbours' rows), which the
deprivation section quotes as the borough's rank among England's districts. The workbook is
synthetic (tests/synthetic_iod_summaries.py, in the published layout, real district codes
with made-up values); the other public files are the real ones."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from pipeline.adapters.mps_borough import LONDON_BOROUGHS
from pipeline.families.catalogue import supplied_kinds
from pipeline.families.deprivation.la_summaries import ordinal, summary_finding, summary_rows
from pipeline.public import write_public_inputs
from pipeline.settings import Settings
from pipeline.validate.run import validate_input
from tests.synthetic_iod_summaries import summaries, synthetic_districts, write_file10

AREA = "E09000031"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("file10")
    districts = dict(sorted(LONDON_BOROUGHS.items())) | synthetic_districts(317 - 33)
    data = summaries("IoD2019", districts)
    return data, write_file10(folder / "File_10_IoD2019.xlsx", data)


@pytest.fixture(scope="module")
def built(realdata, repo, planted, tmp_path_factory):
    config = yaml.safe_load((repo / "config" / "public.yaml").read_text(encoding="utf-8"))
    config = copy.deepcopy(config)
    config["public_sources"]["iod_la_summaries"] = [str(planted[1])]
    out = tmp_path_factory.mktemp("public-file10")
    write_public_inputs(config, root=repo, out=out)
    return config, out / config["shared_inputs"] / "deprivation_la.csv"


def test_the_shared_input_holds_the_area_and_its_neighbours(built, planted):
    config, path = built
    frame = validate_input("deprivation_la", path, settings=Settings.of(config)).frame
    neighbours = pd.read_csv(path.parent / "neighbours.csv")
    in_file = {AREA, *neighbours["neighbour_code"]} & set(planted[0].names)
    assert set(frame["la_code"]) == in_file
    own = frame.loc[frame["la_code"] == AREA].set_index("measure")
    for measure, (value, rank) in planted[0].values[AREA].items():
        assert own.loc[measure, "value"] == pytest.approx(value)
        assert own.loc[measure, "rank"] == rank
    assert (frame["districts"] == 317).all()
    assert "deprivation_la" in supplied_kinds(Settings.of(config))


def test_the_deprivation_section_quotes_the_ranks(built, planted):
    config, path = built
    frame = validate_input("deprivation_la", path, settings=Settings.of(config)).frame
    table = pd.DataFrame(summary_rows(frame, AREA, 0.95))
    finding = summary_finding(table, Settings.of(config))
    ranks = {m: r for m, (_, r) in planted[0].values[AREA].items()}
    assert finding.resident.startswith(
        "Among England's 317 local authority districts (IoD2019, 1 = most deprived), Waltham "
        f"Forest ranked {ordinal(ranks['average_rank'])} on the average deprivation"
    )
    assert f"{ordinal(ranks['extent'])} on how many of its residents" in finding.resident
    assert f"and {ordinal(ranks['local_concentration'])} on how deprived" in finding.resident
    assert table["numerator"].isna().all()  # published figures, no count to protect


def test_without_the_key_there_is_no_such_input(repo):
    config = yaml.safe_load((repo / "config" / "public.yaml").read_text(encoding="utf-8"))
    assert "deprivation_la" not in supplied_kinds(Settings.of(config))
    empty = pd.DataFrame({"measure_id": ["x"], "period": ["y"]})
    assert summary_finding(empty, Settings.of(config)) is None


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112, 317)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
        "112th", "317th",
    ]  # fmt: skip


def test_the_workflow_steps_carry_it_into_the_deprivation_findings(built, repo, tmp_path):
    import json

    from pipeline.layout import Layout
    from pipeline.render.preview import compute_measures

    config, path = built
    config = copy.deepcopy(config)
    out = path.parent.parent.parent.parent.parent  # the build's root (shared is data/raw/public/)
    config["shared_inputs"] = str(out / config["shared_inputs"])
    config["areas"] = [{**config["areas"][0], "inputs": str(out / config["areas"][0]["inputs"]),
                        "narrative": str(repo / config["areas"][0]["narrative"])}]  # fmt: skip
    layout = Layout(Settings.of(config).dataset, processed=str(tmp_path / "processed"))
    measures = compute_measures(config, layout)
    table = pd.read_csv(measures / "deprivation.csv")
    assert set(table.loc[table["measure_id"].str.startswith("imd_la_"), "period"]) == {"IoD2019"}
    found = json.loads((measures / "deprivation.findings.json").read_text(encoding="utf-8"))
    assert any(f["id"] == "deprivation_la_rank" for f in found)
