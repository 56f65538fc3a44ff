import dataclasses
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from experiments import ema
from experiments.ema import (
    SCENARIO_LEVER,
    batch_outcomes,
    describe,
    ema_model,
    ema_name,
    parameter_label,
)
from experiments.runs import run_one
from experiments.scenario import scenario_from_dict
from sim.params import ParameterError, RunSettings, parameter_table

with warnings.catch_warnings():
    # ema_workbench warns at import that ipyparallel is not installed; the tests use the sequential
    # evaluator only
    warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
    from ema_workbench import (
        IntegerParameter,
        Model,
        RealParameter,
        ReplicatorModel,
        Samplers,
        SequentialEvaluator,
        perform_experiments,
    )
    from ema_workbench.analysis import prim

TINY = RunSettings(scale=0.001, seed=3, start_year=2025, end_year=2025)
"""One year at 1:1000 (about 8,400 households; 0.01 is about 84,000, sim.params.RunSettings): a run takes
about 0.2 s."""

NOW = {"older_mover_priority_all_types": True, "keep_rent": True}
"""The doorstroom scenario's levers from the start (the shipped file sets them from 2027, after TINY)."""


@pytest.fixture
def doorstroom_now(tmp_path):
    path = tmp_path / "doorstroom_now.toml"
    path.write_text('[scenario]\nname = "doorstroom_now"\n[policy]\nolder_mover_priority_all_types = true\n'
                    "keep_rent = true\n", encoding="utf-8")
    return path


def _direct(policy: dict, values: dict, settings: RunSettings) -> dict:
    """The indicators of one run built without the adapter: ``{indicator: value}`` in end_year."""
    changes: dict = {"policy": dict(policy)} if policy else {}
    for label, value in values.items():
        group, name = label.split(".")
        changes.setdefault(group, {})[name] = value
    cols = run_one(scenario_from_dict({"scenario": {"name": "direct"}, **changes}), settings)
    last = cols["year"] == settings.end_year
    return {n: float(v) for n, v in zip(cols["indicator"][last], cols["value"][last], strict=True)}


def test_perform_experiments_equals_direct_runs(doorstroom_now):
    model = ema_model({"moving.accept_probability": (0.5, 0.95), "care.dementia_min_care_state": None},
                      scenarios=["baseline", doorstroom_now],
                      indicators=["move_rate_65_74", "family_homes_freed"], settings=TINY)
    assert isinstance(model, Model) and not isinstance(model, ReplicatorModel)
    with SequentialEvaluator(model) as evaluator:
        # a fixed sampling seed: the same three points every time (EMA draws fresh ones otherwise)
        experiments, outcomes = perform_experiments(model, scenarios=3, policies=2, evaluator=evaluator,
                                                    lever_sampling=Samplers.FF,
                                                    uncertainty_sampling_kwargs={"rng": 7})
    assert len(experiments) == 6, "3 points of the uncertainties x 2 lever scenarios"
    assert sorted(experiments[SCENARIO_LEVER].astype(str)) == ["baseline"] * 3 + ["doorstroom_now"] * 3
    assert set(outcomes) == {"move_rate_65_74_2025", "family_homes_freed_2025"}
    for i, row in experiments.iterrows():
        accept = float(row["moving__accept_probability"])
        state = row["care__dementia_min_care_state"]
        assert 0.5 <= accept <= 0.95 and state in range(5), row
        policy = NOW if row[SCENARIO_LEVER] == "doorstroom_now" else {}
        direct = _direct(policy, {"moving.accept_probability": accept,
                                  "care.dementia_min_care_state": int(state)}, TINY)
        for indicator in ("move_rate_65_74", "family_homes_freed"):
            assert outcomes[f"{indicator}_2025"][i] == direct[indicator], (indicator, row.to_dict())
    # the lever acts: at the same point the two scenarios differ, as do the points of one scenario
    moves = outcomes["move_rate_65_74_2025"]
    by_point = experiments.groupby("scenario", observed=True).indices
    assert any(moves[idx[0]] != moves[idx[1]] for idx in by_point.values()), moves
    assert len(set(moves[experiments[SCENARIO_LEVER] == "baseline"])) > 1, moves


def test_seeds_give_replications_averaged_and_series():
    model = ema_model(["care.dementia_min_care_state"], indicators=["move_rate_65_74"], settings=TINY,
                      seeds=2, series=True)
    assert isinstance(model, ReplicatorModel)
    model = pickle.loads(pickle.dumps(model))  # a multiprocessing evaluator sends it to its workers
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=2, evaluator=evaluator,
                                                    uncertainty_sampling_kwargs={"rng": 7})
    for i, state in enumerate(experiments["care__dementia_min_care_state"]):
        per_seed = [_direct({}, {"care.dementia_min_care_state": int(state)},
                            dataclasses.replace(TINY, seed=s))["move_rate_65_74"] for s in (1, 2)]
        assert per_seed[0] != per_seed[1], "two seeds should give two samples"
        assert outcomes["move_rate_65_74_2025"][i] == pytest.approx(np.mean(per_seed), rel=1e-12)
        assert outcomes["move_rate_65_74"][i].tolist() == pytest.approx([np.mean(per_seed)], rel=1e-12)
        assert outcomes["TIME"][i].tolist() == [2025]


def test_seed_mean_leaves_out_nan():
    assert ema._seed_mean([1.0, np.nan, 3.0]) == 2.0
    assert np.isnan(ema._seed_mean([np.nan, np.nan]))
    assert ema._seed_mean([[1.0, np.nan], [3.0, np.nan]]).tolist()[0] == 2.0


def test_inputs_come_from_the_schema(doorstroom_now):
    table = {row["name"]: row for row in parameter_table()}
    model = ema_model({"moving.accept_probability": (0.5, 0.95), "care.dementia_min_care_state": None},
                      scenarios=["baseline", doorstroom_now], levers=["policy.logeerzorg_share"],
                      indicators=["vacancy_rate"], year=2026,
                      settings=dataclasses.replace(TINY, end_year=2027))
    rows = {r["name"]: r for r in describe(model)}
    accept = model.uncertainties["moving__accept_probability"]
    assert isinstance(accept, RealParameter)
    assert (accept.lower_bound, accept.upper_bound) == (0.5, 0.95)
    assert accept.variable_name == ["moving.accept_probability"]
    state = model.uncertainties["care__dementia_min_care_state"]
    assert isinstance(state, IntegerParameter), "an integer parameter is an IntegerParameter"
    assert (state.lower_bound, state.upper_bound) == (0, 4), "no range given: the schema's bounds"
    share = model.levers["policy__logeerzorg_share"]
    assert (share.lower_bound, share.upper_bound) == (0.0, 1.0)
    assert rows["policy__logeerzorg_share"]["role"] == "lever"
    assert rows["policy__logeerzorg_share"]["kind"] == "policy"
    assert [c.value for c in model.levers[SCENARIO_LEVER].categories] == ["baseline", "doorstroom_now"]
    for name in ("moving__accept_probability", "care__dementia_min_care_state", "policy__logeerzorg_share"):
        label = parameter_label(name)
        assert ema_name(label) == name
        assert rows[name]["unit"] == table[label]["unit"] and rows[name]["kind"] == table[label]["kind"]
    assert rows["care__dementia_min_care_state"]["bounds"] == (0, 4)
    assert [o.name for o in model.outcomes] == ["vacancy_rate_2026"]
    assert rows["vacancy_rate_2026"]["unit"] == "share"


SCHEMA = ema.parameter_fields


def _open_bound_schema():
    schema = SCHEMA()
    schema["moving.open_rate_per_year"] = dataclasses.field(
        default=0.5, metadata={"unit": "per year", "kind": "assumption", "source": "test",
                               "bounds": (0.0, None), "choices": None})
    return schema


@pytest.mark.parametrize("kwargs, fragments", [
    ({"uncertainties": ["moving.accept_probabilty"]},
     ["'moving.accept_probabilty' is not a parameter", "moving.accept_probability"]),
    ({"uncertainties": {"moving.accept_probability": (0.5, 1.5)}}, ["outside the parameter's bounds",
                                                                    "[0.0, 1.0]"]),
    ({"uncertainties": {"moving.accept_probability": (0.9, 0.5)}}, ["expected low below high"]),
    ({"uncertainties": {"moving.accept_probability": (0.5,)}}, ["expected (low, high)"]),
    ({"uncertainties": {"care.dementia_min_care_state": (0.5, 3)}}, ["expected two integers"]),
    ({"uncertainties": ["care.heavy_onset_at80_per_year"]}, ["not a scalar number"]),
    ({"uncertainties": ["policy.logeerzorg_share"]}, ["is a policy lever", "levers"]),
    ({"uncertainties": [], "levers": ["moving.accept_probability"]}, ["kind 'assumption'", "uncertainties"]),
    ({"uncertainties": ["moving.accept_probability"], "levers": ["policy.moving_allowance_eur"],
      "scenarios": ["baseline", "doorstroom"]}, ["'doorstroom'", "policy.moving_allowance_eur", "varied"]),
    ({"uncertainties": ["moving.accept_probability"], "scenarios": ["baseline", "nonexistent"]},
     ["'nonexistent' is neither a file nor a shipped scenario"]),
    ({"uncertainties": ["moving.accept_probability"], "indicators": ["move_rate_6574"]},
     ["unknown indicator(s) ['move_rate_6574']", "move_rate_65_74"]),
    ({"uncertainties": ["moving.accept_probability"], "year": 2030}, ["year = 2030", "2025 to 2025"]),
    ({"uncertainties": ["moving.accept_probability"], "seeds": 0}, ["seeds = 0"]),
    ({"uncertainties": []}, ["both empty"]),
    ({"uncertainties": ["moving.accept_probability"], "name": "door-stroom"},
     ["'door-stroom'", "identifier"]),
])
def test_bad_input_is_refused_by_name(kwargs, fragments):
    with pytest.raises(ParameterError) as err:
        ema_model(**{"settings": TINY, **kwargs})
    for fragment in fragments:
        assert fragment in str(err.value), f"expected {fragment!r} in: {err.value}"


def test_open_bound_needs_a_range(monkeypatch):
    monkeypatch.setattr(ema, "parameter_fields", _open_bound_schema)
    with pytest.raises(ParameterError) as err:
        ema_model(["moving.open_rate_per_year"], settings=TINY)
    msg = str(err.value)
    assert "moving.open_rate_per_year" in msg and "no range given" in msg and "per year" in msg, msg
    # with a range it is accepted (the range is then checked against the open bound's other side)
    with pytest.raises(ParameterError, match="outside the parameter's bounds"):
        ema_model({"moving.open_rate_per_year": (-1.0, 2.0)}, settings=TINY)


def _write_batch(folder, points: int = 4) -> pd.DataFrame:
    """A synthetic batch: value = 10 * point + seed + 100 * (scenario b) + 1000 * (indicator y) + year."""
    rng = np.random.default_rng(0)
    design = pd.DataFrame({"point": np.arange(points, dtype=np.int32),
                           "moving.accept_probability": rng.uniform(0.5, 0.95, points),
                           "care.regie_loss_per_year": rng.uniform(0.1, 1.0, points)})
    rows = []
    for _, d in design.iterrows():
        for scenario in ("a", "b"):
            for seed in (1, 2):
                for year in (2025, 2026):
                    for indicator in ("x", "y"):
                        value = (10 * d["point"] + seed + 100 * (scenario == "b") + 1000 * (indicator == "y")
                                 + year)
                        rows.append({"point": int(d["point"]), "scenario": scenario, "seed": seed,
                                     "moving.accept_probability": d["moving.accept_probability"],
                                     "care.regie_loss_per_year": d["care.regie_loss_per_year"],
                                     "year": year, "indicator": indicator, "value": float(value)})
    results = pd.DataFrame(rows).astype({"point": "int32", "seed": "int32", "year": "int32"})
    folder.mkdir(exist_ok=True)
    results.to_parquet(folder / "results.parquet", index=False)
    design.to_csv(folder / "design.csv", index=False)
    return results


def test_batch_outcomes_pivots_mean_over_seeds(tmp_path):
    results = _write_batch(tmp_path)
    x, y = batch_outcomes(tmp_path, "y", 2026, scenario="b")
    assert list(x.columns) == ["moving.accept_probability", "care.regie_loss_per_year"]
    assert x.index.tolist() == [0, 1, 2, 3]
    # mean of seeds 1 and 2 = 1.5; + 100 (b) + 1000 (y) + 2026
    assert y.tolist() == [10 * p + 1.5 + 100 + 1000 + 2026 for p in range(4)]
    first = results[(results["point"] == 2)].iloc[0]
    assert x.loc[2, "moving.accept_probability"] == first["moving.accept_probability"]


def test_batch_outcomes_leaves_out_nan_and_refuses_bad_requests(tmp_path):
    results = _write_batch(tmp_path)
    results.loc[(results["point"] == 1) & (results["seed"] == 1), "value"] = np.nan
    results.to_parquet(tmp_path / "results.parquet", index=False)
    _x, y = batch_outcomes(tmp_path, "x", 2025, scenario="a")
    assert y[1] == 10 + 2 + 2025, "the NaN of seed 1 is left out of the mean"
    with pytest.raises(ParameterError, match=r"scenarios \['a', 'b'\]; give scenario="):
        batch_outcomes(tmp_path, "x", 2025)
    with pytest.raises(ParameterError, match=r"indicator 'z' is not in .*; it has \['x', 'y'\]"):
        batch_outcomes(tmp_path, "z", 2025, scenario="a")
    with pytest.raises(ParameterError, match="year = 2030: x is recorded .* 2025 to 2026"):
        batch_outcomes(tmp_path, "x", 2030, scenario="a")
    with pytest.raises(ParameterError, match="scenario 'c' is not in"):
        batch_outcomes(tmp_path, "x", 2025, scenario="c")
    results[~((results["point"] == 3) & (results["seed"] == 2))].to_parquet(tmp_path / "results.parquet",
                                                                             index=False)
    with pytest.raises(ParameterError, match="different seeds"):
        batch_outcomes(tmp_path, "x", 2025, scenario="a")
    results[results["point"] != 3].to_parquet(tmp_path / "results.parquet", index=False)
    with pytest.raises(ParameterError, match=r"1 of 4 points .* no result .* \[3\]"):
        batch_outcomes(tmp_path, "x", 2025, scenario="a")
    with pytest.raises(ParameterError, match="results.parquet' does not exist"):
        batch_outcomes(tmp_path / "elsewhere", "x", 2025)
    (tmp_path / "design.csv").unlink()
    with pytest.raises(ParameterError, match="design.csv' does not exist"):
        batch_outcomes(tmp_path, "x", 2025, scenario="a")


# ema_workbench's prim calls DataFrame.drop(inplace=True), which pandas 3.1 deprecates (not ours to mend)
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.drop")
def test_prim_finds_the_region_of_a_batch(tmp_path):
    # y is high exactly where moving.accept_probability > 0.8: PRIM's first box must say so
    rng = np.random.default_rng(1)
    n = 300
    design = pd.DataFrame({"point": np.arange(n, dtype=np.int32),
                           "moving.accept_probability": rng.uniform(0.5, 0.95, n),
                           "care.regie_loss_per_year": rng.uniform(0.1, 1.0, n)})
    results = pd.DataFrame({"point": design["point"], "scenario": "baseline", "seed": np.int32(1),
                            "moving.accept_probability": design["moving.accept_probability"],
                            "care.regie_loss_per_year": design["care.regie_loss_per_year"],
                            "year": np.int32(2030), "indicator": "move_rate_65_74",
                            "value": np.where(design["moving.accept_probability"] > 0.8, 0.05, 0.03)})
    results.to_parquet(tmp_path / "results.parquet", index=False)
    design.to_csv(tmp_path / "design.csv", index=False)
    x, y = batch_outcomes(tmp_path, "move_rate_65_74", 2030)
    box = prim.Prim(x, y > 0.04, peel_alpha=0.1).find_box()
    limits = box.box_lim
    assert limits.loc[0, "moving.accept_probability"] == pytest.approx(0.8, abs=0.02), limits
    assert limits.loc[0, "care.regie_loss_per_year"] == x["care.regie_loss_per_year"].min(), limits
    assert box.density == 1.0 and box.coverage > 0.9, (box.coverage, box.density)
