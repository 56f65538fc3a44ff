"""The housing market: invariants over whole runs, moves and chains, intentions, face validity."""

import numpy as np
import pytest

from agents.intention import care_mismatch
from agents.model import DoorstroomModel
from sim.codes import REGULAR, is_institution
from sim.params import RunSettings


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_invariants_hold_over_the_whole_horizon(seed):
    m = DoorstroomModel(settings=RunSettings(scale=0.002, seed=seed, end_year=2050), debug=True)
    m.run()  # check_invariants runs after every step and raises on the first violation
    chains = m.chains.chains_table()
    assert (chains["end_cause"] != "").all(), "every chain is ended or marked open at the end"
    links = m.chains.links_table()
    assert len(links["chain_id"]) > 1000, "a whole run makes many links"
    ends = set(chains["end_cause"].tolist())
    assert {"starter", "open"} <= ends, f"chains end with starters and stay open: {ends}"


@pytest.fixture(scope="module")
def run_2030():
    m = DoorstroomModel(settings=RunSettings(scale=0.01, seed=5, end_year=2030))
    m.run()
    return m, {(y, n): v for y, n, v in m.records}


@pytest.mark.slow
def test_intentions_2025_reproduce_woon(run_2030):
    _, v = run_2030
    targets = {"intention_definite_65_74": 0.04, "intention_maybe_65_74": 0.18,
               "intention_definite_75plus": 0.02, "intention_maybe_75plus": 0.12}
    for name, want in targets.items():
        got = v[(2025, name)]
        assert abs(got - want) < 0.006, f"{name} 2025: {got:.3f} vs WoON2015 {want}"
        later = np.mean([v[(y, name)] for y in range(2026, 2031)])
        assert abs(later - want) < 0.02, f"{name} 2026-2030: {later:.3f} vs WoON2015 {want}"


@pytest.mark.slow
def test_move_rates_of_cbs_order(run_2030):
    _, v = run_2030
    rate = np.mean([v[(y, "move_rate_65_74")] for y in range(2026, 2031)])
    assert 0.030 <= rate <= 0.042, f"move_rate_65_74 2026-2030 {rate:.4f}; CBS about 0.034-0.038"
    # at 75+ moves include admissions to a verpleeghuis: 56,000 a year (shared/sources/000), most of
    # them of persons aged 75+ (1.8 million in 2025), alone about 3% a year
    rate75 = np.mean([v[(y, "move_rate_75plus")] for y in range(2026, 2031)])
    admitted = np.mean([v[(y, "wlz_admissions")] / v[(y, "persons_75plus")] for y in range(2026, 2031)])
    assert admitted < rate75 <= admitted + rate, (
        f"move_rate_75plus {rate75:.4f}: expected the admissions ({admitted:.4f}) plus regular moves "
        f"below the 65-74 rate {rate:.4f}")


@pytest.mark.slow
def test_stock_and_waiting_lists_plausible(run_2030):
    _, v = run_2030
    for year in range(2025, 2031):
        assert 0.005 <= v[(year, "vacancy_rate")] <= 0.04, f"vacancy rate {year}"
        res, places = v[(year, "verpleeghuis_residents")], v[(year, "verpleeghuis_places")]
        assert res >= 0.95 * places, f"verpleeghuis {year}: {res:,.0f} of {places:,.0f} places"
    # 61,000 older people with a physical limitation not suitably housed (ABF 2021)
    assert 30_000 <= v[(2025, "limitation_not_stepfree")] <= 120_000
    # 18,000-22,000 waiting for a verpleeghuis place (2023-2025)
    assert 12_000 <= v[(2025, "verpleeghuis_waiting")] <= 30_000


@pytest.mark.slow
def test_flows_table_matches_moves(run_2030):
    m, v = run_2030
    cols = m.flow_columns()
    for year in range(2025, 2031):
        persons = cols["persons"][cols["year"] == year].sum()
        expected = v[(year, "moves_total")] - v[(year, "wlz_admissions")]
        assert abs(persons - expected) < 1e-6 * expected, f"flows {year}: {persons} vs {expected}"


@pytest.mark.slow
def test_links_follow_moves(run_2030):
    m, v = run_2030
    links = m.chains.links_table()
    chains = m.chains.chains_table()
    weight = dict(zip(chains["chain_id"].tolist(), chains["weight"].tolist(), strict=True))
    for year in (2026, 2028):
        in_year = links["year"] == year
        w = sum(weight[c] for c in links["chain_id"][in_year].tolist())
        housed = sum(v[(year, n)] for n in ("starters_housed", "immigrants_housed"))
        assert w >= housed, f"every starter and immigrant housed makes a link ({year})"


def test_a_move_is_a_link_that_continues_the_chain(tiny_model):
    m = tiny_model
    hh, dw = m.households, m.dwellings
    vacant = np.flatnonzero(dw.active & (dw.occupant < 0) & ~is_institution(dw.type))
    mover = np.flatnonzero(hh.active & (hh.dwelling == REGULAR))[0]
    target = vacant[0]
    old = hh.dwelling_id[mover]
    chain = dw.chain[target]
    m.steps = 1  # inside the first step
    m.occupancy.move(np.array([mover]), np.array([target]))
    assert hh.dwelling_id[mover] == target and dw.occupant[target] == mover, "mover moved in"
    assert dw.occupant[old] == -1, "the old dwelling is vacant"
    assert dw.chain[old] == chain and dw.chain[target] == -1, "the chain moved to the old dwelling"
    links = m.chains.links_table()
    assert links["chain_id"].tolist() == [chain], "one link, in the chain of the vacancy"
    m.check_invariants()


def test_care_mismatch_rules(tiny_model):
    hh, dw = tiny_model.households, tiny_model.dwellings
    row = np.flatnonzero(hh.active & (hh.dwelling == REGULAR) & ~hh.present[:, 1])[0]
    dw.step_free[hh.dwelling_id[row]] = False
    hh.care[row, 0] = 0
    assert not care_mismatch(hh, dw, np.array([row]))[0], "no need, no mismatch"
    hh.care[row, 0] = 1
    assert care_mismatch(hh, dw, np.array([row]))[0], "limitation in a home with stairs"
    dw.step_free[hh.dwelling_id[row]] = True
    assert not care_mismatch(hh, dw, np.array([row]))[0], "limitation in an adapted home"
    hh.care[row, 0] = 2
    assert care_mismatch(hh, dw, np.array([row]))[0], "moderate care needs care nearby"
