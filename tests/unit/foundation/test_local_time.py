"""Local time of a site (issue 13, item 2): IANA names only; typed wall-clock times read in the
site's zone; stored times shown without ISO noise."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.local_time import local_time, read_local, site_zone, zone_label

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize("name", ["Europe/London", "America/New_York", "UTC", "Asia/Kolkata"])
def test_iana_names_are_zones(name: str) -> None:
    assert site_zone(name).key == name


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "EST+5", "../etc/passwd", "+05:00"])
def test_anything_else_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        site_zone(name, "tz")
    assert refused.value.field == "tz" and "IANA" in refused.value.reason


def test_the_hour_repeated_when_clocks_go_back_reads_as_the_first() -> None:
    # 1 Nov 2026, 01:30 happens twice in New York (EDT UTC−4, then EST UTC−5; tz database):
    # the first is 05:30 UTC.
    typed = read_local(datetime(2026, 11, 1, 1, 30), NEW_YORK)
    assert typed.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_a_stored_time_reads_on_the_sites_clock_without_iso_noise() -> None:
    stored = datetime(2026, 12, 3, 15, 12, 7, 123456, tzinfo=UTC)
    # EST is UTC−05:00 in December (tz database, America/New_York).
    assert local_time(stored, NEW_YORK) == "03 Dec 2026 10:12"
    assert zone_label(stored, NEW_YORK) == "America/New_York (EST)"
