"""One function per workflow rule: read the rule's declared inputs, call the tested stage
functions, write the declared outputs. The scripts in ``scripts/`` only unpack Snakemake's
``input``/``output``/``params`` and call these, so the glue is testable without Snakemake."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.runtime import (
    LOGGER,
    read_csv,
    read_parquet,
    write_csv,
    write_json,
    write_parquet,
)
from pipeline.settings import Area, Settings

if TYPE_CHECKING:  # pandas is imported where a step reads a table: the raw-input check and
    import pandas as pd  # the publishing job read none, and pandas is half a second of start-up.


def check_raw_inputs_step(files: list[str], checked: str) -> None:
    """Stop if any raw input differs from its checksum manifest; record what was checked."""
    from pipeline.audit.raw_manifest import check_files

    record = check_files(files)
    LOGGER.info("checked %d raw files", len(record["files"]))
    write_json(record, checked)


def validate_step(
    kind: str,
    raw: str,
    *,
    validated: str,
    reconciliation: str,
    settings: Mapping[str, Any],
    area_lsoas: set[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Validate one raw input against its contract and write the rows used and the
    reconciliation (rows read = used + excluded, by reason). A Stop problem writes
    ``<kind>.failures.csv`` beside the reconciliation and raises.

    Returns the rows used and the record of the bytes they were read from (path, size,
    sha256), hashed before and after reading: the provenance of an edition names exactly the
    inputs its figures were computed from, so a file that changes while it is read stops the
    run instead."""
    from pipeline.audit.provenance import input_records
    from pipeline.runtime import UserFacingError
    from pipeline.validate.run import validate_input

    before = input_records([raw])[0]
    result = validate_input(
        kind,
        Path(raw),
        settings=Settings.of(settings),
        area_lsoas=area_lsoas,
        failures_path=_failures_path(reconciliation, kind),
    )
    if input_records([raw])[0] != before:
        raise UserFacingError(
            f"{raw}: the file changed while it was being validated; run the workflow again "
            "once it is complete."
        )
    write_parquet(result.frame, validated)
    write_csv(result.reconciliation, reconciliation)
    LOGGER.info("%s: %s", kind, result.reconciliation.to_dict("records"))
    return result.frame, before


def _failures_path(reconciliation: str, name: str) -> Path:
    """The failures CSV that goes beside a reconciliation table (written only on a Stop)."""
    folder = Path(reconciliation).parent
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.failures.csv"


def validate_shared_step(
    raw: Mapping[str, str],
    *,
    validated: Mapping[str, str],
    reconciliation: Mapping[str, str],
    read: str,
    settings: Mapping[str, Any],
) -> None:
    """Validate every input shared by the areas (``raw``, ``validated`` and
    ``reconciliation`` map each kind to its file); stop naming every input that fails.
    ``read`` records the bytes each input was read from (see :func:`validate_step`)."""
    write_json(_validate_each(raw, validated, reconciliation, settings), read)


def _validate_each(
    raw: Mapping[str, str],
    validated: Mapping[str, str],
    reconciliation: Mapping[str, str],
    settings: Mapping[str, Any],
    area_lsoas: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Validate each input in turn, going on past a failing one, so that a single run reports
    every broken input rather than the first. Returns the read records, by kind."""
    from pipeline.runtime import UserFacingError
    from pipeline.validate.errors import ValidationStop

    stops, records = [], []
    for kind, path in raw.items():
        try:
            _, record = validate_step(
                kind,
                path,
                validated=validated[kind],
                reconciliation=reconciliation[kind],
                settings=settings,
                area_lsoas=area_lsoas,
            )
            records.append({"kind": kind, **record})
        except ValidationStop as stop:
            stops.append(stop)
    if len(stops) == 1:
        raise stops[0]
    if stops:
        messages = "\n\n".join(str(stop) for stop in stops)
        raise UserFacingError(f"{len(stops)} inputs break stop rules.\n\n{messages}")
    return records


def validate_area_step(
    raw: Mapping[str, str],
    shared: Mapping[str, str],
    *,
    validated: Mapping[str, str],
    reconciliation: Mapping[str, str],
    kept: str,
    read: str,
    settings: Mapping[str, Any],
    area_code: str,
    stop_search_files: Sequence[str] = (),
) -> None:
    """Validate one area's inputs (its LSOA list first: every other input is checked against
    it; a failing input does not hide the next), then check that they fit the shared inputs
    (populations and deprivation for every LSOA, ...). What the cross-input checks keep and
    count goes to ``kept``; ``read`` records the bytes each input was read from. With
    ``stop_search_files`` (config ``stop_search``), the area's searches are read from them
    with its validated boundaries (``validated`` and ``reconciliation`` then name
    ``stop_search`` too)."""
    from pipeline.validate.cross import check_cross_inputs

    lsoas, lsoas_read = validate_step(
        "lsoas",
        raw["lsoas"],
        validated=validated["lsoas"],
        reconciliation=reconciliation["lsoas"],
        settings=settings,
    )
    others = {kind: path for kind, path in raw.items() if kind != "lsoas"}
    records = _validate_each(others, validated, reconciliation, settings, set(lsoas["lsoa_code"]))
    if stop_search_files:
        records += _validate_stop_search(stop_search_files, validated, reconciliation, settings)
    # Checked as the measures will read them: from the files just written.
    frames = {kind: read_parquet(path) for kind, path in {**validated, **shared}.items()}
    notes = check_cross_inputs(
        frames,
        settings=Settings.of(settings),
        area_code=area_code,
        failures_path=_failures_path(kept, "cross-inputs"),
    )
    write_csv(notes, kept)
    write_json(sorted([{"kind": "lsoas", **lsoas_read}, *records], key=lambda r: r["kind"]), read)


def _validate_stop_search(
    files: Sequence[str],
    validated: Mapping[str, str],
    reconciliation: Mapping[str, str],
    settings: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The area's searches from the configured police.uk files; their read records."""
    from pipeline.adapters.police_uk_stop_search import stop_search_files
    from pipeline.audit.provenance import input_records
    from pipeline.validate.stop_search import KIND, validate_stop_search

    paths = stop_search_files(files)
    before = input_records(paths)
    result = validate_stop_search(
        paths, boundaries=read_parquet(validated["boundaries"]), settings=Settings.of(settings)
    )
    if input_records(paths) != before:
        from pipeline.runtime import UserFacingError

        raise UserFacingError(
            "stop_search: a file changed while it was being read; run the workflow again."
        )
    write_parquet(result.frame, validated[KIND])
    write_csv(result.reconciliation, reconciliation[KIND])
    LOGGER.info("%s: %s", KIND, result.reconciliation.to_dict("records"))
    return [{"kind": KIND, **record} for record in before]


def measures_step(
    validated: Mapping[str, str],
    *,
    tables: Mapping[str, str],
    findings: Mapping[str, str],
    settings: Mapping[str, Any],
    area_code: str,
) -> None:
    """Compute every measure family of one area from its validated inputs (by kind) and write
    each family's table and findings. Strategy monitoring comes last and reads the other
    families' tables as written, the way the reports and auditors read them."""
    from pipeline.families.base import FamilyInputs
    from pipeline.families.registry import compute_table, edition_families, family_findings

    frames: dict[str, Any] = {kind: read_parquet(path) for kind, path in validated.items()}
    typed = Settings.of(settings)
    families = edition_families(typed)
    for family in families:
        written = (
            _read_tables({f.name: tables[f.name] for f in families if not f.reads_families})
            if family.reads_families
            else {}
        )
        result = compute_table(family, FamilyInputs(frames, typed, area_code, written))
        write_csv(result, tables[family.name])
        found = family_findings(family, result, typed)
        write_json([asdict(item) for item in found], findings[family.name])
        LOGGER.info("%s: %d rows, %d findings", family.name, len(result), len(found))


def _read_tables(paths: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """Measure tables by family from their CSV files."""
    return {family: read_csv(path) for family, path in paths.items()}


def charts_step(
    tables: Mapping[str, str],
    boundaries: str | None,
    *,
    out_dir: str,
    settings: Mapping[str, Any],
    area: Mapping[str, Any],
) -> None:
    """Draw every chart of every report variant (each disclosure-controlled for its
    circulation) with its table."""
    from pipeline.charts.build import build_charts
    from pipeline.charts.store import write_charts
    from pipeline.editions import report_variants

    frames = _read_tables(tables)
    shapes = read_parquet(boundaries) if boundaries else None
    typed = Settings.of(settings)
    for variant in report_variants(typed):
        charts = build_charts(
            frames, shapes, typed, Area.of(area), variant.report, variant.circulation
        )
        write_charts(charts, out_dir, variant.name)
        LOGGER.info("%s: %d charts", variant.name, len(charts))


def render_html_step(
    *,
    variant: str,
    tables: Mapping[str, str],
    findings: Mapping[str, str],
    chart_dir: str,
    narrative: str,
    provenance: str,
    reconciliation: list[str],
    template_dir: str,
    html: str,
    settings: Mapping[str, Any],
    area: Mapping[str, Any],
    adapter_exclusions: str | None = None,
) -> None:
    """Render one report variant (``resident``, ``technical-internal``, ...) as a
    self-contained HTML page."""
    from pipeline.config_checks import load_narrative
    from pipeline.editions import variant_named
    from pipeline.render.context import build_context
    from pipeline.render.html import render_report
    from pipeline.runtime import read_json
    from pipeline.validate.dictionary import data_dictionary

    report = variant_named(variant)
    context = build_context(
        audience=report.report,
        circulation=report.circulation,
        tables=_read_tables(tables),
        findings={family: read_json(path) for family, path in findings.items()},
        chart_dir=chart_dir,
        template_dir=template_dir,
        narrative=load_narrative(narrative),
        settings=Settings.of(settings),
        area=Area.of(area),
        provenance=read_json(provenance),
        reconciliation=[read_csv(path) for path in sorted(reconciliation)]
        + ([adapter_reconciliation(adapter_exclusions)] if adapter_exclusions else []),
        dictionary=data_dictionary(),
    )
    Path(html).parent.mkdir(parents=True, exist_ok=True)
    Path(html).write_text(render_report(context, template_dir, report.report), encoding="utf-8")


def adapter_reconciliation(path: str) -> pd.DataFrame:
    """The source rows the public-data adapters set aside (``adapter-exclusions.csv``), as
    reconciliation rows for the report, one input per public file.

    The file lists only what was set aside, not every row read, so these inputs have no
    "read" or "used" rows: the report says how many rows were set aside and which built input
    (column ``built``: comparators, neighbours, ...) reconciles the rows used. An entry of
    0 rows names an area the file has no data for; it is listed as "not in the file", not
    counted as excluded rows."""
    import pandas as pd

    from pipeline.render.reconciliation import NOT_IN_FILE

    exclusions = pd.read_csv(path)
    rows = exclusions["rows"].astype("int64")
    return pd.DataFrame(
        {
            "input": "public file: " + exclusions["source"].astype(str),
            "category": rows.map(lambda n: "excluded" if n > 0 else NOT_IN_FILE),
            "reason": exclusions["reason"].astype(str)
            + exclusions["detail"].fillna("").map(lambda d: f" ({d})" if d else ""),
            "rows": rows,
            "built": exclusions["step"].astype(str).str.split(r"[ :]", n=1).str[0],
        }
    )


def render_pdf_step(html: str, pdf: str, settings: Mapping[str, Any]) -> None:
    """Turn a rendered report into an A4 tagged PDF (PDF/UA-1) with fixed metadata dates."""
    from pipeline.render.pdf import write_pdf

    write_pdf(Path(html).read_text(encoding="utf-8"), pdf, Settings.of(settings))


def render_reports_step(*, reports: Mapping[str, str], **sources: Any) -> None:
    """Render every report variant of the configuration, each as HTML and then as tagged PDF.
    ``reports`` maps each variant's ``<name>_html`` and ``<name>_pdf`` keys
    (:meth:`pipeline.editions.ReportVariant.key`) to their files; ``sources`` are
    :func:`render_html_step`'s keyword arguments other than ``variant`` and ``html``."""
    from pipeline.editions import report_variants

    for variant in report_variants(Settings.of(sources["settings"])):
        html = reports[variant.key("html")]
        render_html_step(variant=variant.name, html=html, **sources)
        render_pdf_step(html, reports[variant.key("pdf")], sources["settings"])
        LOGGER.info("%s report rendered", variant.name)


def publish_step(
    *,
    reports: Mapping[str, str],
    tables: Mapping[str, str],
    chart_dir: str,
    provenance: str,
    template_dir: str,
    receipt: str,
    settings: Mapping[str, Any],
    area: Mapping[str, Any],
    root: str = ".",
) -> None:
    """Publish an edition's public and internal trees under ``root`` (each replaced in one
    rename: :mod:`pipeline.render.publish`) and write the receipt of what was published."""
    from pipeline.render.publish import publish_editions

    record = publish_editions(
        reports=reports,
        tables=tables,
        chart_dir=chart_dir,
        provenance=provenance,
        template_dir=template_dir,
        root=root,
        settings=Settings.of(settings),
        area=Area.of(area),
    )
    write_json(record, receipt)
