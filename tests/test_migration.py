"""Migration by age: CBS's immigrants and emigrants by age, immigrant households with partners and
minors, recent immigrants who leave again, and the person ids that keep them apart."""

import numpy as np
import pytest

from agents import migration, mortality
from agents.model import DoorstroomModel
from sim.applicants import IMMIGRANT, STARTER
from sim.invariants import InvariantError
from sim.params import Parameters, RunSettings
from sim.population import (
    emigration_rates,
    migration_table,
    population_by_age,
    recent_immigrant_share,
)

CBS_2024 = {"immigrants": 323_309, "emigrants": 201_225}  # 85751NED, 2024 realised


def test_migration_table_keeps_cbs_totals_and_ages():
    lo, hi, imm, emig = migration_table()
    assert imm.sum() == CBS_2024["immigrants"] and emig.sum() == CBS_2024["emigrants"]
    assert (lo[1:] == hi[:-1] + 1).all() and lo[0] == 0, "age groups must be contiguous from 0"
    # the verified ten-year groups of 85751NED are kept as published
    assert imm[lo == 20][0] == 123_721 and emig[lo == 30][0] == 44_750


def test_emigration_rates_give_back_cbs_emigrants_on_the_2025_population():
    # rates per person of each age, times the persons of that age, are CBS's emigrants of 2024
    expected = emigration_rates() * population_by_age()
    assert expected.sum() == pytest.approx(CBS_2024["emigrants"], rel=1e-9)
    assert emigration_rates()[25] > 5 * emigration_rates()[75], "emigration is of the young"


def test_immigrant_mix_splits_persons_into_households_and_minors():
    tp = Parameters().turnover
    per_household, minors = migration.immigrant_mix(tp)
    lo, _, imm, _ = migration_table()
    adults = imm[lo >= 18].sum() / imm.sum()
    assert minors == pytest.approx(1 - adults)
    # every household has one adult, a share of them two: adults per immigrant is what CBS says
    assert per_household * (1 + tp.immigrant_couple_share) == pytest.approx(adults)


def test_recent_immigrant_share_is_a_share_and_young():
    share = recent_immigrant_share(Parameters().turnover)
    assert ((share >= 0) & (share <= 1)).all()
    assert share[25] > 0.05 and share[95] < share[25] / 5, f"25: {share[25]:.3f}, 95: {share[95]:.3f}"


@pytest.fixture(scope="module")
def first_year():
    model = DoorstroomModel(settings=RunSettings(scale=0.01, seed=3, end_year=2026))
    for _ in range(12):
        model.step()
    values = {name: v for year, name, v in model.records if year == 2025}
    return model, values


def test_immigrants_arrive_as_the_path_says_with_partners_and_minors(first_year):
    model, values = first_year
    tp = model.params.turnover
    path = migration.immigration_per_year(2025, tp)
    assert values["immigrants"] == pytest.approx(path, rel=0.05), (values["immigrants"], path)
    ap = model.applicants
    rows = np.flatnonzero(ap.kind[:ap.n] == IMMIGRANT)
    assert (ap.partner_pid[rows] >= 0).any() and (ap.n_children[rows] > 0).any()
    starters = np.flatnonzero(ap.kind[:ap.n] == STARTER)
    assert (ap.partner_pid[starters] < 0).all() and (ap.n_children[starters] == 0).all()


def test_emigration_in_the_first_year_is_near_cbs(first_year):
    _, values = first_year
    # 2024 realised 201,225; 2030 projected 241,717: the model's 2025 lies between, within 15%
    assert 0.85 * 201_225 < values["emigrants"] < 1.15 * 241_717, values["emigrants"]


def test_housed_immigrant_couples_keep_their_partner_and_minors():
    model = DoorstroomModel(settings=RunSettings(scale=0.01, seed=4, end_year=2026))
    for _ in range(6):
        model.step()
    hh = model.households
    recent = hh.active & (hh.arrived_step >= 0)
    assert recent.any(), "immigrants housed in the first months"
    assert hh.present[recent, 1].any() and (hh.n_children[recent] > 0).any()
    model.check_invariants()


class _Ctx:
    def __init__(self, ap):
        self.applicants = ap
        self.flows = {}
        self.record = self

    def flow(self, name, value):
        self.flows[name] = self.flows.get(name, 0.0) + value


def _applicants():
    """A model with two waiting immigrant households given partners and minors."""
    model = DoorstroomModel(settings=RunSettings(scale=0.002, seed=5, end_year=2026))
    model.step()
    ap = model.applicants
    couples = np.flatnonzero(ap.active[:ap.n])[:2]
    assert len(couples) == 2
    ap.kind[couples] = IMMIGRANT
    ap.partner_pid[couples] = model.new_person_ids(2)
    ap.partner_age_months[couples] = [30 * 12, 41 * 12]
    ap.n_children[couples] = [2, 0]
    return model, ap, couples


def test_a_dead_applicant_leaves_the_partner_as_applicant_with_the_minors():
    model, ap, couples = _applicants()
    a, b = couples[:2]
    partner_a, age_a, kids_a = ap.partner_pid[a], ap.partner_age_months[a], ap.n_children[a]
    ctx = _Ctx(ap)
    # a's applicant dies; b's partner dies
    mortality.applicant_deaths(ctx, np.array([a]), np.array([b]))
    assert ap.active[a] and ap.pid[a] == partner_a and ap.age_months[a] == age_a
    assert ap.partner_pid[a] == -1 and ap.n_children[a] == kids_a
    assert ap.active[b] and ap.partner_pid[b] == -1
    assert ctx.flows["deaths"] == pytest.approx(2 * float(ap.weight[a]))
    # now a's last adult dies: the applicant household ends
    mortality.applicant_deaths(ctx, np.array([a]), np.array([], np.int64))
    assert not ap.active[a]
    model.check_invariants()


def test_a_person_id_held_twice_breaks_the_invariants():
    model, ap, couples = _applicants()
    model.check_invariants()
    ap.partner_pid[couples[0]] = model.households.pid[0, 0]
    with pytest.raises(InvariantError, match="person id is held twice"):
        model.check_invariants()
