"""Census figures for areas: read and validate the files a jurisdiction loads.

Two layouts are accepted:

* **long** (any source): header ``area_code,area_name,area_kind,parent_code,variable,category,
  count,source,vintage``; one row per figure. ``area_name``, ``area_kind`` and ``parent_code``
  may be blank after an area's first row.
* **wide marginals** (the layout of ``data/census/chicago_police_district_marginals.csv``): the
  first column holds the area code, then one column per figure named
  ``<source><vintage>_<figure>``, e.g. ``dhc2020_F_18_24`` or ``pl2020_hispanic_latino``.

Either way the whole file is checked before anything is returned; every problem is reported with
its row (the header is row 1, as in a spreadsheet) and column.
"""

from cpps.engines.census._read import (
    AREA_CODE_PATTERN,
    MAX_COUNT,
    AreaRecord,
    CensusFileError,
    CensusProblem,
    CensusRecord,
    CensusTable,
    parent_cycle,
    read_census_csv,
)

__all__ = [
    "AREA_CODE_PATTERN",
    "MAX_COUNT",
    "AreaRecord",
    "CensusFileError",
    "CensusProblem",
    "CensusRecord",
    "CensusTable",
    "parent_cycle",
    "read_census_csv",
]
