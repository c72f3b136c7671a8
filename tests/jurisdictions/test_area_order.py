"""Areas are listed as people count (2 before 10, "A10" before "B2"), on every page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cpps.engines.census import AreaRecord, CensusRecord, CensusTable
from cpps.jurisdictions.models import natural_sort_key
from cpps.jurisdictions.selectors import area_list
from cpps.jurisdictions.services import census_import, jurisdiction_create

pytestmark = pytest.mark.django_db


def test_natural_sort_key_counts_numbers():
    codes = ["10", "B2", "2", "A10", "1", "a9", "11"]
    assert sorted(codes, key=natural_sort_key) == ["1", "2", "10", "11", "a9", "A10", "B2"]


def test_area_list_is_in_natural_order():
    jurisdiction = jurisdiction_create(name="Sorting", slug="sorting", description="")
    codes = ["B2", "A10", "A9"]
    table = CensusTable(
        areas=tuple(AreaRecord(code=c, name=f"Area {c}", kind="district") for c in codes),
        figures=tuple(
            CensusRecord(
                area_code=c, variable="sex", category="female", count=5, source="t", vintage="1"
            )
            for c in codes
        ),
    )
    census_import(jurisdiction=jurisdiction, table=table, file_name="t.csv")
    assert [a.code for a in area_list(jurisdiction=jurisdiction)] == ["A9", "A10", "B2"]


def _labels(html: str, name: str) -> list[str]:
    return re.findall(rf'<label for="id_{name}_\d+">(\d+) ', html)


def test_area_checkboxes_are_in_natural_order(client, accounts):
    council = accounts["council_member"]
    for user, url in [
        (accounts["facilitator"], reverse("processes:create", args=["chicago"])),
        (council, reverse("accountability:commitment_new", args=["chicago"])),
    ]:
        client.force_login(user)
        codes = _labels(client.get(url).content.decode(), "areas")
        assert codes[:12] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
