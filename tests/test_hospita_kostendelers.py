"""Kostendelersnorm and hospitaverhuur: benefit formula, house sharing, lodgers (paired by seed)."""


import numpy as np
import pytest
from paired import SCENARIOS, SEEDS, paired, scenario_values

from agents import money
from agents.model import DoorstroomModel
from agents.policies import hospitaverhuur
from agents.policies.kostendelersnorm import (
    household_bijstand_share,
    kostendeler_share,
    kostendelersnorm_applies,
)
from experiments.runner import run_scenario
from experiments.scenario import load_scenario, scenario_from_dict
from sim.applicants import STARTER
from sim.codes import AOW, AOW_AIO, BIJSTAND, WORK
from sim.params import ParameterError, Parameters, RunSettings

NEW_INDICATORS = ("shared_households", "households_sharing_formed", "lodgers", "lodgers_housed",
                  "lodgers_returned", "hospita_rent_income_eur", "hospita_rent_above_exemption_eur",
                  "hospita_income_tax_eur")




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


def _hospita_model(policy: dict, money: dict | None = None, scale: float = 0.002) -> DoorstroomModel:
    data = {"scenario": {"name": "t"}, "policy": {"hospitaverhuur": True, **policy}}
    if money:
        data["money"] = money
    sc = scenario_from_dict(data)
    return DoorstroomModel(sc.parameters(), RunSettings(scale=scale, seed=3, end_year=2025))


def test_host_gain_is_the_rent_less_tax_above_the_exemption_and_a_benefit_cut():
    """Below the kamerverhuurvrijstelling the gain is the whole rent; above it the part above is taxed
    at the host's rate; a bijstand host loses the cut when the lodger counts for the norm."""
    m = _hospita_model({"hospita_rent_eur_month": 400.0, "lodger_counts_for_kostendelersnorm": True})
    ctx = m.contexts["hospitaverhuur"]
    hh = m.households
    rows = np.flatnonzero(hh.active & ~hh.present[:, 1] & (hh.n_coresidents == 0))[:3]
    hh.benefit[rows] = [WORK, AOW, BIJSTAND]
    gain = hospitaverhuur.host_gain_share(ctx, rows)
    disposable = money.Household(ctx, rows).disposable
    np.testing.assert_allclose(gain[:2] * disposable[:2], 4_800.0)
    cp = m.params.costs
    # a single on bijstand with a lodger who counts: 0.7 -> 0.5 of the gehuwdennorm
    assert gain[2] * disposable[2] == pytest.approx(max(0.0, 4_800.0 - 0.2 * cp.bijstand_couple_eur_year))
    high = _hospita_model({"hospita_rent_eur_month": 800.0})
    ctx = high.contexts["hospitaverhuur"]
    high.households.benefit[rows] = [WORK, AOW, BIJSTAND]
    gain = hospitaverhuur.host_gain_share(ctx, rows) * money.Household(ctx, rows).disposable
    above = 9_600.0 - cp.kamerverhuurvrijstelling_eur_year
    mp = high.params.money
    np.testing.assert_allclose(gain, [9_600 - mp.income_tax_rate_working_age * above,
                                      9_600 - mp.income_tax_rate_aow_age * above,
                                      9_600 - mp.income_tax_rate_working_age * above])


def _starters_taking_a_room(policy: dict, money_params: dict | None = None) -> np.ndarray:
    """The decision of 2,000 starters, spread over the provinces, waiting at the start."""
    model = _hospita_model(policy, money_params)
    n = 2_000
    rows = model.applicants.append({
        "weight": np.ones(n, np.float32), "kind": np.full(n, STARTER, np.int8),
        "pid": np.arange(10**6, 10**6 + n, dtype=np.int32), "region": (np.arange(n) % 12).astype(np.int8)})
    return hospitaverhuur.starter_takes_room(model.contexts["hospitaverhuur"], rows)


def test_starters_weigh_a_room_dearer_than_their_alternative():
    """A room no dearer than the province's mean private market rent (about 1,200 EUR a month in
    2025) is always taken; a dearer one with the acceptance of its extra cost over a starter's income."""
    assert _starters_taking_a_room({"hospita_rent_eur_month": 400.0}).all()
    took = _starters_taking_a_room({"hospita_rent_eur_month": 1_500.0})
    assert 0.2 < took.mean() < 0.8
    assert took.mean() > _starters_taking_a_room({"hospita_rent_eur_month": 2_000.0}).mean()
    assert _starters_taking_a_room({"hospita_rent_eur_month": 1_500.0},
                                   {"accept_cost_sensitivity": 0.0}).all()


def test_no_hosts_without_a_gain():
    """With a zero rent no household takes a lodger: take-up runs through the gain only."""
    sc = scenario_from_dict({"scenario": {"name": "t"},
                             "policy": {"hospitaverhuur": True, "hospita_rent_eur_month": 0.0}})
    model, _ = run_scenario(sc, RunSettings(scale=0.003, seed=1, end_year=2026))
    assert sum(v for y, n, v in model.records if n == "lodgers_housed") == 0
