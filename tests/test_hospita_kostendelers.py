"""Kostendelersnorm and hospitaverhuur: benefit formula, house sharing, lodgers (paired by seed)."""


import numpy as np
import pytest
from paired import SCENARIOS, SEEDS, paired, scenario_values

from agents.policies.kostendelersnorm import (
    household_bijstand_share,
    kostendeler_share,
    kostendelersnorm_applies,
)
from experiments.runner import run_scenario
from experiments.scenario import load_scenario, scenario_from_dict
from sim.codes import AOW_AIO, BIJSTAND
from sim.params import ParameterError, Parameters, RunSettings

NEW_INDICATORS = ("shared_households", "households_sharing_formed", "lodgers", "lodgers_housed",
                  "lodgers_returned", "hospita_rent_income_eur", "hospita_rent_above_exemption_eur")




@pytest.fixture(scope="module")
def runs():
    names = ("baseline", "kostendelersnorm_afschaffen", "hospitaverhuur")
    return {(n, s): scenario_values(n, s) for n in names for s in SEEDS}




def test_kostendeler_share_reproduces_nl_facts():
    # nl_facts kostendeler_bijstand_share_A1..A5 (szw.rijksopenheid.nl): share of the
    # gehuwdennorm per person for A = 1..5 co-residents aged 27+
    published = {1: 0.7, 2: 0.5, 3: 0.4333, 4: 0.4, 5: 0.38}
    for a, share in published.items():
        assert kostendeler_share(a) == pytest.approx(share, abs=5e-5), f"A = {a}"
    got = kostendeler_share(np.arange(1, 6))
    assert np.allclose(got, list(published.values()), atol=5e-5), f"vectorised: {got}"


def test_household_share_by_variant():
    # a couple keeps the gehuwdennorm, a single 70%; two housemates get 2 x 50% under the norm and
    # 2 x 70% without it; a lodger who counts makes a single's share 50%
    assert household_bijstand_share(2, True, 0, True, 0.7) == pytest.approx(1.0)
    assert household_bijstand_share(1, False, 0, True, 0.7) == pytest.approx(0.7)
    assert household_bijstand_share(2, False, 0, True, 0.7) == pytest.approx(1.0)
    assert household_bijstand_share(2, False, 0, False, 0.7) == pytest.approx(1.4)
    assert household_bijstand_share(1, False, 1, True, 0.7) == pytest.approx(0.5)
    benefit = np.array([BIJSTAND, AOW_AIO])
    assert kostendelersnorm_applies("current", benefit).tolist() == [True, True]
    assert kostendelersnorm_applies("abolished", benefit).tolist() == [False, False]
    assert kostendelersnorm_applies("exempt_older", benefit).tolist() == [True, False]


def test_bad_kostendelersnorm_value_is_rejected():
    for bad in ("afgeschaft", 3):
        with pytest.raises(ParameterError, match="current.*abolished.*exempt_older"):
            Parameters.from_dict({"policy": {"kostendelersnorm": bad}})
    with pytest.raises(ParameterError, match="allowed values"):
        scenario_from_dict({"scenario": {"name": "x"}, "policy": {"kostendelersnorm": "none"}})
    assert Parameters.from_dict({"policy": {"kostendelersnorm": "exempt_older"}}).policy \
        .kostendelersnorm == "exempt_older"


@pytest.mark.slow
def test_baseline_has_no_sharing_or_lodgers(runs):
    for s in SEEDS:
        for y in range(2025, 2031):
            for name in NEW_INDICATORS:
                v = runs[("baseline", s)][(y, name)]
                assert v == 0.0, f"seed {s}, {y}: baseline {name} = {v}"


def test_inactive_levers_leave_the_baseline_unchanged():
    """Levers that only act with hospitaverhuur or with sharing do not change the baseline."""
    settings = RunSettings(scale=0.004, seed=1, end_year=2026)
    base, _ = run_scenario(scenario_from_dict({"scenario": {"name": "b"}}), settings)
    other, _ = run_scenario(scenario_from_dict({
        "scenario": {"name": "o"},
        "policy": {"hospita_tenants_allowed": True, "lodger_counts_for_kostendelersnorm": True,
                   "hospita_rent_eur_month": 900.0, "sharing_per_year": 0.5}}), settings)
    a = {(y, n): v for y, n, v in base.records}
    b = {(y, n): v for y, n, v in other.records}
    assert a.keys() == b.keys()
    diff = [k for k in a if not (a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])))]
    assert not diff, f"inactive levers changed the baseline: {diff[:5]}"


@pytest.mark.slow
def test_abolishing_kostendelersnorm_gives_more_shared_households(runs):
    shared = paired(runs, "kostendelersnorm_afschaffen", "shared_households")
    formed = paired(runs, "kostendelersnorm_afschaffen", "households_sharing_formed")
    assert shared > 0, f"abolishing the norm must raise shared_households: {shared:,.0f}"
    assert formed > 0, f"abolishing the norm must form shared households: {formed:,.0f}"


@pytest.mark.slow
def test_hospitaverhuur_houses_more_starters(runs):
    lodged = paired(runs, "hospitaverhuur", "lodgers_housed")
    assert lodged > 0, f"hospitaverhuur must house lodgers: {lodged:,.0f}"
    housed = lodged + paired(runs, "hospitaverhuur", "starters_housed")
    assert housed > 0, f"starters housed including lodgers must rise: {housed:,.0f}"
    waiting = paired(runs, "hospitaverhuur", "applicants_waiting")
    assert waiting < 0, f"hospitaverhuur must shorten the applicant pool: {waiting:,.0f}"
    rent = paired(runs, "hospitaverhuur", "hospita_rent_income_eur")
    assert rent > 0, f"hosts must receive rent: {rent:,.0f}"
    for s in SEEDS:
        assert runs[("hospitaverhuur", s)][(2030, "lodgers")] > 0, f"seed {s}: no lodgers in 2030"


@pytest.mark.parametrize("name", ["kostendelersnorm_afschaffen", "hospitaverhuur"])
def test_debug_run_holds_invariants(name):
    """Invariants every step, and persons are neither lost nor duplicated by sharing and lodging."""
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    model, _ = run_scenario(scenario, RunSettings(scale=0.004, seed=1, end_year=2027), debug=True)
    hh, ap = model.households, model.applicants
    adults = hh.pid[hh.present & hh.active[:, None]]
    lodgers = hh.lodger_pid[hh.active & (hh.lodger_pid >= 0)]
    waiting = ap.pid[ap.active]
    everyone = np.concatenate([adults, lodgers, waiting])
    assert len(np.unique(everyone)) == len(everyone), "a person is in two places"
    if name == "hospitaverhuur":
        assert len(lodgers) > 0, "no lodgers in the debug run"
        until = hh.lodger_until[hh.active & (hh.lodger_pid >= 0)]
        spy = model.settings.steps_per_year
        assert (until - model.step_index <= 5 * spy).all(), "a contract longer than 5 years"
