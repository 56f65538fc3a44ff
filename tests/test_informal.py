"""Informal care (agents/informal.py), loneliness (agents/loneliness.py) and their effects on moves."""

import dataclasses

import numpy as np
import pytest
from scipy.special import expit

from agents import care, informal, intention, kin, loneliness, search
from agents.model import DoorstroomModel
from agents.schedule import SCHEDULE
from sim.codes import (
    GECLUSTERD,
    HEAVY,
    LIMITATION,
    MODERATE,
    NONE,
    NOT_WAITING,
    NULTREDEN,
    OWNER,
    is_institution,
)
from sim.engine import setup_order
from sim.households import partner_of, present_persons, row_of
from sim.params import CareParams, LonelinessParams, MovingParams, Parameters, RunSettings
from sim.process import Process

SETTINGS = RunSettings(scale=0.004, seed=5, end_year=2026)


def _model(**groups) -> DoorstroomModel:
    p = Parameters()
    p = dataclasses.replace(p, **{g: dataclasses.replace(getattr(p, g), **v) for g, v in groups.items()})
    return DoorstroomModel(p, SETTINGS)


@pytest.fixture(scope="module")
def stepped():
    m = DoorstroomModel(Parameters(), SETTINGS)
    for _ in range(12):
        m.step()
    # later processes of a step (admission, unions, moves) change partners and children within
    # reach, which the next step's informal care sees: check right after it
    m.restrict_to(["ageing", "mortality", "care", "informal_care"])
    m.step()
    return m


def _check_carers(m: DoorstroomModel) -> None:
    """Carers only for persons in need at home, of a kind that is available to them."""
    hh = m.households
    flat = present_persons(hh)
    rows = row_of(flat)
    kind = informal.carer_kind(hh.carer.ravel()[flat])
    cared = kind != informal.NO_CARER
    assert cared.any()
    assert (hh.care.ravel()[flat][cared] >= LIMITATION).all()
    assert not is_institution(hh.dwelling[rows][cared]).any()
    partner = flat[kind == informal.PARTNER]
    assert hh.present.ravel()[partner_of(partner)].all()
    assert (hh.care.ravel()[partner_of(partner)] <= Parameters().informal.partner_max_care_state).all()
    assert hh.children_nearby[row_of(flat[kind == informal.CHILD])].all()
    # nobody outside the present persons has a carer
    assert not hh.carer.ravel()[~hh.present.ravel()].any()


def test_the_2025_carers_are_consistent(tiny_model):
    _check_carers(tiny_model)


def test_carers_stay_consistent_over_a_year(stepped):
    _check_carers(stepped)
    share = _year_value(stepped, "share_75plus_receiving_informal_care")
    assert 0.1 < share < 0.4
    assert _year_value(stepped, "informal_carers_per_person_in_need") < 1.0


def test_setup_order_waits_for_named_processes():
    calls = []

    def make(name, after=()):
        return Process(name, lambda ctx: None, setup=lambda ctx, n=name: calls.append(n), setup_after=after)

    procs = [make("a", ("c",)), Process("b", lambda ctx: None), make("c"), make("d", ("a",))]
    assert [p.name for p in setup_order(procs)] == ["c", "a", "d"]
    # a name without a set-up (or not in the schedule) is not waited for
    assert [p.name for p in setup_order([make("a", ("b", "zz")), Process("b", lambda ctx: None)])] == ["a"]
    with pytest.raises(ValueError, match="wait for each other"):
        setup_order([make("a", ("c",)), make("c", ("a",))])


def test_the_carers_set_up_after_the_kin_network():
    """The carers need the network's children_nearby: informal_care's set-up runs after kin's."""
    names = [p.name for p in setup_order(SCHEDULE)]
    assert names.index("kin") < names.index("informal_care")
    assert names.index("kin") < names.index("loneliness") < names.index("intention")


def test_fast_start_gives_everyone_in_need_the_best_carer():
    m = _model(informal={"start_per_year": (50.0, 50.0, 50.0), "overburden_per_hour_per_year": 0.0})
    m.restrict_to(["ageing", "mortality", "care", "informal_care"])
    for _ in range(3):  # a start probability of 1 - exp(-50 / 12) = 0.98 a step
        m.step()
    hh = m.households
    flat = present_persons(hh)
    rows = row_of(flat)
    need = (hh.care.ravel()[flat] >= LIMITATION) & ~is_institution(hh.dwelling[rows])
    kind = informal.carer_kind(hh.carer.ravel()[flat])
    assert (kind[need] != informal.NO_CARER).mean() > 0.99
    assert (kind[~need] == informal.NO_CARER).all()
    partner_ok = (hh.present.ravel()[partner_of(flat)] & (hh.shared_pid[rows] < 0)
                  & (hh.care.ravel()[partner_of(flat)] <= 1))
    # the best carer: the partner when able, else a child within reach, else someone else
    need &= kind != informal.NO_CARER
    assert (kind[need & partner_ok] == informal.PARTNER).all()
    assert (kind[need & ~partner_ok & hh.children_nearby[rows]] == informal.CHILD).all()
    assert (kind[need & ~partner_ok & ~hh.children_nearby[rows]] == informal.OTHER).all()
    assert not (hh.carer.ravel() & informal.OVERBURDENED).any()


def _year_value(m: DoorstroomModel, name: str, year: int = 2025) -> float:
    cols = m.indicator_columns()
    sel = (cols["indicator"] == name) & (cols["year"] == year)
    assert sel.sum() == 1, f"{name} {year}: {sel.sum()} records"
    return float(cols["value"][sel][0])


def test_burden_ends_care_and_a_heavy_receiver_weighs_registering_anew():
    m = _model(informal={"overburden_per_hour_per_year": 1.0, "overburdened_stop_per_year": 50.0})
    hh = m.households
    m.step()
    m.step()
    # heavy receivers whose carer stopped in this step had their wlz_step set to it
    heavy = np.flatnonzero(hh.present.ravel() & (hh.care.ravel() == HEAVY))
    assert (hh.wlz_step.ravel()[heavy] == m.step_index).any()
    for _ in range(10):
        m.step()
    assert _year_value(m, "informal_care_stopped_overburdened") > 0
    assert _year_value(m, "informal_carers_overburdened_share") > 0.3


def test_without_registration_factor_nobody_with_a_carer_registers():
    m = _model(informal={"registration_factor_with_carer": 0.0, "overburden_per_hour_per_year": 0.0})
    hh = m.households
    before = hh.wlz_wait_since.copy()
    for _ in range(6):
        m.step()
    flat = np.flatnonzero(hh.present.ravel() & (hh.care.ravel() == HEAVY)
                          & informal.carer_available(hh.carer.ravel()))
    assert len(flat) > 0
    newly = (hh.wlz_wait_since.ravel()[flat] != NOT_WAITING) & (before.ravel()[flat] == NOT_WAITING)
    # anyone registered since the start had no available carer when registering; the carers of
    # the heavy never end here (no burden), except by loss of the partner or child: allow those few
    assert newly.mean() < 0.05


def test_a_carer_slows_the_move_to_moderate_care():
    cp = CareParams()
    age = np.array([80.0, 80.0])
    state = np.array([LIMITATION, LIMITATION])
    h = care.transition_hazards(state, age, np.zeros(2, bool), np.ones(2, bool), cp,
                                np.array([False, True]), 0.6)
    assert h[1, MODERATE] == pytest.approx(0.6 * h[0, MODERATE])
    np.testing.assert_allclose(np.delete(h[1], MODERATE), np.delete(h[0], MODERATE))
    # the tables agree with the hazards
    p_event, cum, _ = care.step_tables(cp, 12, 0.6)
    idx = care.table_index(state, np.zeros(2, np.int8), np.ones(2, np.int8), np.array([960, 960]),
                           np.array([0, 1], np.int8))
    assert p_event[idx[1]] < p_event[idx[0]]


def test_logeerzorg_relieves_the_burden():
    """With logeerzorg, carers of persons with a Wlz indication stop less often."""
    stopped = {}
    for share in (0.0, 1.0):
        m = _model(policy={"logeerzorg_share": share, "logeerzorg_burden_factor": 0.1})
        for _ in range(12):
            m.step()
        hh = m.households
        flat = np.flatnonzero(hh.present.ravel() & (hh.care.ravel() == HEAVY))
        cared = informal.has_carer(hh.carer.ravel()[flat])
        stopped[share] = cared.mean()
        if share:
            assert (hh.carer.ravel()[flat[cared]] & informal.RESPITE).all()
        else:
            assert not (hh.carer.ravel() & informal.RESPITE).any()
    assert stopped[1.0] > stopped[0.0], stopped


def test_loneliness_intercepts_reproduce_the_prevalence():
    lp = LonelinessParams()
    rng = np.random.default_rng(1)
    n = 5000
    band = rng.integers(0, 3, n)
    x = rng.choice([0.0, np.log(2.3), np.log(6.0), np.log(2.3 * 6.0)], n)
    w = rng.uniform(50, 150, n)
    a = loneliness.solve_intercepts(band, x, w, lp)
    for b, target in enumerate(lp.prevalence_by_age):
        sel = band == b
        assert np.average(expit(a[b] + x[sel]), weights=w[sel]) == pytest.approx(target, abs=1e-9)


def test_loneliness_markov_chain_keeps_its_stationary_share():
    """A lonely person stays with r + (1 - r) p, another becomes lonely with (1 - r) p: the share stays p."""
    rng = np.random.default_rng(2)
    p, r = 0.12, 0.5
    state = rng.random(200_000) < p
    for _ in range(5):
        u = rng.random(len(state))
        state = u < np.where(state, r + (1 - r) * p, (1 - r) * p)
    assert state.mean() == pytest.approx(p, abs=0.004)


def test_the_2025_loneliness_by_age_and_situation(tiny_model):
    hh = tiny_model.households
    lp = tiny_model.params.loneliness
    ctx = tiny_model.contexts["loneliness"]
    flat = loneliness.followed(ctx)
    years = hh.age_months.ravel()[flat] // 12
    w = hh.weight[row_of(flat)]
    lonely = hh.lonely.ravel()[flat]
    for (lo, hi), target in zip(((65, 75), (75, 85), (85, 200)), lp.prevalence_by_age, strict=True):
        sel = (years >= lo) & (years < hi)
        assert np.average(lonely[sel], weights=w[sel]) == pytest.approx(target, abs=0.035)
    # persons living alone are lonelier than those with a partner
    alone = ~hh.present.ravel()[partner_of(flat)]
    assert lonely[alone].mean() > 1.5 * lonely[~alone].mean()
    # nobody under 65 is followed
    young = np.flatnonzero(hh.present.ravel() & (hh.age_months.ravel() < 65 * 12))
    assert not hh.lonely.ravel()[young].any()


def test_loneliness_raises_the_intention_and_the_wish_for_geclusterd(tiny_model):
    hh, dw = tiny_model.households, tiny_model.dwellings
    rows = intention.private_households(hh)[:2000]
    mp, lp = tiny_model.params.moving, tiny_model.params.loneliness
    x_def, x_may = intention.intention_logits(hh, dw, rows, 0, mp, lp)
    y_def, y_may = intention.intention_logits(hh, dw, rows, 0, mp)
    lonely = hh.lonely[rows].any(axis=1)
    assert lonely.any()
    np.testing.assert_allclose(x_def - y_def, lonely * lp.intention_effect[0])
    np.testing.assert_allclose(x_may - y_may, lonely * lp.intention_effect[1])
    # older households without a care need: geclusterd for the top share of the type draws
    n = 1000
    u = np.linspace(0, 0.999, n)
    dtype, _ = search.choose_target(np.full(n, NONE), np.full(n, 70), np.full(n, OWNER, np.int8), u,
                                    np.zeros(n), MovingParams(), np.ones(n, bool), 0.3)
    assert (dtype[u >= 0.7] == GECLUSTERD).all()
    plain, _ = search.choose_target(np.full(n, NONE), np.full(n, 70), np.full(n, OWNER, np.int8), u,
                                    np.zeros(n), MovingParams())
    assert (dtype[u < 0.7] == plain[u < 0.7]).all() and (plain == NULTREDEN).any()


def test_older_movers_come_within_reach_of_a_child():
    """With move_near_child_share 1, every older parent who moved within its province and has a child
    beyond reach there comes within reach of it; with 0, none does by the move."""
    near, moves = {}, {}
    for share in (0.0, 1.0):
        m = _model(network={"move_near_child_share": share})
        for _ in range(12):
            m.step()
        table: kin.Kin = m.contexts["kin"].memory["kin"]
        near[share] = int((table.active & table.near).sum())
        moves[share] = _year_value(m, "moves_nearer_children")
    assert near[1.0] > near[0.0]
    assert moves[0.0] == 0 and moves[1.0] > 0


def test_a_policy_keeps_the_2025_carers_and_loneliness():
    """Common random numbers: the set-up draws of carers and loneliness come from their own streams,
    so a policy (here logeerzorg, which acts on the carers) starts from the same state, and a policy
    that leaves care alone keeps the first year's carers of everyone (same draws by person id)."""
    base = DoorstroomModel(Parameters(), SETTINGS)
    policy = _model(policy={"logeerzorg_share": 0.5})
    np.testing.assert_array_equal(base.households.carer, policy.households.carer)
    np.testing.assert_array_equal(base.households.lonely, policy.households.lonely)
    other = _model(policy={"moving_allowance_eur": 2500.0})
    for m in (base, other):
        m.restrict_to(["ageing", "mortality", "care", "informal_care"])
        for _ in range(6):
            m.step()
    np.testing.assert_array_equal(base.households.carer, other.households.carer)
