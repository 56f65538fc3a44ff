"""mesa.batch_run on the doorstroom model (experiments.mesa_batch.BatchModel).

batch_run sets the multiprocessing start method to "spawn" for the whole process at every call (even
with number_processes=1), so every call here runs in one process and the start method is restored
afterwards, leaving the other tests' pools as they were.
"""

import itertools
import multiprocessing
from contextlib import contextmanager

import mesa
import numpy as np
import pytest

from experiments.mesa_batch import INDICATORS, BatchModel
from experiments.runs import run_one
from experiments.scenario import load_scenario, scenario_from_dict
from sim.params import ParameterError, RunSettings

SCALE = 0.001  # about 8,000 households: fast, and enough for the search parameter to show
END_YEAR = 2026  # two simulated years, 2025 and 2026
SEEDS = [1, 2]
SEARCH = "moving__search_start_definite_per_year"
SEARCH_VALUES = [0.0, 12.0]  # per year: no search start, and the upper bound of the parameter


@contextmanager
def start_method_kept():
    """Runs a block that calls batch_run and puts the previous start method back afterwards."""
    before = multiprocessing.get_start_method(allow_none=True)
    try:
        yield
    finally:
        multiprocessing.set_start_method(before, force=True)


def batch(parameters, **kwargs):
    """batch_run of BatchModel in this process, quiet, start method restored."""
    with start_method_kept():
        return mesa.batch_run(BatchModel, parameters=parameters, number_processes=1,
                              display_progress=False, **kwargs)


@pytest.fixture(scope="module")
def rows():
    """2 seeds x 2 values of the search-start hazard, one row per year."""
    return batch({"scale": SCALE, "end_year": END_YEAR, SEARCH: SEARCH_VALUES}, rng=SEEDS,
                 max_steps=1000, data_collection_period=1)


def plain_values(scenario, seed: int, end_year: int = END_YEAR) -> dict[tuple[int, str], float]:
    """(year, indicator) -> value of a plain run (experiments.runs.run_one) of the same seed."""
    cols = run_one(scenario, RunSettings(scale=SCALE, seed=seed, end_year=end_year))
    return {(int(y), n): float(v) for y, n, v in zip(cols["year"], cols["indicator"], cols["value"],
                                                     strict=True)}


def test_one_row_per_seed_value_and_year_with_the_keywords(rows):
    years = list(range(2025, END_YEAR + 1))
    assert len(rows) == len(SEEDS) * len(SEARCH_VALUES) * len(years)
    assert sorted((r["seed"], r[SEARCH], r["year"]) for r in rows) == sorted(
        itertools.product(SEEDS, SEARCH_VALUES, years))
    for r in rows:
        assert r["scale"] == SCALE and r["end_year"] == END_YEAR and r["rng"] == r["seed"]
        assert r["Step"] == (r["year"] - 2024) * 12  # collected after the year's last month
        assert set(INDICATORS) <= set(r)
    assert {"verpleeghuis_waiting", "move_rate_65_74", "starters_housed", "cost_wmo_eur"} <= set(INDICATORS)


def test_rows_equal_a_plain_run_with_the_same_seed_and_parameters(rows):
    for seed, value in itertools.product(SEEDS, SEARCH_VALUES):
        scenario = scenario_from_dict({"moving": {"search_start_definite_per_year": value}})
        plain = plain_values(scenario, seed)
        mine = [r for r in rows if r["seed"] == seed and r[SEARCH] == value]
        assert len(mine) == END_YEAR - 2025 + 1
        for r in mine:
            got = np.array([r[name] for name in INDICATORS])
            want = np.array([plain[(r["year"], name)] for name in INDICATORS])
            np.testing.assert_array_equal(got, want, err_msg=f"seed {seed}, {SEARCH}={value}, {r['year']}")


def test_the_search_start_hazard_changes_the_move_rate(rows):
    rate = {(r["seed"], r[SEARCH], r["year"]): r["move_rate_65_74"] for r in rows}
    for seed, year in itertools.product(SEEDS, range(2025, END_YEAR + 1)):
        # measured at this scale: 0.016-0.028 per year without search starts, 0.047-0.061 at 12 per year
        assert rate[(seed, 12.0, year)] > 1.5 * rate[(seed, 0.0, year)] > 0


def test_a_scenario_file_with_dated_changes_matches_run_scenario(scenario_dir):
    path = scenario_dir / "doorstroom.toml"  # dated change of 2027
    got = batch({"scenario": str(path), "scale": SCALE, "end_year": 2027}, rng=[3],
                data_collection_period=1)
    plain = plain_values(load_scenario(path), 3, end_year=2027)
    assert [r["year"] for r in got] == [2025, 2026, 2027]
    for r in got:
        np.testing.assert_array_equal([r[n] for n in INDICATORS], [plain[(r["year"], n)] for n in INDICATORS])


def test_running_ends_at_the_horizon_and_max_steps_counts_months():
    model = BatchModel(scale=SCALE, end_year=2025, rng=4)
    assert model.running
    while model.running:
        model.step()
    assert model.steps == 12 == model.total_steps  # end_year 2025, monthly: 12 steps
    df = model.datacollector.get_model_vars_dataframe()
    assert list(df["year"]) == [2025] and np.isfinite(df["move_rate_65_74"]).all()
    # 18 months: 2025 is closed, 2026 is cut short and gives no row
    cut = batch({"scale": SCALE, "end_year": END_YEAR}, rng=[4], max_steps=18, data_collection_period=1)
    assert [r["year"] for r in cut] == [2025] and cut[0]["Step"] == 12.0


def test_iterations_give_fresh_seeds():
    with pytest.warns(DeprecationWarning, match="iterations"):
        got = batch({"scale": SCALE, "end_year": 2025}, iterations=2)
    assert len(got) == 2 and [r["rng"] for r in got] == [None, None]
    assert got[0]["seed"] != got[1]["seed"]


@pytest.mark.parametrize("key", ["accept_probability", "moving.accept_probability", "moving__no_such",
                                 "nogroup__accept_probability"])
def test_an_unknown_keyword_names_itself_and_the_valid_form(key):
    with pytest.raises(ParameterError, match="group__name|moving__accept_probability") as err:
        batch({"scale": SCALE, "end_year": 2025, key: 0.5}, rng=[1])
    assert repr(key) in str(err.value)


def test_a_bad_value_of_a_known_parameter_is_refused():
    with pytest.raises(ParameterError, match="accept_probability"):
        BatchModel(scale=SCALE, end_year=2025, rng=1, moving__accept_probability=1.5)


@pytest.mark.parametrize("rng", [np.random.default_rng(1), 1.5, -1, [1, 2], True, 2**63])
def test_a_seed_other_than_an_integer_is_refused(rng):
    with pytest.raises(ParameterError, match="rng = .*expected an integer seed"):
        BatchModel(scale=SCALE, end_year=2025, rng=rng)


def test_seed_is_an_alias_of_rng_and_numpy_integers_are_accepted():
    assert BatchModel(scale=SCALE, end_year=2025, seed=5).settings.seed == 5
    assert BatchModel(scale=SCALE, end_year=2025, rng=np.int64(6)).settings.seed == 6
    with pytest.raises(ParameterError, match="either rng or seed"):
        BatchModel(scale=SCALE, end_year=2025, rng=1, seed=2)
