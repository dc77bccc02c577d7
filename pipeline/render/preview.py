"""Build both reports of the demo end to end in a scratch folder, to look at them or test them.

``python -m pipeline.render.preview /tmp/sna-preview`` writes the synthetic demo inputs,
validates them, computes every measure family, draws the charts, renders every report variant
(HTML and PDF) and publishes the public and internal trees with their index pages, zips and
manifests, exactly as the workflow's functions do, but without Snakemake and outside the
repository's data folders. The provenance record is a placeholder (the workflow writes the
real one).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pipeline.config_checks import load_narrative
from pipeline.layout import Layout
from pipeline.settings import Area, Settings

REPO = Path(__file__).resolve().parents[2]
#: A stand-in provenance record for previews (the workflow records the real one).
PREVIEW_PROVENANCE: dict[str, Any] = {
    "commit": "preview-not-a-commit",
    "dirty": True,
    "config_hash": "preview",
    "inputs": [],
    "packages": {},
    "system": {},
}


@dataclass(frozen=True)
class Preview:
    """Where a preview put things."""

    config: dict[str, Any]
    area: Area
    measures: Path
    charts: Path
    #: The public tree (reports/<area>/<edition>/) and the internal one.
    edition: Path
    internal: Path
    #: The rendered reports, by variant key (resident_html, technical_internal_pdf, ...).
    rendered: dict[str, Path]
    provenance: Path

    @property
    def settings(self) -> Settings:
        """The preview's configuration, typed."""
        return Settings.of(self.config)

    def table(self, family: str) -> pd.DataFrame:
        return pd.read_csv(self.measures / f"{family}.csv")


def preview_config(
    raw: Path, base: Mapping[str, Any] | None = None, slug: str | None = None
) -> dict[str, Any]:
    """The demo configuration pointed at ``raw``, with one area: the first, or ``slug``."""
    config = (
        copy.deepcopy(dict(base))
        if base is not None
        else yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    )
    config["shared_inputs"] = str(raw / "shared")
    areas = config["areas"] if slug is None else [a for a in config["areas"] if a["slug"] == slug]
    if not areas:
        raise ValueError(f"no area {slug!r} in the configuration")
    area = dict(areas[0])
    area["inputs"] = str(raw / area["slug"])
    area["narrative"] = (
        str(REPO / area["narrative"])
        if not Path(area["narrative"]).is_absolute()
        else area["narrative"]
    )
    config["areas"] = [area]
    return config


def compute_measures(config: Mapping[str, Any], layout: Layout) -> Path:
    """Validate the raw inputs and compute every measure family (tables and findings), with
    the workflow's own step functions and path layout."""
    from pipeline.families.catalogue import edition_family_names
    from pipeline.steps import measures_step, validate_area_step, validate_shared_step
    from pipeline.validate.kinds import area_kinds, optional_area_kinds, raw_filename, shared_kinds

    settings = Settings.of(config)
    area = settings.areas[0]

    def files(folder: str, kinds: tuple[str, ...], raw: Path) -> dict[str, dict[str, str]]:
        return {
            "raw": {kind: str(raw / raw_filename(kind)) for kind in kinds},
            "validated": {kind: layout.validated_file(folder, kind) for kind in kinds},
            "reconciliation": {kind: layout.reconciliation_file(folder, kind) for kind in kinds},
        }

    shared = files("shared", shared_kinds(settings), settings.shared_inputs)
    validate_shared_step(
        shared["raw"],
        validated=shared["validated"],
        reconciliation=shared["reconciliation"],
        read=layout.inputs_read_file("shared"),
        settings=config,
    )
    own = files(area.slug, area_kinds(settings), Path(area.inputs))
    optional = files(area.slug, optional_area_kinds(settings), Path(area.inputs))
    validate_area_step(
        own["raw"],
        shared["validated"],
        validated=own["validated"] | optional["validated"],
        reconciliation=own["reconciliation"] | optional["reconciliation"],
        kept=layout.cross_inputs_file(area.slug),
        read=layout.inputs_read_file(area.slug),
        settings=config,
        area_code=area.code,
        stop_search_files=settings.stop_search.files if settings.stop_search else (),
    )
    edition = settings.edition

    def of(pattern: str) -> str:
        return layout.of(pattern, area.slug, edition)

    names = edition_family_names(settings)
    measures_step(
        shared["validated"] | own["validated"] | optional["validated"],
        tables={family: of(layout.measure_table(family)) for family in names},
        findings={family: of(layout.measure_findings(family)) for family in names},
        settings=config,
        area_code=area.code,
    )
    return Path(of(layout.measures))


def load_measures(
    measures: Path, names: Sequence[str] | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, list[dict[str, Any]]]]:
    """Measure tables and findings (JSON form) by family: of ``names``, by default every
    family that needs no optional input."""
    from pipeline.families.catalogue import ALWAYS_INCLUDED

    if names is None:
        names = list(ALWAYS_INCLUDED)
    tables = {f: pd.read_csv(measures / f"{f}.csv") for f in names}
    findings = {
        f: json.loads((measures / f"{f}.findings.json").read_text(encoding="utf-8")) for f in names
    }
    return tables, findings


def render_demo_preview(
    out_dir: str | Path,
    *,
    pdf: bool = True,
    config: Mapping[str, Any] | None = None,
    boundaries: bool = True,
) -> Preview:
    """Build the demo's reports and publish them under ``out_dir``; see the module docstring.
    ``boundaries=False`` renders as if no LSOA boundaries were supplied; ``pdf=False`` writes
    the HTML reports straight into the trees, without PDFs or publishing."""
    from pipeline.charts.build import build_charts
    from pipeline.charts.store import write_charts
    from pipeline.demo import generate, write
    from pipeline.editions import report_variants
    from pipeline.render.context import build_context
    from pipeline.render.html import render_report
    from pipeline.render.pdf import write_pdf
    from pipeline.render.publish import publish_editions, tree_paths
    from pipeline.runtime import read_parquet, write_json
    from pipeline.validate.dictionary import data_dictionary

    out = Path(out_dir)
    raw = out / "raw"
    if not (raw / "shared").exists():
        write(generate(), raw)
    configured = preview_config(raw, config)
    settings = Settings.of(configured)
    area = settings.areas[0]
    layout = Layout(settings.dataset, processed=str(out / "processed"))
    edition = settings.edition

    def of(pattern: str) -> Path:
        return Path(layout.of(pattern, area.slug, edition))

    measures = compute_measures(configured, layout)
    from pipeline.families.catalogue import edition_family_names

    tables, findings = load_measures(measures, edition_family_names(settings))
    shape = read_parquet(layout.validated_file(area.slug, "boundaries")) if boundaries else None
    charts = of(layout.charts)
    variants = report_variants(settings)
    for v in variants:
        write_charts(
            build_charts(tables, shape, settings, area, v.report, v.circulation), charts, v.name
        )
    rendered_dir = of(layout.rendered)
    trees = tree_paths(out, area.slug, edition)
    narrative = load_narrative(area.narrative)
    reconciliation = pd.concat(
        [
            pd.read_csv(p)
            for p in sorted(Path(layout.validation_reports).rglob("*.reconciliation.csv"))
        ],
        ignore_index=True,
    )
    rendered: dict[str, Path] = {}
    for v in variants:
        context = build_context(
            audience=v.report,
            circulation=v.circulation,
            tables=tables,
            findings=findings,
            chart_dir=charts,
            template_dir=REPO / "templates",
            narrative=narrative,
            settings=settings,
            area=area,
            provenance=PREVIEW_PROVENANCE,
            reconciliation=reconciliation,
            dictionary=data_dictionary(),
        )
        html = render_report(context, REPO / "templates", v.report)
        folder = rendered_dir if pdf else trees[v.circulation]
        folder.mkdir(parents=True, exist_ok=True)
        rendered[v.key("html")] = folder / v.file_name("html")
        rendered[v.key("html")].write_text(html, encoding="utf-8")
        if pdf:
            rendered[v.key("pdf")] = folder / v.file_name("pdf")
            write_pdf(html, rendered[v.key("pdf")], settings)
    provenance = of(layout.provenance)
    write_json(PREVIEW_PROVENANCE, provenance)
    if pdf:
        publish_editions(
            reports={key: str(path) for key, path in rendered.items()},
            tables={f: str(measures / f"{f}.csv") for f in tables},
            chart_dir=str(charts),
            provenance=str(provenance),
            template_dir=str(REPO / "templates"),
            root=out,
            settings=settings,
            area=area,
        )
    return Preview(
        configured, area, measures, charts, trees["public"], trees["internal"], rendered, provenance
    )


_CACHE: dict[bool, Preview] = {}


def cached_preview(pdf: bool = True) -> Preview:
    """One preview per process (tests share it): built in a temporary folder that is removed
    when the process exits. A PDF preview also serves HTML-only callers."""
    import atexit
    import shutil
    import tempfile

    if True in _CACHE:
        return _CACHE[True]
    if not pdf and False in _CACHE:
        return _CACHE[False]
    folder = Path(tempfile.mkdtemp(prefix="sna-preview-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    _CACHE[pdf] = render_demo_preview(folder, pdf=pdf)
    return _CACHE[pdf]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.render.preview", description=__doc__)
    parser.add_argument("out", type=Path, help="scratch folder for the preview")
    parser.add_argument("--no-pdf", action="store_true", help="HTML only (faster)")
    args = parser.parse_args(argv)
    preview = render_demo_preview(args.out, pdf=not args.no_pdf)
    print(f"reports written to {preview.edition}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
