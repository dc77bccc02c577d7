"""Where each stage writes: the path layout of the processed data, shared by the Snakemake
rules (``rules/common.smk``) and the preview (:mod:`pipeline.render.preview`), which runs the
same steps outside Snakemake in a scratch folder.

Patterns keep the ``{area}`` and ``{edition}`` wildcards for Snakemake; :meth:`Layout.of`
fills them for one area's edition. ``folder`` is ``"shared"`` or an area slug.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The workflow's processed-data folder, relative to the repository.
PROCESSED = "data/processed"


@dataclass(frozen=True)
class Layout:
    """The processed-data paths of one dataset (``config["dataset"]``) under ``processed``."""

    dataset: str
    processed: str = PROCESSED

    # Validation, per dataset and folder.
    @property
    def raw_check(self) -> str:
        """Checksum checks of the raw inputs, ``<raw_check>/<folder>.json``."""
        return f"{self.processed}/raw-check/{self.dataset}"

    @property
    def validated(self) -> str:
        """Validated inputs, ``<validated>/<folder>/<kind>.parquet``."""
        return f"{self.processed}/validated/{self.dataset}"

    @property
    def validation_reports(self) -> str:
        """Row reconciliations and read records, ``<validation_reports>/<folder>/...``."""
        return f"{self.processed}/validation/{self.dataset}"

    def raw_check_file(self, folder: str) -> str:
        return f"{self.raw_check}/{folder}.json"

    def validated_file(self, folder: str, kind: str) -> str:
        return f"{self.validated}/{folder}/{kind}.parquet"

    def reconciliation_file(self, folder: str, kind: str) -> str:
        return f"{self.validation_reports}/{folder}/{kind}.reconciliation.csv"

    def cross_inputs_file(self, area: str) -> str:
        """The rows of an area's inputs kept or dropped by the cross-input checks."""
        return f"{self.validation_reports}/{area}/cross-inputs.reconciliation.csv"

    def inputs_read_file(self, folder: str) -> str:
        """What a validation job read: path, size and sha256 of each input (for provenance)."""
        return f"{self.validation_reports}/{folder}/inputs-read.json"

    # One area's edition: patterns with {area} and {edition}.
    @property
    def measures(self) -> str:
        return f"{self.processed}/measures/{{area}}/{{edition}}"

    @property
    def charts(self) -> str:
        return f"{self.processed}/charts/{{area}}/{{edition}}"

    @property
    def rendered(self) -> str:
        return f"{self.processed}/render/{{area}}/{{edition}}"

    @property
    def provenance(self) -> str:
        return f"{self.processed}/provenance/{{area}}/{{edition}}.json"

    @property
    def receipt(self) -> str:
        """What publish_edition has published (the reports/ trees are not Snakemake outputs:
        Snakemake deletes a rule's outputs before running it, which would delete the last
        edition first)."""
        return f"{self.processed}/publish/{{area}}/{{edition}}.json"

    @property
    def git_state(self) -> str:
        return f"{self.processed}/provenance/git-state.json"

    def measure_table(self, family: str) -> str:
        return f"{self.measures}/{family}.csv"

    def measure_findings(self, family: str) -> str:
        return f"{self.measures}/{family}.findings.json"

    @staticmethod
    def of(pattern: str, area: str, edition: str) -> str:
        """``pattern`` for one area's edition."""
        return pattern.format(area=area, edition=edition)
