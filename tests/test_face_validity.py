"""Face validity at national scale against published figures (one run, scale 0.01, 2025-2040)."""

import pytest

from agents.model import DoorstroomModel
from sim.params import RunSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def values():
    m = DoorstroomModel(settings=RunSettings(scale=0.01, seed=1, end_year=2040))
    m.run()
    return {(y, n): v for y, n, v in m.records}


def test_persons_75plus_2040_near_projection(values):
    # 2.6 million 75+ in 2040 (letter 2021, sources/003; nl_facts proj_pop_75plus, verified)
    got = values[(2040, "persons_75plus")]
    assert abs(got / 2_600_000 - 1) < 0.05, f"persons_75plus 2040 {got:,.0f} vs 2.6 million"


def test_deaths_per_year_of_cbs_order(values):
    # CBS: about 165,000-175,000 deaths per year in recent years; the model follows tracked adults
    for year in (2025, 2026, 2027):
        got = values[(year, "deaths")]
        assert 150_000 <= got <= 190_000, f"deaths {year}: {got:,.0f}"


def test_2025_stocks_in_published_ranges(values):
    assert 0.90 <= values[(2025, "share_75plus_independent")] <= 0.94
    assert 290_000 <= values[(2025, "dementia_persons")] <= 330_000


def test_widowhoods_of_cbs_order(values):
    # 63,908 persons widowed in 2023 (CBS, married only; the model also counts cohabitants)
    got = values[(2026, "widowhoods")]
    assert 55_000 <= got <= 100_000, f"widowhoods 2026: {got:,.0f}"


def test_verpleeghuis_stays_near_capacity(values):
    # 135,000 places (capacity frozen from 2022); admissions fill places freed by deaths
    for year in (2030, 2040):
        got = values[(year, "verpleeghuis_residents")]
        places = values[(year, "verpleeghuis_places")]
        assert 0.93 * places <= got <= places, f"residents {year}: {got:,.0f} of {places:,.0f}"
