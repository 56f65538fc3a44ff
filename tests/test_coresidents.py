"""Adult co-residents whose ages are followed, and the kostendelersnorm that counts those aged 27+."""

import numpy as np
import pytest

from agents import money
from agents.model import DoorstroomModel
from experiments.scenario import scenario_from_dict
from sim.codes import AOW_AIO, BIJSTAND, WORK
from sim.households import (
    CORESIDENT_SLOTS,
    NO_CORESIDENT,
    Households,
    add_coresidents,
    coresidents_from_age,
    coresidents_tracked,
    move_coresidents,
    remove_coresidents,
)
from sim.params import Parameters, RunSettings
from sim.population import build_population

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


def _households(n: int) -> Households:
    hh = Households(capacity=n)
    hh.append({"weight": np.ones(n, np.float32)})
    return hh


def test_add_remove_and_move_keep_counts_and_ages():
    hh = _households(3)
    add_coresidents(hh, np.array([0, 1]), np.array([-300, -100]))
    add_coresidents(hh, np.array([0]), np.array([-400]))
    assert hh.n_coresidents.tolist() == [2, 1, 0]
    assert coresidents_from_age(hh, None, 0, 27).tolist() == [1, 0, 0]  # -400: 33 years, -300: 25
    assert coresidents_from_age(hh, None, 24, 27).tolist() == [2, 0, 0]  # two years on: 27 and 35
    born = remove_coresidents(hh, np.array([0]), np.array([1]))
    assert born.tolist() == [-400] and hh.n_coresidents[0] == 1
    move_coresidents(hh, np.array([2]), np.array([0]))
    assert hh.n_coresidents.tolist() == [0, 1, 1]
    assert sorted(hh.coresident_birth_month[2][hh.coresident_birth_month[2] != NO_CORESIDENT]) == [-300]
    assert (hh.coresident_birth_month[0] == NO_CORESIDENT).all()


def test_a_co_resident_beyond_the_slots_is_counted_without_an_age():
    hh = _households(1)
    for k in range(CORESIDENT_SLOTS + 1):
        add_coresidents(hh, np.array([0]), np.array([-400 - k]))
    assert hh.n_coresidents[0] == CORESIDENT_SLOTS + 1
    assert coresidents_tracked(hh).tolist() == [CORESIDENT_SLOTS]
    # the fifth is the one without an age (slot -1)
    assert remove_coresidents(hh, np.array([0]), np.array([-1])).tolist() == [NO_CORESIDENT]
    assert coresidents_tracked(hh).tolist() == [CORESIDENT_SLOTS]


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.floats(0, 0.999)),
                           max_size=40))
def test_random_sequences_keep_the_multiset_of_ages(ops):
    """Adds, removals and moves between three households keep every followed age exactly once."""
    hh = _households(3)
    ages: list[int] = []
    counter = 0
    for op, row, u in ops:
        r = row % 3
        if op == 0:
            counter += 1
            if coresidents_tracked(hh, [r])[0] < CORESIDENT_SLOTS:
                ages.append(-counter)  # a fifth is counted without an age
            add_coresidents(hh, np.array([r]), np.array([-counter]))
        elif op == 1 and hh.n_coresidents[r] > 0:
            used = np.flatnonzero(hh.coresident_birth_month[r] != NO_CORESIDENT).tolist()
            if hh.n_coresidents[r] > len(used):
                used.append(-1)
            slot = used[int(u * len(used))]
            born = remove_coresidents(hh, np.array([r]), np.array([slot]))[0]
            if born != NO_CORESIDENT:
                ages.remove(int(born))
        elif op == 2:
            other = (r + 1) % 3
            free = CORESIDENT_SLOTS - coresidents_tracked(hh, [other])[0]
            moving = [int(b) for b in hh.coresident_birth_month[r] if b != NO_CORESIDENT]
            for b in moving[free:]:
                ages.remove(b)  # no slot left in the other household: counted without an age
            move_coresidents(hh, np.array([other]), np.array([r]))
            assert hh.n_coresidents[r] == 0
        slots = hh.coresident_birth_month
        assert sorted(slots[slots != NO_CORESIDENT].tolist()) == sorted(ages)
        assert (coresidents_tracked(hh) <= hh.n_coresidents).all()


def test_population_co_residents_have_the_ages_of_the_position_table():
    hh = build_population(0.003, seed=4)
    tracked = coresidents_tracked(hh)
    assert (tracked == np.minimum(hh.n_coresidents, CORESIDENT_SLOTS)).all()
    born = hh.coresident_birth_month[hh.coresident_birth_month != NO_CORESIDENT]
    age = -born / 12
    # the position table has co-residents from 18 to 54 (none from 55 on)
    assert age.min() >= 18 and age.max() < 55
    assert 0.2 < (age >= 27).mean() < 0.8
    # the rest of the population does not depend on the co-residents' ages (their own sub-stream)
    same = build_population(0.003, seed=4)
    np.testing.assert_array_equal(same.coresident_birth_month, hh.coresident_birth_month)


def _model(policy: dict | None = None) -> DoorstroomModel:
    sc = scenario_from_dict({"scenario": {"name": "t"}, "policy": policy or {}})
    return DoorstroomModel(sc.parameters(), RunSettings(scale=0.002, seed=3, end_year=2025))


@pytest.mark.parametrize("variant", ["current", "abolished", "exempt_older"])
def test_the_norm_counts_co_residents_from_27(variant):
    """A bijstand single with a co-resident of 27 receives 2 x 0.5 / 2 = 0.5 of the gehuwdennorm
    under the norm (kostendeler_share(2) = 0.5), 0.7 without it or with one of 26; an AIO single
    loses the same cut from its supplement, except under exempt_older."""
    model = _model({"kostendelersnorm": variant})
    hh = model.households
    rows = np.flatnonzero(hh.active & ~hh.present[:, 1])[:4]
    hh.benefit[rows] = [BIJSTAND, BIJSTAND, AOW_AIO, WORK]
    hh.coresident_birth_month[rows] = NO_CORESIDENT
    hh.n_coresidents[rows] = 1
    hh.coresident_birth_month[rows, 0] = [-27 * 12, -26 * 12 - 11, -27 * 12, -40 * 12]
    ctx = model.contexts["money"]
    cp = model.params.costs
    got = money.statutory_benefits(ctx, rows)
    cut = variant != "abolished"
    assert got[0] == pytest.approx((0.5 if cut else 0.7) * cp.bijstand_couple_eur_year)
    assert got[1] == pytest.approx(0.7 * cp.bijstand_couple_eur_year)
    aio_cut = 0.2 * cp.bijstand_couple_eur_year if variant == "current" else 0.0
    assert got[2] == pytest.approx(cp.aow_single_eur_year
                                   + max(0.0, cp.aio_supplement_eur_year - aio_cut))
    assert got[3] == 0.0
    factor = money.leave_home_factor(model.contexts["family"], rows)
    if variant == "abolished":
        assert factor is None
    else:
        assert factor[0] > 1.0 and factor[1] == 1.0 and factor[3] == 1.0
        assert (factor[2] > 1.0) == (variant == "current")


def test_no_leave_home_response_without_sensitivity():
    params = Parameters.from_dict({"money": {"kostendeler_leave_sensitivity": 0.0}})
    model = DoorstroomModel(params, RunSettings(scale=0.002, seed=3, end_year=2025))
    hh = model.households
    rows = np.flatnonzero(hh.active & (hh.benefit == BIJSTAND)
                          & (coresidents_from_age(hh, None, 0, 27) > 0))
    assert len(rows), "no bijstand household with a co-resident of 27+ in the sample"
    factor = money.leave_home_factor(model.contexts["family"], rows)
    assert factor is None or (factor == 1.0).all()


@pytest.mark.slow
def test_households_under_the_norm_are_counted_and_vanish_when_it_is_abolished():
    """The 2025 baseline has bijstand and AIO households under the norm (published: about 12% of
    about 429,000 bijstand recipients, nl_facts share_bijstand_under_kostendelersnorm); none when the
    norm is abolished."""
    counts = {}
    for variant in ("current", "abolished"):
        sc = scenario_from_dict({"scenario": {"name": "t"}, "policy": {"kostendelersnorm": variant}})
        model = DoorstroomModel(sc.parameters(), RunSettings(scale=0.005, seed=1, end_year=2025))
        model.run()
        counts[variant] = {n: v for y, n, v in model.records if y == 2025}
    assert 5_000 < counts["current"]["households_under_kostendelersnorm"] < 100_000
    assert counts["abolished"]["households_under_kostendelersnorm"] == 0
    assert counts["current"]["coresidents_27plus"] > 100_000


def test_leave_home_hazards_follow_age_and_the_norm():
    """Co-residents of 24 leave more often than those of 40; a cut household's co-resident of 30
    more often than the same co-resident without the norm."""
    from agents import family

    probs = {}
    for variant in ("current", "abolished"):
        model = _model({"kostendelersnorm": variant})
        hh = model.households
        rows = np.flatnonzero(hh.active & ~hh.present[:, 1])[:2]
        hh.benefit[rows] = BIJSTAND
        hh.coresident_birth_month[rows] = NO_CORESIDENT
        hh.n_coresidents[rows] = [2, 1]
        hh.coresident_birth_month[rows[0], :2] = [-24 * 12, -40 * 12]
        hh.coresident_birth_month[rows[1], 0] = -30 * 12
        probs[variant] = family.leave_home_probabilities(model.contexts["family"], rows)[0]
    tp = Parameters().turnover
    p = probs["abolished"]
    assert p[0, 0] > p[0, 1] > 0 and p[0, 2:].sum() == 0
    # bands <20, 20-21, 22-23, 24-26, 27-29, 30-34, 35+
    rates = np.asarray(tp.leave_home_by_age_per_year) * tp.leave_home_level
    assert p[0, 0] == pytest.approx(1 - np.exp(-rates[3] / 12))
    assert p[0, 1] == pytest.approx(1 - np.exp(-rates[6] / 12))
    assert p[1, 0] == pytest.approx(1 - np.exp(-rates[5] / 12))
    cut = probs["current"]
    assert cut[1, 0] > p[1, 0] and cut[0, 1] > p[0, 1] and cut[0, 0] == pytest.approx(p[0, 0])
