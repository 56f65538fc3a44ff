"""Verzorgingshuis reintroduction (issue 4): places are built and filled with eligible persons only,
residents move on to the verpleeghuis when they register, and the waiting list gets shorter (paired by
seed against the baseline)."""

import numpy as np
import pytest
from conftest import SCENARIO_DIR as SCENARIOS

from agents import admission
from experiments.runner import run_scenario
from experiments.scenario import load_scenario
from sim.codes import REGIE, VERPLEEGHUIS, VERZORGINGSHUIS
from sim.params import RunSettings

SEEDS = (1, 2)
YEARS = range(2026, 2031)
INDICATORS = ("verzorgingshuis_places", "verzorgingshuis_residents", "verzorgingshuis_admissions",
              "verzorgingshuis_places_built", "cost_verzorgingshuis_eur")


def _run(name: str, seed: int, end_year: int = 2030, debug: bool = False):
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    model, _ = run_scenario(scenario, RunSettings(scale=0.004, seed=seed, end_year=end_year),
                            debug=debug)
    return model


@pytest.fixture(scope="module")
def runs():
    return {(n, s): {(y, i): v for y, i, v in _run(n, s).records}
            for n in ("baseline", "verzorgingshuis") for s in SEEDS}


def _paired(runs, indicator):
    """Mean over seeds and years 2026-2030 of the verzorgingshuis scenario minus the baseline."""
    return float(np.mean([runs[("verzorgingshuis", s)][(y, indicator)]
                          - runs[("baseline", s)][(y, indicator)] for s in SEEDS for y in YEARS]))


@pytest.mark.slow
def test_baseline_has_no_verzorgingshuis(runs):
    for s in SEEDS:
        for y in range(2025, 2031):
            for name in INDICATORS:
                assert runs[("baseline", s)][(y, name)] == 0, f"seed {s} {y}: baseline {name}"


@pytest.mark.slow
def test_places_are_built_towards_the_total_and_filled(runs):
    for s in SEEDS:
        v = runs[("verzorgingshuis", s)]
        assert v[(2026, "verzorgingshuis_places")] == 0, "no places before the first year"
        places = v[(2030, "verzorgingshuis_places")]
        # 39,000 places, rounded per province to sample rows of 250 (scale 0.004)
        assert 36_000 <= places <= 39_000 + 250, f"seed {s}: {places:,.0f} places in 2030"
        residents = v[(2030, "verzorgingshuis_residents")]
        assert 0.8 * places <= residents <= places, f"seed {s}: {residents:,.0f} residents"
        assert v[(2028, "verzorgingshuis_admissions")] > 0
    cost = _paired(runs, "cost_verzorgingshuis_eur")
    resid = _paired(runs, "verzorgingshuis_residents")
    # EUR 7,400 per resident-year: the yearly cost is of the order of the residents times 7,400
    assert 0.5 * resid * 7_400 < cost < 2.0 * resid * 7_400, f"cost {cost:,.0f}, residents {resid:,.0f}"


@pytest.mark.slow
def test_residents_are_not_independent(runs):
    diff = _paired(runs, "share_75plus_independent")
    assert diff < 0, f"verzorgingshuis residents must not count as independent: {diff:.4f}"


def test_only_eligible_persons_admitted_and_invariants_hold(monkeypatch):
    """Debug run (invariants checked every step); every admission to a verzorgingshuis is of a person
    with loss of regie, without a partner, aged 65+, living outside an institution."""
    seen = []
    original = admission.admit_to_places

    def spy(ctx, rows, slots, places, place_type):
        hh = ctx.households
        if place_type == VERZORGINGSHUIS:
            assert (ctx.dwellings.type[places] == VERZORGINGSHUIS).all()
            assert (hh.care[rows, slots] == REGIE).all(), "admitted without loss of regie"
            assert not hh.present[rows, 1 - slots].any(), "admitted with a partner"
            assert (hh.age_months[rows, slots] >= 65 * 12).all(), "admitted under 65"
            assert not np.isin(hh.dwelling[rows], (VERPLEEGHUIS, VERZORGINGSHUIS)).any()
            seen.append(len(rows))
        return original(ctx, rows, slots, places, place_type)

    monkeypatch.setattr(admission, "admit_to_places", spy)
    model = _run("verzorgingshuis", 3, end_year=2027, debug=True)
    assert sum(seen) > 0, "nobody was admitted to a verzorgingshuis"
    hh = model.households
    rows = np.flatnonzero(hh.active & (hh.dwelling == VERZORGINGSHUIS))
    assert len(rows) > 0
    assert not hh.present[rows, 1].any(), "a verzorgingshuis resident lives with a partner"
    assert (hh.search_since[rows] == np.iinfo(np.int32).min).all(), "a resident searches a dwelling"


@pytest.mark.slow
def test_waiting_list_shorter(runs):
    """Residents reaching heavy care register less often (Wlz care in the verzorgingshuis,
    ``verzorgingshuis_wlz_stay_share`` 0.1 in the scenario), so fewer wait for a verpleeghuis."""
    diff = _paired(runs, "verpleeghuis_waiting")
    assert diff < 0, f"the verzorgingshuis must shorten the verpleeghuis waiting list: {diff:,.0f}"
    moved_on = _paired(runs, "wlz_admissions")
    assert moved_on <= 250, f"verpleeghuis admissions must not rise: {moved_on:,.0f}"
