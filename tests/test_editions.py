"""Which reports each configuration renders and where each file is published."""

from __future__ import annotations

from pipeline.editions import (
    INTERNAL,
    PUBLIC,
    TECHNICAL_INTERNAL,
    TECHNICAL_PUBLIC,
    edition_folder,
    index_name,
    manifest_name,
    measure_table_path,
    published_csv_path,
    rendered_files,
    report_variants,
    zip_name,
)
from pipeline.settings import Settings


def test_the_public_technical_report_is_rendered_only_when_asked_for():
    off = {"publish": {"technical_report_in_public_edition": False}}
    assert [v.name for v in report_variants(Settings.of(off))] == ["resident", "technical-internal"]
    assert [v.name for v in report_variants(Settings.of({}))] == ["resident", "technical-internal"]
    on = {"publish": {"technical_report_in_public_edition": True}}
    assert [v.name for v in report_variants(Settings.of(on))] == [
        "resident",
        "technical",
        "technical-internal",
    ]
    assert sorted(rendered_files(Settings.of(on), "r")) == [
        "resident_html", "resident_pdf", "technical_html", "technical_internal_html",
        "technical_internal_pdf", "technical_pdf",
    ]  # fmt: skip


def test_every_internal_file_name_says_internal_and_no_public_one_does():
    internal = [
        edition_folder("a", "2024-25", INTERNAL),
        manifest_name(INTERNAL),
        index_name(INTERNAL),
        zip_name("a", "2024-25", INTERNAL),
        TECHNICAL_INTERNAL.file_name("pdf"),
        published_csv_path(TECHNICAL_INTERNAL, "who"),
        measure_table_path("trend"),
    ]
    assert all("internal" in name.rsplit("/", 1)[-1] for name in internal[1:]), internal
    assert internal[0] == "reports/internal/a/2024-25"
    public = [
        edition_folder("a", "2024-25", PUBLIC),
        manifest_name(PUBLIC),
        index_name(PUBLIC),
        zip_name("a", "2024-25", PUBLIC),
        TECHNICAL_PUBLIC.file_name("pdf"),
        published_csv_path(TECHNICAL_PUBLIC, "who"),
    ]
    assert public == [
        "reports/a/2024-25", "MANIFEST.json", "index.html", "a-2024-25-sna.zip",
        "technical.pdf", "data/technical/who.csv",
    ]  # fmt: skip
