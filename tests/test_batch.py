"""Tests of parameter designs, ``doorstroom batch`` and ``doorstroom sensitivity``.

Most tests replace the model by a known function of the point's parameters (``fake_run``), run in this
process: then the sensitivity indices are known exactly and the batch's bookkeeping (which values go
with which run, which runs are reused) can be checked quickly. The executors are tested with the real
model at a tiny scale.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments import batch, dask_runs, design, runs, sensitivity
from experiments.cli import main
from sim.params import ParameterError, RunSettings

# three parameters that are shares in [0, 1] (bounds of the schema)
A, B, C = "moving.accept_probability", "moving.accept_probability_open", "turnover.newcomer_male_share"


def fake_run(scenario, settings: RunSettings, details: bool = False) -> dict[str, np.ndarray]:
    """A stand-in for the model: y = a + 2 b (c has no effect), plus the seed / 1000, in two years."""
    a = scenario.changes["moving"]["accept_probability"]
    b = scenario.changes["moving"]["accept_probability_open"]
    y = a + 2 * b + settings.seed / 1000
    return {"year": np.array([2025, 2025, 2026], np.int32),
            "indicator": np.array(["y", "flat", "y"], object),
            "value": np.array([y, 1.0, 2 * y])}


@pytest.fixture
def fake_model(monkeypatch):
    monkeypatch.setattr(runs, "run_one", fake_run)


def write_design(tmp_path, body: str, name: str = "d.toml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


ONE = '[[uncertainty]]\nname = "{}"\n{}\n'
"""One uncertainty: its name and the rest of its table."""
UNIT_CUBE = "".join(f'[[uncertainty]]\nname = "{n}"\nlow = 0.0\nhigh = 1.0\n' for n in (A, B, C))
HEAD = '[design]\nsampler = "{sampler}"\n{extra}\nseeds = {seeds}\n[run]\nscale = 0.001\nend_year = 2026\n'


def design_text(sampler: str, extra: str = "", seeds: int = 1, uncertainties: str = UNIT_CUBE) -> str:
    return HEAD.format(sampler=sampler, extra=extra, seeds=seeds) + uncertainties


def test_samplers_give_salibs_numbers_of_points(tmp_path):
    sobol = design.load_design(write_design(tmp_path, design_text("sobol", "samples = 16")))
    assert sobol.points.shape == (16 * (3 + 2), 3)
    second = design.load_design(write_design(tmp_path, design_text("sobol",
                                                                    "samples = 16\nsecond_order = true")))
    assert second.points.shape == (16 * (2 * 3 + 2), 3)
    lhs = design.load_design(write_design(tmp_path, design_text("lhs", "samples = 10")))
    assert lhs.points.shape == (10, 3)
    # a Latin hypercube has one point in each tenth of every parameter's range
    assert all(sorted(np.floor(lhs.points[:, j] * 10).astype(int)) == list(range(10)) for j in range(3))
    morris = design.load_design(write_design(tmp_path, design_text("morris", "samples = 4")))
    assert morris.points.shape == (4 * (3 + 1), 3)
    grid = design.load_design(write_design(tmp_path, design_text("grid", uncertainties=(
        f'[[uncertainty]]\nname = "{A}"\nvalues = [0.2, 0.4, 0.6]\n'
        f'[[uncertainty]]\nname = "{B}"\nvalues = [0.1, 0.3]\n'))))
    assert grid.points.tolist() == [[0.2, 0.1], [0.2, 0.3], [0.4, 0.1], [0.4, 0.3], [0.6, 0.1], [0.6, 0.3]]
    again = design.load_design(write_design(tmp_path, design_text("lhs", "samples = 10")))
    assert np.array_equal(again.points, lhs.points)  # the sample seed fixes the points


def test_integer_parameters_are_rounded_and_distributions_follow_salib(tmp_path):
    d = design.load_design(write_design(tmp_path, design_text("lhs", "samples = 200", uncertainties=(
        '[[uncertainty]]\nname = "moving.allocation_rounds"\nlow = 1\nhigh = 5\n'
        f'[[uncertainty]]\nname = "{A}"\ndistribution = "triangular"\nlow = 0.2\nhigh = 0.8\npeak = 0.7\n'))))
    rounds = d.points[:, 0]
    assert np.array_equal(rounds, np.rint(rounds)) and rounds.min() >= 1 and rounds.max() <= 5
    assert d.changes(0)["moving"]["allocation_rounds"] == int(rounds[0])
    assert isinstance(d.changes(0)["moving"]["allocation_rounds"], int)
    # a triangular law on [0.2, 0.8] with its peak at 0.7 has mean (0.2 + 0.8 + 0.7) / 3
    assert abs(d.points[:, 1].mean() - 1.7 / 3) < 0.02
    assert 0.2 <= d.points[:, 1].min() and d.points[:, 1].max() <= 0.8


@pytest.mark.parametrize("body, fragment", [
    (design_text("halton", "samples = 8"), "sampler = 'halton'"),
    (design_text("sobol"), "needs [design] samples"),
    (design_text("grid", "samples = 4"), "samples is for the lhs"),
    (design_text("lhs", "samples = 8", uncertainties=ONE.format("moving.nope", "low = 0\nhigh = 1")),
     "'moving.nope' is not a parameter"),
    (design_text("lhs", "samples = 8", uncertainties=ONE.format("turnover.leave_home_by_age_per_year",
                                                                "low = 0\nhigh = 1")),
     "not a scalar number"),
    (design_text("lhs", "samples = 8", uncertainties=ONE.format(A, "low = 0.5\nhigh = 1.5")),
     "outside the parameter's bounds"),
    (design_text("lhs", "samples = 8", uncertainties=ONE.format(A, "low = 0.5\nhigh = 0.5")),
     "must be below high"),
    (design_text("lhs", "samples = 8", uncertainties=ONE.format(A, "values = [0.1]")),
     "values = [...] is for the grid sampler"),
    (design_text("lhs", "samples = 64",
                 uncertainties=ONE.format(A, 'distribution = "normal"\nmean = 0.9\nsd = 0.2')),
     "is above its maximum"),
    (design_text("list", uncertainties=ONE.format(A, "")) + f'[[point]]\n"{B}" = 0.3\n',
     "expected exactly the uncertainties"),
    (design_text("lhs", "samples = 8\nscenarios = ['no_such_lever']"),
     "neither a file nor a shipped scenario"),
    (design_text("grid", uncertainties=ONE.format("moving.allocation_rounds", "values = [1.5, 2.5]")),
     "expected a whole number"),
    (design_text("lhs", "samples = 8", uncertainties=ONE.format(
        A, 'distribution = "triangular"\nlow = 0.2\nhigh = 0.8\npeak = 0.8')), "must lie in [low, high)"),
    (design_text("lhs", "samples = 8\nscenarios = ['verzorgingshuis']", uncertainties=(
        '[[uncertainty]]\nname = "policy.verzorgingshuis_wlz_stay_share"\nlow = 0\nhigh = 1\n')),
     "which the design varies"),
])
def test_bad_designs_are_refused_naming_the_value(tmp_path, body, fragment):
    with pytest.raises(ParameterError) as info:
        design.load_design(write_design(tmp_path, body))
    assert fragment in str(info.value)


def test_bad_design_stops_the_command_before_any_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(runs, "run_one", lambda *a, **k: pytest.fail("a run started"))
    path = write_design(tmp_path, design_text("sobol"))
    assert main(["batch", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "needs [design] samples" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_results_table_carries_each_runs_point_values_and_seed(tmp_path, fake_model):
    path = write_design(tmp_path, design_text("lhs", "samples = 5", seeds=2))
    plan = batch.batch(path, tmp_path / "out", workers=1, log=lambda line: None)
    frame = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert list(frame.columns) == ["point", "scenario", "seed", A, B, C, "year", "indicator", "value"]
    assert len(frame) == 5 * 2 * 3
    y = frame[(frame.indicator == "y") & (frame.year == 2025)]
    assert np.allclose(y.value, y[A] + 2 * y[B] + y.seed / 1000)
    points = pd.read_csv(tmp_path / "out" / "design.csv")
    assert np.allclose(points[[A, B, C]].to_numpy(), plan.design.points)
    info = json.loads((tmp_path / "out" / "batch.json").read_text())
    assert info["status"] == "complete" and info["runs_computed"] == 10 and info["runs"] == 10


def test_rerun_reuses_every_run_and_recomputes_only_what_is_missing_or_changed(tmp_path, monkeypatch):
    path = write_design(tmp_path, design_text("lhs", "samples = 4", seeds=2))
    calls = []

    def counting(scenario, settings, details=False):
        calls.append(settings.seed)
        return fake_run(scenario, settings, details)

    monkeypatch.setattr(runs, "run_one", counting)
    lines = []
    batch.batch(path, tmp_path / "out", workers=1, log=lines.append)
    first = (tmp_path / "out" / "results.parquet").read_bytes()
    assert len(calls) == 8
    calls.clear()
    batch.batch(path, tmp_path / "out", workers=1, log=lines.append)
    assert calls == []
    assert (tmp_path / "out" / "results.parquet").read_bytes() == first
    gone = batch.run_path(tmp_path / "out", "baseline", 2, 1)
    gone.unlink()
    batch.batch(path, tmp_path / "out", workers=1, log=lines.append)
    assert calls == [1] and (tmp_path / "out" / "results.parquet").read_bytes() == first
    calls.clear()
    write_design(tmp_path, design_text("lhs", "samples = 4", seeds=2).replace("high = 1.0", "high = 0.9", 1))
    lines.clear()
    batch.batch(path, tmp_path / "out", workers=1, log=lines.append)
    assert len(calls) == 8  # the points moved: every run is recomputed, each with its reason
    assert sum("the scenario's parameters changed" in line for line in lines) == 8


def test_sobol_indices_of_a_known_function(tmp_path, fake_model):
    # y = a + 2 b with a, b, c uniform on [0, 1]: Var y = 1/12 + 4/12, so S1 = ST = 0.2, 0.8 and 0
    path = write_design(tmp_path, design_text("sobol", "samples = 128"))
    batch.batch(path, tmp_path / "out", workers=1, log=lambda line: None)
    rows, columns, notes, csv = sensitivity.sensitivity(tmp_path / "out", "y", 2025)
    got = {r["parameter"]: r for r in rows}
    assert abs(got[A]["S1"] - 0.2) < 0.05 and abs(got[B]["S1"] - 0.8) < 0.05
    assert abs(got[A]["ST"] - 0.2) < 0.05 and abs(got[B]["ST"] - 0.8) < 0.05
    assert abs(got[C]["S1"]) < 0.02 and abs(got[C]["ST"]) < 0.02
    assert got[A]["S1_low"] < got[A]["S1"] < got[A]["S1_high"]
    assert got[B]["unit"] == "probability per offer"
    assert csv.exists() and csv.with_suffix(".png").stat().st_size > 1000
    assert "ST" in sensitivity.format_table(rows, columns).splitlines()[0]
    with pytest.raises(ParameterError, match="same at every point"):
        sensitivity.sensitivity(tmp_path / "out", "flat", 2025)
    with pytest.raises(ParameterError, match="indicator 'nope' is not in the batch"):
        sensitivity.sensitivity(tmp_path / "out", "nope", 2025)
    with pytest.raises(ParameterError, match="Morris indices need a Morris design"):
        sensitivity.sensitivity(tmp_path / "out", "y", 2025, method="morris")


def test_morris_and_regression_indices_of_a_known_function(tmp_path, fake_model):
    path = write_design(tmp_path, design_text("morris", "samples = 10"))
    batch.batch(path, tmp_path / "m", workers=1, log=lambda line: None)
    rows, _cols, _notes, _csv = sensitivity.sensitivity(tmp_path / "m", "y", 2026)
    got = {r["parameter"]: r for r in rows}
    # y(2026) = 2 a + 4 b: the elementary effects are the slopes, 2, 4 and 0, at every step
    assert got[A]["mu_star"] == pytest.approx(2.0) and got[B]["mu_star"] == pytest.approx(4.0)
    assert got[C]["mu_star"] == pytest.approx(0.0, abs=1e-9) and got[A]["sigma"] == pytest.approx(0, abs=1e-9)
    path = write_design(tmp_path, design_text("lhs", "samples = 60"), name="l.toml")
    batch.batch(path, tmp_path / "l", workers=1, log=lambda line: None)
    rows, _cols, notes, _csv = sensitivity.sensitivity(tmp_path / "l", "y", 2025)
    got = {r["parameter"]: r for r in rows}
    # y = a + 2 b exactly (the seed is fixed): the standardised coefficients are the slopes 1, 2 and 0
    # times the sample's sd of each parameter over the sd of y
    frame = pd.read_parquet(tmp_path / "l" / "results.parquet")
    y = frame[(frame.indicator == "y") & (frame.year == 2025)]
    for name, slope in ((A, 1.0), (B, 2.0), (C, 0.0)):
        assert got[name]["src"] == pytest.approx(slope * y[name].std() / y.value.std(), abs=1e-6)
    assert notes["R2"] == pytest.approx(1.0)
    assert got[B]["src_low"] <= got[B]["src"] <= got[B]["src_high"]


def test_sensitivity_refuses_an_unfinished_batch(tmp_path, fake_model):
    path = write_design(tmp_path, design_text("lhs", "samples = 4"))
    batch.batch(path, tmp_path / "out", workers=1, log=lambda line: None)
    info = json.loads((tmp_path / "out" / "batch.json").read_text())
    (tmp_path / "out" / "batch.json").write_text(json.dumps({**info, "status": "running"}))
    with pytest.raises(ParameterError, match="not complete"):
        sensitivity.sensitivity(tmp_path / "out", "y", 2025)


GRID = f"""[design]
sampler = "grid"
seeds = 2
[run]
scale = 0.001
end_year = 2025
[[uncertainty]]
name = "{A}"
values = [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.95]
"""
"""A 20-run design: 10 points x 2 seeds."""


@pytest.mark.slow
def test_same_results_with_one_or_two_workers_and_dask(tmp_path):
    path = write_design(tmp_path, GRID)
    files = {}
    for label, workers, scheduler in (("one", 1, None), ("two", 2, None), ("dask", 2, "local")):
        batch.batch(path, tmp_path / label, workers=workers, scheduler=scheduler, log=lambda line: None)
        files[label] = (tmp_path / label / "results.parquet").read_bytes()
    assert files["one"] == files["two"] == files["dask"]  # byte for byte (some indicators are NaN)
    frame = pq.read_table(tmp_path / "one" / "results.parquet").to_pandas()
    assert len(frame.groupby(["point", "seed"])) == 20
    moves = frame[frame.indicator == "move_rate_75plus"].set_index(["point", "seed"]).value
    assert moves.nunique() > 10  # the accept probability and the seed both move the result
    info = json.loads((tmp_path / "dask" / "batch.json").read_text())
    assert info["executor"] == "dask (local)"


def test_a_list_design_runs_its_points_as_written(tmp_path, fake_model):
    body = design_text("list", uncertainties=ONE.format(A, "") + ONE.format(B, ""))
    body += "".join(f'[[point]]\n"{A}" = {a}\n"{B}" = {b}\n' for a, b in ((0.1, 0.2), (0.9, 0.3), (0.5, 0.5)))
    plan = batch.batch(write_design(tmp_path, body), tmp_path / "out", workers=1, log=lambda line: None)
    assert plan.design.points.tolist() == [[0.1, 0.2], [0.9, 0.3], [0.5, 0.5]]
    frame = pd.read_parquet(tmp_path / "out" / "results.parquet")
    y = frame[(frame.indicator == "y") & (frame.year == 2025)].sort_values("point")
    assert np.allclose(y.value, [0.1 + 0.4 + 0.001, 0.9 + 0.6 + 0.001, 0.5 + 1.0 + 0.001])
    problem = json.loads((tmp_path / "out" / "design.json").read_text())["problem"]
    assert problem["bounds"] == [[0.1, 0.9], [0.2, 0.5]]


def test_a_lever_whose_name_is_no_folder_name_is_refused(tmp_path):
    lever = tmp_path / "escape.toml"
    lever.write_text('[scenario]\nname = "../escape"\n', encoding="utf-8")
    path = write_design(tmp_path, design_text("lhs", "samples = 4\nscenarios = ['escape.toml']"))
    with pytest.raises(ParameterError, match="cannot be used as a folder name"):
        design.load_design(path)


def test_two_levers_run_every_point_with_the_same_seeds(tmp_path, fake_model):
    path = write_design(tmp_path, design_text("lhs", "samples = 6\nscenarios = ['baseline', 'doorstroom']",
                                              seeds=2))
    batch.batch(path, tmp_path / "out", workers=1, log=lambda line: None)
    frame = pd.read_parquet(tmp_path / "out" / "results.parquet")
    runs_of = frame.groupby("scenario")[["point", "seed"]].apply(lambda f: sorted(set(map(tuple, f.values))))
    assert runs_of["baseline"] == runs_of["doorstroom"] == [(p, s) for p in range(6) for s in (1, 2)]
    # the lever's dated changes stay in its runs: the stored parameters of the two levers differ
    metas = {lever: runs.read_run_meta(batch.run_path(tmp_path / "out", lever, 0, 1))
             for lever in ("baseline", "doorstroom")}
    assert metas["baseline"]["dated_changes_sha256"] != metas["doorstroom"]["dated_changes_sha256"]
    for lever in ("baseline", "doorstroom"):
        rows, _cols, notes, csv = sensitivity.sensitivity(tmp_path / "out", "y", 2025, scenario=lever)
        assert csv.name == f"y_2025_{lever}.csv" and notes["R2"] > 0.99
    with pytest.raises(ParameterError, match="not a lever of the batch"):
        sensitivity.sensitivity(tmp_path / "out", "y", 2025, scenario="nope")


def test_a_scheduler_that_does_not_answer_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "run_one", lambda *a, **k: pytest.fail("a run started"))
    monkeypatch.setattr(dask_runs, "DASK_CONNECT_SECONDS", 2)
    path = write_design(tmp_path, design_text("lhs", "samples = 4"))
    with pytest.raises(ParameterError, match="no Dask scheduler answered"):
        batch.batch(path, tmp_path / "out", scheduler="tcp://127.0.0.1:9", log=lambda line: None)
    assert not (tmp_path / "out").exists()
