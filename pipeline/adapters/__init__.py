"""Adapters: official public file formats -> the project's data contracts.

One module per format; each ``read_*`` function takes a path (and a few options) and returns an
:class:`AdapterResult` whose ``frame`` is in a contract of docs/data-contracts.md (or a
documented intermediate) and whose ``excluded`` counts every row that could not be mapped, by
reason. Bad input raises :class:`AdapterError` naming the file, rows, column and rule. How to
fetch each file: docs/public-data.md.
"""

from pipeline.adapters._common import AdapterError, AdapterResult
from pipeline.adapters.boundaries import read_lsoa_boundaries
from pipeline.adapters.census_ethnicity import read_census_ethnicity_la
from pipeline.adapters.dfe_neighbours import read_dfe_statistical_neighbours
from pipeline.adapters.dfe_population import read_dfe_children_population, read_dfe_la_codes
from pipeline.adapters.iod import imd_decile_of_rank, read_iod_file1
from pipeline.adapters.iod_summaries import read_iod_la_summaries
from pipeline.adapters.lsoa_bridge import bridge_lsoa11_to_lsoa21, read_lsoa_bestfit_lookup
from pipeline.adapters.mps_borough import mps_comparator_series, read_mps_borough_crime
from pipeline.adapters.mps_lsoa import read_mps_lsoa_annual
from pipeline.adapters.mps_ward import read_mps_ward_crime
from pipeline.adapters.ons_mye import read_ons_mye2
from pipeline.adapters.ons_sape import read_ons_sape_lsoa
from pipeline.adapters.police_uk import read_police_uk_street
from pipeline.adapters.police_uk_api import read_police_uk_api_json
from pipeline.adapters.police_uk_la import (
    financial_year_totals,
    police_uk_comparator_series,
    read_lsoa_la_lookup,
)

__all__ = [
    "AdapterError",
    "AdapterResult",
    "bridge_lsoa11_to_lsoa21",
    "financial_year_totals",
    "imd_decile_of_rank",
    "mps_comparator_series",
    "police_uk_comparator_series",
    "read_census_ethnicity_la",
    "read_dfe_children_population",
    "read_dfe_la_codes",
    "read_dfe_statistical_neighbours",
    "read_iod_file1",
    "read_iod_la_summaries",
    "read_lsoa_boundaries",
    "read_lsoa_la_lookup",
    "read_lsoa_bestfit_lookup",
    "read_mps_borough_crime",
    "read_mps_lsoa_annual",
    "read_mps_ward_crime",
    "read_ons_mye2",
    "read_ons_sape_lsoa",
    "read_police_uk_api_json",
    "read_police_uk_street",
]
