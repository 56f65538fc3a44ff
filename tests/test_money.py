"""Money (agents/money.py): huurtoeslag, housing cost, the cost of an offer, and the doorstroom levers."""

import numpy as np
import pytest
from chunked import assert_same_indicators, whole_and_chunked
from hypothesis import given, settings
from hypothesis import strategies as st

from agents import money
from agents.model import DoorstroomModel
from agents.policies import verzorgingshuis
from experiments.scenario import scenario_from_dict
from sim.codes import OWNER, PRIVATE, SOCIAL
from sim.params import CostParams, MoneyParams, Parameters, RunSettings

MP = MoneyParams()


def test_huurtoeslag_by_hand():
    """A single at the floor income: the rent above the minimum basishuur up to the quality limit in
    full, 65% of it up to the capping limit, 40% above it for one and two persons (at any age), nothing
    above the maximum rent, nothing above the capping limit for three persons or more."""
    basis, quality = MP.huurtoeslag_min_basishuur_eur_month, MP.huurtoeslag_quality_limit_eur_month
    cap1, cap3 = MP.huurtoeslag_capping_limits_eur_month
    floor = MP.huurtoeslag_income_floor_eur_year
    rents = np.array([150.0, 400.0, 600.0, 800.0, 800.0, 950.0, 720.0, 760.0])
    aow = np.array([False, False, False, False, True, True, False, False])
    persons = np.array([1, 1, 1, 1, 1, 1, 3, 3])
    got = money.huurtoeslag_month(rents, np.full(8, floor), persons, aow, MP)
    top = quality - basis + 0.65 * (cap1 - quality) + 0.4 * (800 - cap1)
    expected = [0.0, 400 - basis, quality - basis + 0.65 * (600 - quality), top, top, 0.0,
                quality - basis + 0.65 * (720 - quality), quality - basis + 0.65 * (cap3 - quality)]
    assert 720 < cap3 < 760
    np.testing.assert_allclose(got, expected)


def test_huurtoeslag_reproduces_the_published_2025_example():
    """A single of 27 at EUR 900 rent: EUR 498 a month at EUR 22,000 income, none at EUR 46,500
    (Metro and NOS, January 2025; the parameters are derived from it, see MoneyParams)."""
    got = money.huurtoeslag_month(np.array([900.0, 900.0]), np.array([22_000.0, 46_500.0]), np.ones(2),
                                  np.zeros(2, bool), MP)
    assert got[0] == pytest.approx(498.0, abs=1.0)
    assert got[1] == pytest.approx(0.0, abs=1.0)


def test_huurtoeslag_tapers_off_with_income_and_never_goes_negative():
    gross = np.linspace(0, 80_000, 81)
    toeslag = money.huurtoeslag_month(np.full(81, 650.0), gross, np.ones(81), np.zeros(81, bool), MP)
    assert (toeslag >= 0).all() and (np.diff(toeslag) <= 1e-9).all()
    assert toeslag[0] > 300 and toeslag[-1] == 0
    # the basishuur rises by the taper: EUR 1,200 more income a year costs taper x 100 a month
    a, b = money.huurtoeslag_month(np.array([650.0, 650.0]), np.array([25_000.0, 26_200.0]),
                                   np.ones(2), np.zeros(2, bool), MP)
    assert a - b == pytest.approx(MP.huurtoeslag_taper * 100)


def test_income_tax_and_disposable_income_by_hand():
    """2025 box 1: a single worker at EUR 45,000 pays 35.82% to EUR 38,441 and 37.48% above, less the
    algemene heffingskorting (3,068 - 6.337% above 28,406) and the arbeidskorting (5,599 - 6.51% above
    43,071), and 5% premiums; a single at AOW age with only the AOW pays no tax (its credits exceed
    17.92%) and 5.65% Zvw; bijstand stays at its net norm; a couple is taxed on two halves."""
    from sim.codes import AOW, BIJSTAND, WORK

    tax = 0.3582 * 38_441 + 0.3748 * (45_000 - 38_441)
    tax -= (3_068 - 0.06337 * (45_000 - 28_406)) + (5_599 - 0.0651 * (45_000 - 43_071))
    single = money.net_income(np.array([45_000.0]), np.array([WORK]), MP, np.array([1]))[0]
    assert single == pytest.approx(45_000 - tax - 0.05 * 45_000, abs=0.01)
    aow = CostParams().aow_single_eur_year
    assert money.net_income(np.array([aow]), np.array([AOW]), MP)[0] == pytest.approx(aow * (1 - 0.0565))
    assert money.net_income(np.array([20_000.0]), np.array([BIJSTAND]), MP)[0] == pytest.approx(
        20_000 * MP.net_share_working_age)
    couple = money.net_income(np.array([90_000.0]), np.array([WORK]), MP, np.array([2]))[0]
    assert couple == pytest.approx(2 * single)
    # the same income grown by the year's level is taxed alike (brackets and credits are indexed)
    grown = money.net_income(np.array([45_000.0 * 1.2]), np.array([WORK]), MP, np.array([1]), 1.2)[0]
    assert grown == pytest.approx(1.2 * single)


@given(st.floats(0.0, 3e5), st.floats(0.0, 3e5), st.sampled_from([0, 1, 2]), st.sampled_from([1, 2]))
@settings(max_examples=200, deadline=None)
def test_more_gross_income_never_leaves_less_disposable_income(a, b, benefit, adults):
    """Disposable income rises with gross income for workers and at AOW age (no marginal rate of 100%
    or more), and is never negative."""
    lo, hi = sorted((a, b))
    net = money.net_income(np.array([lo, hi]), np.array([benefit, benefit]), MP, np.array([adults, adults]))
    assert net[0] >= 0.0 and net[1] >= net[0] - 1e-6


def test_housing_cost_of_tenants_owners_and_institutions():
    cost = money.housing_cost_month(np.array([SOCIAL, PRIVATE, OWNER, 3]), np.array([1000.0, 1000.0, 0, 0]),
                                    np.array([0, 0, 400_000.0, 0]), np.full(4, 90_000.0), np.ones(4),
                                    np.zeros(4, bool), MP)
    eo, et = MP.energy_eur_month
    np.testing.assert_allclose(cost, [1000 + et, 1000 + et, 400_000 * MP.owner_cost_share_per_year / 12 + eo,
                                      et])


def test_regional_market_rents_are_weighted_means_by_province_and_tenure():
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.003, seed=1, end_year=2025))
    dw = model.dwellings
    table = money.regional_market_rents(dw)
    ids = np.flatnonzero(dw.active[:dw.n] & (dw.region[:dw.n] == 3) & (dw.tenure[:dw.n] == SOCIAL))
    mean = np.average(dw.market_rent_eur_month[ids], weights=dw.weight[ids])
    assert table[3, SOCIAL] == pytest.approx(mean)
    assert (table[:, OWNER] == 0).all() and (table[:, SOCIAL] > 0).all()


def test_regional_owner_values_are_weighted_means_over_owner_dwellings():
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.003, seed=1, end_year=2025))
    dw = model.dwellings
    dw.active[:7] = False  # dwellings out of the stock weigh nothing
    values = money.regional_owner_values(dw)
    owned = np.flatnonzero(dw.active[:dw.n] & (dw.tenure[:dw.n] == OWNER))
    for region in (0, 5):
        ids = owned[dw.region[owned] == region]
        mean = np.average(dw.value_eur[ids].astype(np.float64), weights=dw.weight[ids].astype(np.float64))
        assert values[region] == pytest.approx(mean, rel=1e-9)
    # the same sums in the same order as over the owner-occupied dwellings alone: equal to the bit
    w = dw.weight[owned].astype(np.float64)
    n = int(dw.region.max()) + 1
    alone = (np.bincount(dw.region[owned], w * dw.value_eur[owned], minlength=n)
             / np.maximum(np.bincount(dw.region[owned], w, minlength=n), 1e-12))
    assert np.array_equal(values, alone)


def test_weighted_median():
    assert money.weighted_median(np.array([3.0, 1.0, 2.0]), np.ones(3)) == 2.0
    assert money.weighted_median(np.array([1.0, 5.0]), np.array([1.0, 3.0])) == 5.0
    assert np.isnan(money.weighted_median(np.array([]), np.array([])))
    # equal weights take the selection path: the same element as the sorted cumulative rule
    rng = np.random.default_rng(1)
    for n in (1, 2, 3, 10, 11, 1001):
        v, w = rng.random(n), np.full(n, 3.0)
        order = np.argsort(v, kind="stable")
        cum = np.cumsum(w[order])
        assert money.weighted_median(v, w) == v[order][np.searchsorted(cum, 0.5 * cum[-1])]



def _run(policy: dict, prices: dict | None = None, seed: int = 2, end: int = 2027):
    data = {"scenario": {"name": "t"}, "policy": policy}
    if prices:
        data["prices"] = prices
    sc = scenario_from_dict(data)
    model = DoorstroomModel(sc.parameters(), RunSettings(scale=0.003, seed=seed, end_year=end))
    model.run()
    model.check_invariants()
    return model


def _moves(model):
    records = {(y, n): v for y, n, v in model.records}
    return {k: v for k, v in records.items() if k[1].startswith(("moves", "move_rate", "chain"))}


@pytest.mark.slow
def test_keeping_the_rent_acts_only_through_the_rent_jump():
    """With every social rent equal and no re-let rise, nobody's rent jumps when moving within social
    rent: keeping the rent then changes nothing. With the default prices the corporations forgo rent
    and the moves change (no hidden multiplier: the effect is the rent). The mean rent change of older
    movers is not a test of it: keeping the rent also lets older tenants take dearer dwellings that
    passend toewijzen bars at the full rent, which changes who moves where."""
    flat = {"rent_dispersion_sigma": 0.0, "rooms_elasticity": 0.0, "relet_rent_rise": 0.0}
    base = _run({}, flat)
    kept = _run({"keep_rent": True}, flat)
    assert _moves(kept) == _moves(base)
    assert all(v == 0 for (_, n), v in {(y, n): v for y, n, v in kept.records}.items()
               if n == "keep_rent_forgone_eur")
    base, kept = _run({}), _run({"keep_rent": True})
    rec_k = {(y, n): v for y, n, v in kept.records}
    assert sum(rec_k[(y, "keep_rent_forgone_eur")] for y in (2025, 2026, 2027)) > 0
    assert _moves(kept) != _moves(base)


@pytest.mark.slow
def test_cost_does_not_matter_without_sensitivity():
    """With no weight on cost in accepting or starting a search, and aftoppingsgrenzen so high that
    passend toewijzen never binds, the doorstroom money levers change no move at all: they act only
    through what a household pays."""
    data = {"scenario": {"name": "t"},
            "money": {"accept_cost_sensitivity": 0.0, "search_cost_sensitivity": 0.0,
                      "huurtoeslag_capping_limits_eur_month": [5000.0, 5000.0]}}
    runs = []
    for policy in ({}, {"keep_rent": True, "moving_allowance_eur": 5000.0}):
        sc = scenario_from_dict(data | {"policy": policy})
        model = DoorstroomModel(sc.parameters(), RunSettings(scale=0.003, seed=1, end_year=2026))
        model.run()
        runs.append(_moves(model))
    assert runs[0] == runs[1]


def test_money_indicators_of_the_2025_baseline():
    """Households with huurtoeslag within 15% of about 1.5 million (2025, ANP on the voorjaarsnota,
    secondary); owners' median woonquote within 3 points of CBS's 16.6% (2022, all ages)."""
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.005, seed=1, end_year=2025))
    model.run()
    rec = {n: v for y, n, v in model.records if y == 2025}
    assert rec["huurtoeslag_households"] == pytest.approx(1.5e6, rel=0.15), rec["huurtoeslag_households"]
    assert abs(rec["woonquote_median_owners"] - 0.166) < 0.03, rec["woonquote_median_owners"]
    assert rec["cost_huurtoeslag_eur"] > 0


def _verzorgingshuis(huurtoeslag: bool, extra: dict | None = None, end: int = 2025):
    data = {"scenario": {"name": "v"},
            "policy": {"verzorgingshuis_places_total": 39_000.0, "verzorgingshuis_places_per_year": 10_000.0,
                       "verzorgingshuis_rent_eur_month": 550.0, "verzorgingshuis_service_eur_month": 300.0,
                       "verzorgingshuis_huurtoeslag": huurtoeslag}}
    data.update(extra or {})
    return DoorstroomModel(scenario_from_dict(data).parameters(),
                           RunSettings(scale=0.004, seed=1, end_year=end))


def test_what_a_verzorgingshuis_resident_pays():
    """Rent plus service costs; with the switch less the huurtoeslag of a one-person household."""
    gross = np.array([18_000.0, 25_000.0, 60_000.0])
    aow = np.ones(3, bool)
    without = verzorgingshuis.resident_cost_month(_verzorgingshuis(False).contexts["wlz_admission"],
                                                  gross, aow)
    np.testing.assert_allclose(without[0], 850.0)
    assert (without[1] == 0).all()
    cost, toeslag = verzorgingshuis.resident_cost_month(_verzorgingshuis(True).contexts["wlz_admission"],
                                                        gross, aow)
    expected = money.huurtoeslag_month(np.full(3, 550.0), gross, np.ones(3), aow, MP)
    np.testing.assert_allclose(toeslag, expected)
    np.testing.assert_allclose(cost, 850.0 - toeslag)
    assert toeslag[0] > toeslag[1] > 0 and toeslag[2] == 0


@pytest.mark.slow
def test_huurtoeslag_makes_more_eligible_persons_take_a_verzorgingshuis_place():
    """The cost of a place keeps some eligible persons out; huurtoeslag lowers it and with it the
    number who decline; without any weight on cost nobody declines."""
    declined = {}
    for name, args in (("without", (False,)), ("with", (True,)),
                       ("no weight", (False, {"money": {"accept_cost_sensitivity": 0.0}}))):
        model = _verzorgingshuis(*args, end=2028)
        model.run()
        declined[name] = sum(v for y, n, v in model.records if n == "verzorgingshuis_declined_on_cost"
                             and y >= 2026)
    assert declined["without"] > declined["with"] > 0
    assert declined["no weight"] == 0


def test_tenure_sought_follows_the_income_limit_and_the_mortgage():
    """Above the DAEB income limit a household seeks private rent, not social; one that cannot borrow
    the province's mean owner value seeks rent instead of buying; a rich owner still buys."""
    from sim.codes import WORK

    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=3, end_year=2025))
    hh = model.households
    single = hh.active & ~hh.present[:, 1] & (hh.n_children == 0) & (hh.n_coresidents == 0)
    renter = np.flatnonzero(single & (hh.tenure == SOCIAL))[:2]
    owner = np.flatnonzero(single & (hh.tenure == OWNER))[:1]
    rows = np.concatenate([renter, owner])
    hh.benefit[rows] = WORK
    hh.age_months[rows, 0] = 40 * 12
    hh.income_eur_year[rows] = [80_000.0, 30_000.0, 400_000.0]
    ctx = model.contexts["search"]
    got = money.affordable_tenure(ctx, rows, np.array([SOCIAL, OWNER, OWNER]))
    assert got.tolist() == [PRIVATE, SOCIAL, OWNER]
    # the same households prefer rent: the low income may have social rent
    got = money.affordable_tenure(ctx, rows, np.array([SOCIAL, SOCIAL, PRIVATE]))
    assert got.tolist() == [PRIVATE, SOCIAL, PRIVATE]


def test_passend_toewijzen_bars_dear_social_lets_to_the_huurtoeslag_target_group():
    cap1 = MP.huurtoeslag_capping_limits_eur_month[0]
    m = money.Household.of(MP, np.array([0, 0, 0, 0]), np.array([20_000.0, 80_000.0, 20_000.0, 20_000.0]),
                           np.ones(4, np.int64), np.full(4, SOCIAL), np.full(4, 600.0), np.zeros(4), 1.0, 1.0)
    got = money.passend_refused(m, np.arange(4), np.array([SOCIAL, SOCIAL, SOCIAL, PRIVATE]),
                                np.array([cap1 + 50, cap1 + 50, cap1 - 50, cap1 + 50]), MP)
    assert got.tolist() == [True, False, False, False]


def test_incomes_follow_widowhood_separation_and_union():
    """A widowed pensioner keeps half its pension plus the 70% partner pension, a widowed earner half;
    a separated partner takes half the couple's own income into its next home; a joiner's income
    comes along into the host's household."""
    from agents.mortality import apply_deaths
    from sim.applicants import SEPARATED
    from sim.codes import AOW_PENSION, WORK

    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=3, end_year=2025))
    hh = model.households
    couple = np.flatnonzero(hh.active & hh.present[:, 0] & hh.present[:, 1] & (hh.shared_pid < 0)
                            & (hh.dwelling < 4))[:3]
    hh.benefit[couple] = [AOW_PENSION, WORK, WORK]
    hh.income_eur_year[couple] = 40_000.0
    apply_deaths(model.contexts["mortality"], couple[:2], np.array([1, 0]))
    earnings, pension = Parameters().money.survivor_income_share
    assert hh.income_eur_year[couple[:2]].tolist() == pytest.approx([40_000 * pension, 40_000 * earnings])
    assert pension == pytest.approx(0.5 + 0.5 * 0.70)

    ctx = model.contexts["separation"]
    ap = model.applicants
    before = ap.n
    share = Parameters().money.separation_income_share
    row = couple[2:]
    ctx.occupancy.separate(row, np.array([1]), {"income_eur_year": np.array([40_000 * share], np.float32)})
    assert ap.kind[before] == SEPARATED and ap.income_eur_year[before] == pytest.approx(40_000 * share)
    columns = applicants_household_columns(model, np.array([before]))
    assert columns["income_eur_year"].tolist() == pytest.approx([40_000 * share])
    # an applicant without an income of its own (a starter) still gets the starter's earnings
    ap.income_eur_year[before] = -1.0
    ap.benefit[before] = WORK
    starter = applicants_household_columns(model, np.array([before]))["income_eur_year"]
    assert starter.tolist() == pytest.approx([Parameters().population.starter_income_eur_year])

    singles = np.flatnonzero(hh.active & hh.present[:, 0] & ~hh.present[:, 1] & (hh.dwelling < 4))[:2]
    hh.income_eur_year[singles] = [10_000.0, 15_000.0]
    model.contexts["union"].occupancy.merge(singles[:1], singles[1:], with_dependants=True)
    assert hh.income_eur_year[singles[0]] == pytest.approx(25_000.0)


def applicants_household_columns(model, idx):
    from agents import applicants

    return applicants.household_columns(model.contexts["allocation"], idx)


def test_separation_splits_the_own_income_in_a_run():
    """In a run, a separating couple's own income is split: the household keeps the other half."""
    from agents import separation

    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=3, end_year=2025))
    hh = model.households
    couples = np.flatnonzero(hh.active & hh.present[:, 0] & hh.present[:, 1] & (hh.shared_pid < 0)
                             & (hh.dwelling < 4))
    hh.income_eur_year[couples] = 30_000.0
    hh.age_months[couples] = 30 * 12  # young couples separate most
    ctx = model.contexts["separation"]
    before = model.applicants.n
    for _ in range(24):
        separation.separation(ctx)
    new = np.arange(before, model.applicants.n)
    assert len(new) > 0
    split = couples[~hh.present[couples, 1]]
    assert hh.income_eur_year[split].tolist() == pytest.approx([15_000.0] * len(split))
    assert model.applicants.income_eur_year[new].tolist() == pytest.approx([15_000.0] * len(new))


def test_savings_follow_the_sourced_medians_and_count_for_buying():
    """2025 savings have the medians of savings_median_eur by tenure and age; savings close the gap
    between what a household may borrow and the price of a home."""
    from sim.households import oldest_age_months
    from sim.population import SAVINGS_AGE_YEARS

    model = DoorstroomModel(Parameters(), RunSettings(scale=0.005, seed=3, end_year=2025))
    hh, pp = model.households, model.params.population
    age = oldest_age_months(hh) // 12
    private = hh.active & (hh.dwelling < 4)
    bands = np.searchsorted(np.asarray(SAVINGS_AGE_YEARS), age, side="right")
    for owner in (False, True):
        for band in range(3):
            sel = private & ((hh.tenure == OWNER) == owner) & (bands == band)
            median = pp.savings_median_eur[band + 3 * owner]
            assert np.median(hh.savings_eur[sel]) == pytest.approx(median, rel=0.12), (owner, band)
    gross = np.array([50_000.0, 50_000.0])
    m = money.Household.of(MP, np.zeros(2, np.int8), gross, np.ones(2, np.int64), np.full(2, SOCIAL),
                           np.full(2, 700.0), np.zeros(2), 1.0, 1.0, 0.0, np.array([0.0, 60_000.0]))
    price = MP.mortgage_income_multiples[0] * 50_000.0 + 50_000.0
    got, bound, _ = money.tenure_within_means(np.full(2, OWNER), m, np.full(2, price), MP)
    assert bound.tolist() == [True, False] and got[1] == OWNER


def test_an_owner_who_moves_to_rent_keeps_the_equity_as_savings():
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.005, seed=3, end_year=2026))
    hh = model.households
    owner = np.flatnonzero(hh.active & (hh.tenure == OWNER))
    # households are followed by their number (rows are renumbered at year ends); the first adult
    # the same person
    hid, pid, savings = hh.hid[owner].copy(), hh.pid[owner, 0].copy(), hh.savings_eur[owner].copy()
    model.run()
    at = np.minimum(np.searchsorted(hid, hh.hid), len(hid) - 1)  # hid ascends with the rows
    rows = np.flatnonzero(hh.active & (hid[at] == hh.hid) & (pid[at] == hh.pid[:, 0])
                          & (hh.tenure != OWNER) & (hh.dwelling < 4))
    assert len(rows) > 3
    assert (hh.savings_eur[rows] > savings[at[rows]] + 10_000).all()


def test_no_place_planned_means_nobody_declines_one():
    """Without verzorgingshuis places the declined count is 0, not missing, so a comparison of the
    policy with the baseline has a paired difference."""
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=3, end_year=2026))
    model.run()
    declined = [v for y, n, v in model.records if n == "verzorgingshuis_declined_on_cost"]
    assert declined == [0.0, 0.0]


def test_the_yearly_money_in_chunks_gives_the_same_indicators(monkeypatch):
    """agents.money.money computes the households' money in chunks of rows: the indicators are the
    same whatever the chunk (each row's figures depend on the row alone)."""
    whole, chunked = whole_and_chunked(monkeypatch, money, "MONEY_CHUNK",
                                       RunSettings(scale=0.002, seed=3, end_year=2025))
    assert_same_indicators(whole, chunked)
