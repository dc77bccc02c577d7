"""What validating one input gives back: the typed rows to use, the rows excluded and the
reconciliation table. Both the table inputs (:mod:`pipeline.validate.run`) and the LSOA
boundaries (:mod:`pipeline.validate.boundaries`) return one."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class ValidationResult:
    """A validated input: rows used (typed), rows excluded and the reconciliation table."""

    frame: pd.DataFrame
    reconciliation: pd.DataFrame
    excluded: pd.DataFrame
