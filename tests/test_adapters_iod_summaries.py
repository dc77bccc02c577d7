"""IoD File 10 (local authority district summaries) on synthetic workbooks in the published
layout (tests/synthetic_iod_summaries.py, whose planted values are the truth), the generator
itself, and the one-line errors when File 1 and File 10 are swapped."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from pipeline.adapters import AdapterError, read_iod_file1
from pipeline.adapters.iod_summaries import MEASURES, read_iod_la_summaries
from tests.synthetic_iod_summaries import (
    headers,
    summaries,
    synthetic_districts,
    write_file1_like,
    write_file10,
)

VINTAGES = ("IoD2019", "IoD2025")


@pytest.mark.parametrize("vintage", VINTAGES)
def test_generator_writes_the_documented_layout(tmp_path, vintage):
    data = summaries(vintage, synthetic_districts(30))
    path = write_file10(tmp_path / "file10.xlsx", data)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames[:2] == ["Notes", "IMD"]
    header = next(book["IMD"].iter_rows(max_row=1, values_only=True))
    year, lad = ("2019", "2019") if vintage == "IoD2019" else ("2025", "2024")
    assert header[0] == f"Local Authority District code ({lad})"
    assert header[2:4] == ("IMD - Average rank ", "IMD - Rank of average rank ")
    assert header[6] == "IMD - Proportion of LSOAs in most deprived 10% nationally "
    assert header[8:] == (f"IMD {year} - Extent ", f"IMD {year} - Rank of extent ",
                          f"IMD {year} - Local concentration ",
                          f"IMD {year} - Rank of local concentration ")  # fmt: skip
    # rank 1 is the largest value of every measure, and ties share a rank
    for measure in MEASURES:
        pairs = sorted(data.values[code][measure] for code in data.names)
        assert max(pairs)[1] == 1
        assert all(a[1] >= b[1] for a, b in zip(pairs, pairs[1:], strict=False))
    zeros = {data.values[c]["proportion_most_deprived_10pct"] for c in data.names
             if data.values[c]["proportion_most_deprived_10pct"][0] == 0}  # fmt: skip
    assert len(zeros) == 1  # several districts at 0, one shared rank


@pytest.mark.parametrize("vintage", VINTAGES)
def test_file10_gives_every_measure_value_and_rank(tmp_path, vintage):
    data = summaries(vintage, synthetic_districts(25))
    result = read_iod_la_summaries(write_file10(tmp_path / "file10.xlsx", data, blank_rows=2))
    frame = result.frame
    assert list(frame.columns) == ["la_code", "la_name", "vintage", "measure", "value", "rank"]
    assert set(frame["vintage"]) == {vintage}
    assert len(frame) == 25 * len(MEASURES)
    for row in frame.itertuples():
        assert data.names[row.la_code] == row.la_name
        assert (row.value, row.rank) == pytest.approx(data.values[row.la_code][row.measure])
    assert result.excluded[["reason", "rows"]].values.tolist() == [["blank row", 2]]


def test_csv_export_without_trailing_spaces_reads_the_same(tmp_path):
    data = summaries("IoD2025", synthetic_districts(12))
    xlsx = read_iod_la_summaries(write_file10(tmp_path / "f.xlsx", data)).frame
    path = tmp_path / "imd.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers("IoD2025", trailing_space=False))
        for code, name in data.names.items():
            writer.writerow([code, name, *(x for m in MEASURES for x in data.values[code][m])])
    assert read_iod_la_summaries(path).frame.equals(xlsx)


def test_ranks_that_do_not_follow_the_values_name_the_row(tmp_path):
    data = summaries("IoD2019", synthetic_districts(10))
    codes = list(data.names)
    first, last = (
        min(codes, key=lambda c: data.values[c]["average_score"][1]),
        max(codes, key=lambda c: data.values[c]["average_score"][1]),
    )
    (a_value, a_rank), (b_value, b_rank) = (
        data.values[first]["average_score"],
        data.values[last]["average_score"],
    )
    # the most and least deprived swap values but keep their ranks
    data.values[first]["average_score"] = (b_value, a_rank)
    data.values[last]["average_score"] = (a_value, b_rank)
    path = write_file10(tmp_path / "swapped.xlsx", data)
    with pytest.raises(AdapterError, match="column 'IMD - Rank of average score': ranks must"):
        read_iod_la_summaries(path)


@pytest.mark.parametrize(
    ("measure", "bad", "rule"),
    [
        ("extent", 1.5, "must be a number from 0 to 1"),
        ("average_rank", 40_000, "must be a number from 1 to 32844"),
    ],
)
def test_values_outside_their_range_are_refused(tmp_path, measure, bad, rule):
    data = summaries("IoD2019", synthetic_districts(5))
    code = next(iter(data.names))
    data.values[code][measure] = (bad, data.values[code][measure][1])
    with pytest.raises(AdapterError, match=rf"row 2, column .*: {rule}"):
        read_iod_la_summaries(write_file10(tmp_path / "bad.xlsx", data))


def test_rank_beyond_the_districts_of_the_vintage_is_refused(tmp_path):
    data = summaries("IoD2025", synthetic_districts(5))
    code = list(data.names)[2]
    data.values[code]["extent"] = (0.0, 297)
    with pytest.raises(AdapterError, match=r"row 4, .*a rank must be a whole number from 1 to 296"):
        read_iod_la_summaries(write_file10(tmp_path / "bad.xlsx", data))


def test_vintage_headers_must_agree(tmp_path):
    data = summaries("IoD2019", synthetic_districts(4))
    path = write_file10(tmp_path / "mixed.xlsx", data)
    book = openpyxl.load_workbook(path)
    book["IMD"].cell(row=1, column=9).value = "IMD 2025 - Extent "
    book["IMD"].cell(row=1, column=10).value = "IMD 2025 - Rank of extent "
    book.save(path)
    with pytest.raises(AdapterError, match="cannot tell the vintage"):
        read_iod_la_summaries(path)
    with pytest.raises(AdapterError, match="vintage IoD2025 was asked for"):
        read_iod_la_summaries(write_file10(tmp_path / "ok.xlsx", data), vintage="IoD2025")


def test_file10_given_to_the_file1_adapter_names_the_file10_adapter(tmp_path):
    path = write_file10(tmp_path / "file10.xlsx", summaries("IoD2025", synthetic_districts(3)))
    with pytest.raises(AdapterError) as error:
        read_iod_file1(path)
    message = str(error.value)
    assert "this is IoD File 10 (local authority district summaries): read it with " in message
    assert "read_iod_la_summaries" in message and "\n" not in message


def test_file1_given_to_the_file10_adapter_names_the_file1_adapter(tmp_path):
    path = write_file1_like(tmp_path / "file1.xlsx")
    with pytest.raises(AdapterError, match="this is IoD File 1 .*read it with read_iod_file1"):
        read_iod_la_summaries(path)
    csv_path = tmp_path / "file1.csv"
    csv_path.write_text(
        "LSOA code (2021),Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
        "Index of Multiple Deprivation (IMD) Decile\nE01900001,1,1\n",
        encoding="utf-8",
    )
    with pytest.raises(AdapterError, match="read it with read_iod_file1"):
        read_iod_la_summaries(csv_path)


def test_a_workbook_without_an_imd_sheet_lists_its_sheets(tmp_path):
    path = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.save(path)
    with pytest.raises(AdapterError, match=r"no sheet 'IMD' \(sheets: \['Data'\]\)$"):
        read_iod_la_summaries(path)
    assert Path(path).exists()


def test_file1_workbook_blank_rows_are_counted_not_refused(tmp_path):
    """Empty workbook cells come back as None, which pandas 3 keeps missing on astype(str):
    they are blank rows (counted), not bad LSOA codes."""
    path = tmp_path / "file1.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Rank",
                  "Index of Multiple Deprivation (IMD) Decile"])  # fmt: skip
    sheet.append(["E01900001", 1, 1])
    sheet.append([None, None, None])
    sheet.append(["E01900002", 32_844, 10])
    book.save(path)
    result = read_iod_file1(path)
    assert result.frame["lsoa_code"].tolist() == ["E01900001", "E01900002"]
    assert result.excluded[["reason", "rows"]].values.tolist() == [["blank row", 1]]
