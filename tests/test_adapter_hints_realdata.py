"""A real public file given to the wrong adapter: one line naming the file, what is missing,
and the adapter (and configuration key) that does read it. Read in place from
../shared/realdata (skipped with a reason where it is absent)."""

from __future__ import annotations

import pytest

from pipeline.adapters import (
    AdapterError,
    read_lsoa_bestfit_lookup,
    read_mps_lsoa_annual,
    read_police_uk_street,
)
from pipeline.adapters.police_uk_stop_search import read_police_uk_stop_search
from pipeline.adapters.ward_lookup import read_lsoa_ward_lookup

STREET = "police-uk-street/2018-06-city-of-london-street.csv"
STOP_SEARCH = "police-uk-stop-search/2022-09-metropolitan-stop-and-search.csv"
BESTFIT = "london-lsoa/merge_bestfit_lsoa11_lsoa21_london.csv"


@pytest.mark.parametrize(
    "reader, given, adapter, key",
    [
        (lambda p: read_police_uk_street(p, ["E01000001"]), STOP_SEARCH,
         "read_police_uk_stop_search", "stop_search.files"),
        (lambda p: read_police_uk_stop_search(p, files_are_the_area=True), STREET,
         "read_police_uk_street",
         "public_sources.police_uk_street.paths"),
        (read_lsoa_bestfit_lookup, STREET, "read_police_uk_street",
         "public_sources.police_uk_street.paths"),
        (lambda p: read_mps_lsoa_annual(p, "E09000031"), BESTFIT, "read_lsoa_bestfit_lookup",
         "public_sources.lsoa_bestfit_lookup"),
        (lambda p: read_lsoa_ward_lookup(p, ["E01000001"]), BESTFIT, "read_lsoa_bestfit_lookup",
         "public_sources.lsoa_bestfit_lookup"),
    ],
)  # fmt: skip
def test_a_real_file_given_to_another_adapter_names_its_own(realdata, reader, given, adapter, key):
    path = realdata / given
    with pytest.raises(AdapterError) as raised:
        reader(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(path.name)
    assert f"read it with {adapter}" in message
    assert f"configuration key {key}" in message
