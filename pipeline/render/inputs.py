"""What every report's context starts from: findings in one form, the families' method and
caveat texts, the values both reports print (area, edition, dates, thresholds) and the
provenance keywords of the PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

from pipeline.editions import INTERNAL, PUBLIC, ReportVariant
from pipeline.families.registry import FAMILIES
from pipeline.findings import Finding
from pipeline.formatting import long_date
from pipeline.render.pdf import publication_date
from pipeline.render.wording import Wording
from pipeline.settings import Area, Settings

#: The finding topics a report's summary opens with, in order (the first finding of each).
SUMMARY_TOPICS: tuple[str, ...] = ("prevalence", "trend", "who", "where", "when", "deprivation")


def family_methods() -> dict[str, str]:
    """Each measure family's method text, by family name."""
    return {family.name: family.method for family in FAMILIES}


def family_caveats() -> dict[str, tuple[str, ...]]:
    """Each measure family's caveats (printed beside its figures), by family name."""
    return {family.name: family.report.caveats for family in FAMILIES if family.report.caveats}


def as_findings(items: Sequence[Finding | Mapping[str, Any]]) -> list[Finding]:
    """Findings from dataclasses or their JSON form."""
    out = []
    for item in items:
        if isinstance(item, Finding):
            out.append(item)
        elif is_dataclass(item):
            out.append(Finding(**asdict(item)))  # type: ignore[arg-type]
        else:
            out.append(
                Finding(
                    **{
                        k: item[k]
                        for k in (
                            "id",
                            "topic",
                            "resident",
                            "technical",
                            "status",
                            "measure_ids",
                            "evidence",
                        )  # fmt: skip
                        if k in item
                    }
                )
            )
    return out


def not_available_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that say a measure family is not available (no victim extract)."""
    return [f for f in findings if f.id.endswith("_not_available") and f.status == "Not available"]


def findings_by_topic(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    by_topic: dict[str, list[Finding]] = {}
    for finding in findings:
        by_topic.setdefault(finding.topic, []).append(finding)
    return by_topic


def common_context(
    settings: Settings,
    area: Area,
    narrative: Mapping[str, Any],
    variant: ReportVariant,
) -> dict[str, Any]:
    """The values the page frame (base.html.j2) prints in both reports."""
    day = publication_date(settings)
    resident = settings.threshold(PUBLIC)
    technical = settings.threshold(INTERNAL)
    return {
        "audience": variant.report,
        "variant": variant.name,
        "area_name": area.name,
        "edition": settings.edition,
        "author": str(narrative.get("council_name") or area.name),
        "publication_date": day.isoformat(),
        "publication_date_text": long_date(day),
        "synthetic": bool(settings.synthetic_data),
        # Everything in the internal edition carries the mark on every page, whatever the
        # thresholds: its measure tables are never suppressed.
        "internal": variant.internal,
        "resident_threshold": resident,
        "technical_threshold": technical,
        "page_class": variant.report,
    }


#: What the reports print for a commit or configuration hash the provenance does not record.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ProvenanceIds:
    """What identifies an edition's code and configuration in its provenance record."""

    commit: str
    #: True or False when the tree state was recorded, None when it was not.
    dirty: bool | None
    config_sha256: str

    @classmethod
    def of(cls, provenance: Mapping[str, Any]) -> ProvenanceIds:
        # The workflow's record says uncommitted_changes and config_sha256; the preview's
        # stand-in (and older records) dirty and config_hash.
        dirty = provenance.get("uncommitted_changes", provenance.get("dirty"))
        settings = provenance.get("config_sha256") or provenance.get("config_hash")
        return cls(
            commit=str(provenance.get("commit") or UNKNOWN),
            dirty=None if dirty is None else bool(dirty),
            config_sha256=str(settings or UNKNOWN),
        )


def provenance_keywords(provenance: Mapping[str, Any], words: Wording) -> str:
    """The key parts of the edition's provenance, for the PDF's Keywords metadata, so a PDF
    found on its own still says which code and configuration made it; ``words``: the
    wording's ``keywords``."""
    ids = ProvenanceIds.of(provenance)
    state = "unknown" if ids.dirty is None else "dirty" if ids.dirty else "clean"
    return words(
        "line", commit=ids.commit, state=words(f"tree_{state}"), config_sha256=ids.config_sha256
    )
