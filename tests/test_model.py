"""The model: determinism, invariants, common random numbers, time and phases."""

import copy

import numpy as np
import pytest
from conftest import SMALL

from agents.model import DoorstroomModel
from sim.params import ParameterError, Parameters, RunSettings
from sim.population import build_population
from sim.rates import step_probability
from sim.streams import RandomStreams, StreamReuseError


def _same(a, b) -> bool:
    ca, cb = a.indicator_columns(), b.indicator_columns()
    return (np.array_equal(ca["year"], cb["year"])
            and np.array_equal(ca["indicator"], cb["indicator"])
            and np.array_equal(ca["value"], cb["value"], equal_nan=True))


def test_same_seed_same_records(run_model):
    a, b = run_model(), run_model()
    assert _same(a, b), "two runs with the same seed must give identical indicators"
    assert a.chains.links_table()["chain_id"].tolist() == b.chains.links_table()["chain_id"].tolist()


def test_other_seed_other_records(run_model):
    a = run_model()
    b = run_model(settings=RunSettings(scale=0.002, seed=12, end_year=2029))
    assert not _same(a, b), "another seed must give other indicators"


def test_invariants_hold_every_step(run_model):
    m = run_model(debug=True)
    assert m.steps == m.total_steps, f"run stopped at step {m.steps} of {m.total_steps}"
    hh = m.households
    assert (hh.pid[hh.present] >= 0).all(), "a present adult without a person id"
    pids = hh.pid[hh.present]
    assert len(np.unique(pids)) == len(pids), "a person id appears twice"


def test_mesa_clock_and_process_order():
    m = DoorstroomModel(settings=SMALL)
    expected = ["ageing", "mortality", "care", "informal_care", "wlz_admission", "family", "union",
                "separation", "sharing", "hospitaverhuur", "migration", "building", "adaptation",
                "search", "allocation", "money", "prices", "kin", "loneliness", "intention",
                "building_programme", "verzorgingshuis_places", "pension", "accounting"]
    assert list(m.stepping) == expected, f"process order changed: {list(m.stepping)}"
    m.step()
    assert m.steps == 1 and m.time == 1.0, f"Mesa clock: steps {m.steps}, time {m.time}"
    assert m.year == 2025, f"first step is in 2025, got {m.year}"
    assert len(m.zorgkantoren) == 12, "one zorgkantoor per province"
    assert all(z in m.agents for z in m.zorgkantoren), "zorgkantoren are Mesa agents of the model"


def test_stocks_recorded_once_per_year_and_flows_summed(run_model):
    m = run_model()
    years = sorted({y for y, n, _ in m.records if n == "deaths"})
    assert years == list(range(2025, 2030)), f"flow years {years}"
    stocks = [y for y, n, _ in m.records if n == "persons_65plus"]
    assert stocks == list(range(2025, 2030)), f"stock years {stocks}"


def test_start_year_after_2025_records_only_later_years(run_model):
    m = run_model(settings=RunSettings(scale=0.002, seed=11, start_year=2027, end_year=2028))
    years = sorted({y for y, _, _ in m.records})
    assert years == [2027, 2028], f"recorded years {years}"


def test_steps_per_year_changes_step_not_rates(run_model):
    # annual deaths with monthly and quarterly steps agree within sampling noise
    monthly = run_model(settings=RunSettings(scale=0.004, seed=3, end_year=2026))
    quarterly = run_model(settings=RunSettings(scale=0.004, seed=3, end_year=2026, steps_per_year=4))
    d_m = sum(v for y, n, v in monthly.records if n == "deaths")
    d_q = sum(v for y, n, v in quarterly.records if n == "deaths")
    n_deaths = d_m * 0.004  # sample count
    assert abs(d_m - d_q) / d_m < 4 / np.sqrt(n_deaths), f"deaths monthly {d_m} quarterly {d_q}"


def test_step_probability_converts_annual_hazard():
    p = step_probability(np.array([0.0, 0.12, 1.0]), 12)
    assert p[0] == 0.0, "zero hazard, zero probability"
    assert abs(1 - (1 - p[1]) ** 12 - (1 - np.exp(-0.12))) < 1e-12, "12 steps compound to a year"
    assert p[2] < 1.0 / 12, "probability per step is below the rate per step"


def test_streams_are_independent_and_prefix_stable():
    s = RandomStreams(4, names=("mortality", "care"))
    a = s.uniform("mortality", 3, 100)
    b = s.uniform("mortality", 3, 1000)
    assert np.array_equal(a, b[:100]), "draws of id p must not depend on how many ids exist"
    c = s.uniform("care", 3, 100)
    assert not np.array_equal(a, c), "streams must differ"
    with pytest.raises(KeyError, match="unknown random stream"):
        s.uniform("mortalty", 0, 1)


def test_for_ids_draws_do_not_depend_on_the_other_ids():
    """The draw of an id in a sequential stream is its place in the stream, whoever else is asked."""
    s = RandomStreams(5)
    top = 400_000
    full = s.uniform("turnover", 7, top)
    rng = np.random.default_rng(3)
    cases = [
        np.arange(top - 50, top, dtype=np.int32),                   # new person ids: the highest
        rng.integers(0, top, 40),                                   # scattered
        np.array([top - 1, 5, top - 1, 5, 70_000]),                 # repeated, unsorted
    ]
    for ids in cases:
        assert np.array_equal(s.for_ids("turnover", 7, ids), full[ids]), f"draws differ for {ids[:5]}"


def test_for_few_draws_are_uniform_independent_and_a_function_of_the_id():
    """Counter-based draws: the same id gets the same draw whoever else is asked; the draws pass a
    uniformity test and are uncorrelated between neighbouring ids, streams, keys and steps."""
    from scipy import stats

    s = RandomStreams(5)
    n = 200_000
    ids = np.arange(n)
    full = s.for_few("turnover", 7, ids)
    rng = np.random.default_rng(3)
    for some in (rng.integers(0, n, 40), np.array([n - 1, 5, n - 1, 5]), np.arange(n - 30, n)):
        assert np.array_equal(s.for_few("turnover", 7, some), full[some])
    assert full.min() >= 0.0 and full.max() < 1.0
    assert stats.kstest(full, "uniform").pvalue > 1e-3, "draws must be uniform on [0, 1)"
    others = {
        "neighbouring ids": full[1:],
        "other stream": s.for_few("mortality", 7, ids)[:-1],
        "other key": s.for_few("turnover", 7, ids, key="b")[:-1],
        "next step": s.for_few("turnover", 8, ids)[:-1],
        "other seed": RandomStreams(6).for_few("turnover", 7, ids)[:-1],
    }
    bound = 5 / np.sqrt(n)  # five standard errors of a correlation of independent draws
    for what, other in others.items():
        assert abs(np.corrcoef(full[:-1], other)[0, 1]) < bound, f"draws correlate with {what}"
        assert not np.array_equal(full[:-1], other), f"draws repeat for {what}"
    # a pair of decisions rarely both fire together by chance: joint rate of two 10 % events
    joint = np.mean((full[:-1] < 0.1) & (others["other stream"] < 0.1))
    assert abs(joint - 0.01) < 5 * np.sqrt(0.01 * 0.99 / n)
    logged = RandomStreams(5, log=True)
    logged.for_few("turnover", 7, ids[:3])
    with pytest.raises(StreamReuseError, match="read twice"):
        logged.for_few("turnover", 7, ids[:3])
    with pytest.raises(StreamReuseError, match="one way only"):
        s.for_ids("turnover", 9, ids[:3])  # a counter-based stream read sequentially, any step
    with pytest.raises(StreamReuseError, match="one way only"):
        s.generator("turnover", 9)
    with pytest.raises(TypeError, match="integers"):
        s.for_few("turnover", 7, np.array([1.5]))
    assert s.for_few("turnover", 7, 5) == full[5], "a single id is drawn as an array of one"
    with pytest.raises(ValueError, match="seed"):
        RandomStreams(-1)


def test_common_random_numbers_across_scenarios():
    """More verpleeghuis places move people between rows, yet dementia onsets stay the same."""
    hh = build_population(0.003, seed=21)
    base = DoorstroomModel(None, RunSettings(scale=0.003, seed=21, end_year=2027),
                           households=copy.deepcopy(hh))
    more = DoorstroomModel(Parameters.from_dict({"wlz": {"verpleeghuis_places": 160_000}}),
                           RunSettings(scale=0.003, seed=21, end_year=2027),
                           households=copy.deepcopy(hh))
    base.run()
    more.run()
    adm = [sum(v for y, n, v in m.records if n == "wlz_admissions") for m in (base, more)]
    assert adm[1] > adm[0], f"the variant must admit more people: {adm}"

    def dementia_by_pid(m):
        h = m.households
        mask = h.present & h.active[:, None]
        return dict(zip(h.pid[mask].tolist(), h.dementia[mask].tolist(), strict=True))

    # new persons (starters, immigrants) are numbered in order of arrival, and arrivals differ once
    # households live in other rows: only the starting population is the same persons in both runs
    start = set(hh.pid[hh.present & hh.active[:, None]].tolist())
    a, b = dementia_by_pid(base), dementia_by_pid(more)
    both = set(a) & set(b) & start
    assert len(both) > 0.85 * len(a), "most persons are alive in both runs"
    differ = [p for p in both if a[p] != b[p]]
    assert not differ, f"{len(differ)} persons alive in both runs differ in dementia"


def test_dated_parameter_change_takes_effect_on_1_january():
    m = DoorstroomModel(settings=RunSettings(scale=0.002, seed=1, end_year=2028))
    m.schedule_parameter_change(2027, {"wlz": {"wants_admission_share": 1.0}})
    seen = {}  # values in force during the steps of each year
    while m.running:
        upcoming_year = 2025 + m.steps // m.settings.steps_per_year
        seen.setdefault(upcoming_year, set()).add(m.params.wlz.wants_admission_share)
        m.step()
    default = Parameters().wlz.wants_admission_share
    assert seen[2026] == {default}, f"the change must not act before 2027: {seen}"
    assert seen[2027] == {1.0} and seen[2028] == {1.0}, f"the change must act from 2027: {seen}"


def test_dated_change_is_validated_up_front():
    m = DoorstroomModel(settings=RunSettings(scale=0.002, seed=1, end_year=2028))
    with pytest.raises(ParameterError, match="below its minimum"):
        m.schedule_parameter_change(2027, {"wlz": {"wants_admission_share": -5}})
    with pytest.raises(ParameterError, match="change year 2030"):
        m.schedule_parameter_change(2030, {"wlz": {"wants_admission_share": 0.5}})
    with pytest.raises(ParameterError, match="read only when the model is built"):
        m.schedule_parameter_change(2027, {"wlz": {"verpleeghuis_places": 5}})
