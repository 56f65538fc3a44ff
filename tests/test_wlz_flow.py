"""The Wlz system as a flow: registration responds to the expected wait, so the queue stays a queue."""

import numpy as np
import pytest

from experiments.runner import run_scenario
from experiments.scenario import scenario_from_dict
from sim.params import RunSettings

SCALE = 0.004
END = 2032


def _run(wlz: dict, seed: int = 1) -> dict:
    scenario = scenario_from_dict({"scenario": {"name": "wlz_probe"}, "wlz": wlz})
    model, _ = run_scenario(scenario, RunSettings(scale=SCALE, seed=seed, end_year=END))
    return {(y, n): v for y, n, v in model.records}


CUT = {"capacity_path_years": [2026, 2027], "capacity_path_places": [135_000.0, 110_000.0]}


SEEDS = (1, 2, 3)
"""Seeds of the growth comparison: a list's yearly growth at this scale varies from seed to seed
(the ratio with / without the response ranged from 0.3 to 0.8 over seeds 1-5), so it is pooled."""


@pytest.fixture(scope="module")
def runs():
    out = {"base": _run({}), "cut": _run(CUT),
           "cut_no_response": _run(CUT | {"registration_half_wait_months": 120.0})}
    for seed in SEEDS[1:]:
        out[f"cut/{seed}"] = _run(CUT, seed)
        out[f"cut_no_response/{seed}"] = _run(CUT | {"registration_half_wait_months": 120.0}, seed)
    return out


@pytest.mark.slow
def test_fewer_places_lengthen_the_expected_wait(runs):
    base = runs["base"][(END, "verpleeghuis_expected_wait_months")]
    cut = runs["cut"][(END, "verpleeghuis_expected_wait_months")]
    assert cut > base, f"25,000 fewer places must lengthen the expected wait: {cut:.1f} <= {base:.1f}"


@pytest.mark.slow
def test_registration_responds_so_the_list_stays_bounded(runs):
    with_response = [runs["cut"][(y, "verpleeghuis_waiting")] for y in range(2028, END + 1)]
    without = [runs["cut_no_response"][(y, "verpleeghuis_waiting")] for y in range(2028, END + 1)]
    assert with_response[-1] < 0.7 * without[-1], (
        f"with the waiting response the list must stay well below the list without it: "
        f"{with_response[-1]:,.0f} vs {without[-1]:,.0f}")
    # without a response the list grows more from the cut on (pooled over SEEDS). From 2028 on the
    # list without a response nears the level where deaths on it balance registrations, and its growth
    # over 2028-2032 varies from seed to seed more than the response changes it (scale 0.02, 6 seeds:
    # 79,900 and 80,250 in 2032 for results versions 37 and 38), so the growth is taken from 2027.
    def growth(name: str) -> float:
        keys = [name] + [f"{name}/{seed}" for seed in SEEDS[1:]]
        return float(np.mean([runs[k][(END, "verpleeghuis_waiting")] - runs[k][(2027, "verpleeghuis_waiting")]
                              for k in keys])) / (END - 2027)
    growth_with, growth_without = growth("cut"), growth("cut_no_response")
    assert growth_with < 0.8 * growth_without, (
        f"yearly growth of the list {growth_with:,.0f} with the response vs {growth_without:,.0f} "
        f"(mean of seeds {SEEDS})")


@pytest.mark.slow
def test_the_places_stay_full_and_admissions_follow_the_deaths(runs):
    for y in range(2028, END + 1):
        places = runs["cut"][(y, "verpleeghuis_places")]
        residents = runs["cut"][(y, "verpleeghuis_residents")]
        # a province's place waits for its own waiting list: a few stay vacant at this small scale
        # (the lowest fill of 2028-2032 ranged 0.95-0.99 over seeds 1-14, results version 37)
        assert residents >= 0.94 * places, f"{y}: {residents:,.0f} residents in {places:,.0f} places"
    admissions = sum(runs["base"][(y, "wlz_admissions")] for y in range(2028, END + 1))
    deaths = sum(runs["base"][(y, "deaths_in_institution")] for y in range(2028, END + 1))
    assert abs(admissions / deaths - 1) < 0.05, (
        f"with full places admissions {admissions:,.0f} must follow deaths {deaths:,.0f}")
