"""Calibration: targets as data, the WoON reader and its synthetic files, the moments, the fit."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from agents.model import DoorstroomModel
from agents.schedule import REGISTRY
from calibration import woon
from calibration.fit import Calibration, CalibrationError, Evaluation, free_parameter, run_evaluation
from calibration.frame import COLUMNS, model_frame
from calibration.moments import MomentError, moment
from calibration.targets import TargetError, load_targets
from experiments.cli import main
from sim.params import Parameters, RunSettings

MAPPING = Path(woon.__file__).parent / "data" / woon.SYNTHETIC_MAPPING
TARGET_KEYS = ("name", "group", "statistic", "year", "value", "se", "se_source", "population",
               "source", "status", "use")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic WoON file drawn from the model at default values (scale 0.01, 1 January 2027)."""
    folder = tmp_path_factory.mktemp("woon")
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.01, seed=101, end_year=2026))
    while model.running:
        model.step()
    frame = model_frame(model)
    info = woon.write_synthetic_woon(folder / "syn.sav", frame, 20_000, 7, "test")
    return folder / "syn.sav", frame, info


# --- targets ------------------------------------------------------------------------------------
def test_default_targets_are_sourced_and_computable():
    targets = load_targets(indicators=set(REGISTRY))
    assert len(targets) >= 8
    for t in targets:
        assert t.source and t.se_source and t.se > 0, t.name


def _write_targets(tmp_path, **change):
    entry = {"name": "x", "group": "g", "statistic": "indicator", "indicator": "move_rate_65_74",
             "year": 2025, "value": 0.03, "se": 0.01, "se_source": "s", "population": "p",
             "source": "a source", "status": "verified", "use": "fit"}
    entry.update(change)
    entry = {k: v for k, v in entry.items() if v is not None}
    lines = ["[[target]]"] + [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
    path = tmp_path / "t.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("change, message", [
    ({"source": None}, r"missing \['source'\]"),
    ({"se": 0}, "se = 0: expected a standard error above 0"),
    ({"statistic": "median"}, "statistic 'median' is not one of"),
    ({"indicator": "no_such"}, "indicator 'no_such' is not an indicator"),
    ({"colour": "red"}, "unknown keys"),
    ({"statistic": "ratio"}, "denominator None is not an indicator"),
    ({"statistic": "ratio", "denominator": "no_such"}, "denominator 'no_such' is not an indicator"),
    ({"denominator": "persons_65plus"}, "denominator is only for statistic 'ratio'"),
    ({"statistic": "link_share", "outcome": "moved_far"}, "outcome 'moved_far' is not one of"),
    ({"statistic": "realisation", "outcome": "intention_definite"}, "horizon_years is for statistic"),
])
def test_a_bad_target_is_refused_by_name(tmp_path, change, message):
    with pytest.raises(TargetError, match=message) as err:
        load_targets(_write_targets(tmp_path, **change), indicators=set(REGISTRY))
    assert "target 'x'" in str(err.value)


def test_a_ratio_divides_two_indicators_of_its_year():
    from calibration.targets import RunView, Target, model_value
    t = Target("r", "g", "ratio", 2025, 0.08, 0.01, "s", "p", "src", "verified", "fit",
               indicator="dementia_persons", denominator="persons_65plus")
    run = RunView({(2025, "dementia_persons"): 30.0, (2025, "persons_65plus"): 400.0,
                   (2026, "persons_65plus"): 1.0}, {})
    assert model_value(run, t) == pytest.approx(0.075)
    with pytest.raises(TargetError, match="'persons_65plus' is 0 in 2025"):
        model_value(RunView({(2025, "dementia_persons"): 1.0, (2025, "persons_65plus"): 0.0}, {}), t)


def test_a_link_share_counts_moves_of_its_year_by_weight():
    from calibration.targets import RunView, Target, model_value
    links = {"weight": np.array([1.0, 1.0, 2.0, 5.0]), "year": np.array([2025, 2025, 2025, 2026]),
             "age": np.array([70, 40, 80, 70]), "new_build": np.array([1, 1, 0, 1])}
    older_to_new = Target("a", "g", "link_share", 2025, 0.1, 0.01, "s", "p", "src", "verified", "check",
                          outcome="new_build", where={"age": {"from": 65}})
    new_to_older = Target("b", "g", "link_share", 2025, 0.1, 0.01, "s", "p", "src", "verified", "check",
                          outcome="mover_65plus", where={"new_build": [1]})
    run = RunView({}, {}, {}, links)
    assert model_value(run, older_to_new) == pytest.approx(1 / 3)  # of weights 1 and 2 (2026 left out)
    assert model_value(run, new_to_older) == pytest.approx(1 / 2)


def test_a_person_share_reads_the_adults_of_its_year():
    from calibration.frame import person_frame
    from calibration.targets import RunView, Target, model_value
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=4, end_year=2025))
    pf = person_frame(model)
    hh = model.households
    assert pf["weight"].sum() == pytest.approx(float((hh.weight * hh.present.sum(axis=1))[hh.active].sum()))
    t = Target("d", "g", "person_share", 2025, 0.25, 0.02, "s", "p", "src", "verified", "check",
               outcome="dementia", where={"age": {"from": 80}})
    old = pf["age"] >= 80
    expected = np.sum(pf["weight"][old] * pf["dementia"][old]) / pf["weight"][old].sum()
    assert model_value(RunView({}, {}, persons={2025: pf}), t) == pytest.approx(expected)
    assert 0.05 < expected < 0.6


# --- moments --------------------------------------------------------------------------------------
def test_weighted_share_and_its_survey_error():
    frame = {c: np.zeros(4, int) for c in COLUMNS}
    frame["weight"] = np.array([1.0, 1.0, 2.0, 0.0])
    frame["intention"] = np.array([2, 0, 2, 2])
    frame["age"] = np.array([70, 70, 70, 70])
    m = moment(frame, "intention_definite", {"age": {"from": 65}}, expected=False)
    assert m.value == pytest.approx(3 / 4) and m.n == 3  # the weight-0 household is not counted
    y, w = np.array([1, 0, 1.0]), np.array([1, 1, 2.0])
    assert m.se == pytest.approx(np.sqrt(np.sum(w ** 2 * (y - 0.75) ** 2)) / 4)
    with pytest.raises(MomentError, match="no household"):
        moment(frame, "intention_definite", {"age": {"below": 18}}, expected=False)
    with pytest.raises(MomentError, match="column 'colour'"):
        moment(frame, "intention_definite", {"colour": [1]}, expected=False)


def test_moments_sharing_households_have_correlated_errors():
    from calibration.moments import moment_correlation
    rng = np.random.default_rng(5)
    n = 4000
    frame = {c: np.zeros(n, int) for c in COLUMNS}
    frame["weight"] = rng.uniform(0.5, 2.0, n)
    frame["age"] = rng.integers(20, 95, n)
    frame["intention"] = rng.integers(0, 3, n)
    specs = [("intention_definite", {"age": {"from": 55}}), ("intention_definite", {"age": {"from": 65}}),
             ("intention_definite", {"age": {"below": 55}}), ("intention_maybe", {"age": {"from": 55}})]
    r = moment_correlation(frame, specs)
    assert np.allclose(np.diag(r), 1) and np.allclose(r, r.T)
    assert r[0, 1] > 0.6  # the 65+ are most of the 55+
    assert r[0, 2] == pytest.approx(0)  # no household in common
    assert r[0, 3] < -0.2  # one answer excludes the other
    # the diagonal of the covariance is the moment's squared standard error
    se = moment(frame, *specs[1], expected=False).se
    mask = (frame["age"] >= 65)
    w, y = frame["weight"][mask], (frame["intention"][mask] == 2).astype(float)
    assert se == pytest.approx(np.sqrt(np.sum((w * (y - np.average(y, weights=w))) ** 2)) / w.sum())


def test_a_state_outcome_is_the_share_of_the_state_in_either_frame():
    frame = {c: np.zeros(3, int) for c in COLUMNS}
    frame["weight"] = np.array([1.0, 3.0, 1.0])
    frame["limitation"] = np.array([1, 0, 1])
    frame["age"] = np.array([90, 90, 70])
    for expected in (False, True):  # a state has no probabilities: the model moment is the share itself
        m = moment(frame, "limitation", {"age": {"from": 85}}, expected=expected)
        assert m.value == pytest.approx(0.25)


# --- WoON files -----------------------------------------------------------------------------------
def test_synthetic_file_reads_back_labelled_and_weighted(synthetic):
    path, frame, info = synthetic
    data, read = woon.read_woon(path, MAPPING)
    assert read["file_label"].startswith("SYNTHETIC") and read["households"] == info["households"]
    # survey weights give back the model's households, within sampling error
    assert data["weight"].sum() == pytest.approx(frame["weight"].sum(), rel=0.02)
    for outcome, where in (("intention_definite", {"age": {"from": 65}}),
                           ("intention_maybe", {"tenure": [0]})):
        est = moment(data, outcome, where, expected=False)
        truth = moment(frame, outcome, where, expected=True)
        assert abs(est.value - truth.value) < 4 * est.se, (outcome, est, truth)
    targets = woon.survey_targets(data, read)
    assert all(t.status == "synthetic" and t.source.startswith("SYNTHETIC") for t in targets)


def test_a_mapping_naming_a_missing_variable_is_refused(synthetic, tmp_path):
    path, _, _ = synthetic
    text = MAPPING.read_text().replace('intention = "syn_verhuisgeneigd"', 'intention = "verhuiswens"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(woon.WoonError, match="mapping key 'intention' names variable 'verhuiswens'"):
        woon.read_woon(path, bad)


def test_an_unplaced_code_and_a_non_woon_file_are_refused(synthetic, tmp_path):
    path, _, _ = synthetic
    text = MAPPING.read_text().replace('"2" = [3]\n\n[values.limitation]', '\n[values.limitation]')
    bad = tmp_path / "codes.toml"
    bad.write_text(text)
    with pytest.raises(woon.WoonError, match=r"'syn_verhuisgeneigd' \(mapping key 'intention'\) has codes"):
        woon.read_woon(path, bad)
    other = tmp_path / "other.sav"
    pyreadstat.write_sav(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), str(other))
    with pytest.raises(woon.WoonError, match="not WoON-like"):
        woon.read_woon(other, MAPPING)
    text_file = tmp_path / "notes.sav"
    text_file.write_text("not spss")
    with pytest.raises(woon.WoonError, match="not an SPSS .sav file"):
        woon.read_woon(text_file, MAPPING)


# --- the fit ---------------------------------------------------------------------------------------
def test_a_free_parameter_needs_finite_bounds_and_a_real_name():
    base = Parameters()
    p = free_parameter({"parameter": "moving.effect_owner[1]"}, base)
    assert (p.low, p.high, p.start) == (-10.0, 10.0, -0.2)
    with pytest.raises(CalibrationError, match="needs finite bounds"):
        free_parameter({"parameter": "moving.effect_owner[1]", "bounds": [None, 3]}, base)
    with pytest.raises(CalibrationError, match="has no parameter 'effect_colour'"):
        free_parameter({"parameter": "moving.effect_colour"}, base)
    with pytest.raises(CalibrationError, match="give an index"):
        free_parameter({"parameter": "moving.effect_owner"}, base)


def test_an_evaluation_is_deterministic_and_reads_its_frame_year():
    names = ("intention_definite_65plus", "move_rate_65_74", "realisation_definite_65plus",
             "new_build_to_older")
    targets = tuple(t for t in load_targets() if t.name in names)
    ev = Evaluation(Parameters().to_dict(), 0.002, 3, targets)
    a, b = run_evaluation(ev), run_evaluation(ev)
    assert a == b and set(a) == set(names)
    assert 0 < a["intention_definite_65plus"] < 0.2
    assert 0 < a["realisation_definite_65plus"] < 1 and 0 < a["new_build_to_older"] < 1


@pytest.mark.slow
def test_calibration_recovers_intention_effects_and_resumes(tmp_path):
    """Identification at reduced size: 4 effects from a synthetic file, then a restart from the store.

    At this size the file is drawn from the population the fit simulates (scale 0.005, seed 1), so
    that what is tested is the fit against survey and answer noise; the README's example (scale 0.01)
    draws the file from another seed and population.
    """
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.005, seed=1, end_year=2026))
    while model.running:
        model.step()
    path = tmp_path / "syn.sav"
    woon.write_synthetic_woon(path, model_frame(model), 20_000, 7, "test")
    data, info = woon.read_woon(path, MAPPING)
    targets = woon.survey_targets(data, info)
    base = Parameters()
    names = ("moving.effect_mismatch[0]", "moving.effect_widowed[1]", "moving.effect_owner[0]",
             "moving.effect_attachment[1]")
    free = [free_parameter({"parameter": n, "bounds": [-3, 3], "start": 0.0}, base) for n in names]
    lines = []
    corr = woon.survey_correlation(data, targets)
    ratio = woon.simulation_ratio(data, targets, 0.005, 1)
    cal = Calibration(targets, free, base, 0.005, [1], tmp_path / "fit", workers=2, log=lines.append,
                      correlation=corr, simulation_ratio=ratio)
    res = cal.fit(max_evaluations=30)
    assert res["converged"], res["message"]
    truth = {"moving.effect_mismatch[0]": 1.2, "moving.effect_widowed[1]": 0.5,
             "moving.effect_owner[0]": -0.4, "moving.effect_attachment[1]": -0.2}
    for p in res["parameters"]:
        assert p["identified"], p
        assert abs(p["estimate"] - truth[p["parameter"]]) < 2.5 * p["se"], p
    again = Calibration(targets, free, base, 0.005, [1], tmp_path / "fit", workers=2, log=lines.append,
                        correlation=corr, simulation_ratio=ratio)
    res2 = again.fit(max_evaluations=30)
    assert again.evaluations["run"] == 0, "a restart runs nothing that is stored"
    assert [p["estimate"] for p in res2["parameters"]] == [p["estimate"] for p in res["parameters"]]


@pytest.mark.parametrize("free, target, fragment", [
    ('parameter = "moving.effect_owner[0]"\nbounds = [-1.0, 1.0]', "source", "missing ['source']"),
    ('parameter = "moving.effect_owner[0]"\nbounds = [0.0, inf]', None,
     "bounds [0.0, inf]; a free parameter needs finite bounds"),
    ('parameter = "moving.widowed_recent_months"', None, "cannot be fitted"),
])
def test_calibrate_command_refuses_bad_input_before_work(tmp_path, capsys, free, target, fragment):
    entry = {"name": "x", "group": "g", "statistic": "indicator", "indicator": "move_rate_65_74",
             "year": 2025, "value": 0.03, "se": 0.01, "se_source": "s", "population": "p",
             "source": "a source", "status": "verified", "use": "fit"}
    entry.pop(target, None)
    (tmp_path / "t.toml").write_text("[[target]]\n" + "\n".join(f"{k} = {json.dumps(v)}"
                                                               for k, v in entry.items()) + "\n")
    (tmp_path / "c.toml").write_text(f'[calibration]\ntargets = "t.toml"\n\n[[free]]\n{free}\n')
    code = main(["calibrate", str(tmp_path / "c.toml"), "--out", str(tmp_path / "out")])
    assert code == 2 and fragment in capsys.readouterr().err
    assert not (tmp_path / "out").exists(), "nothing is written on bad input"


# --- the baseline's calibration -------------------------------------------------------------------
def test_the_baseline_reads_its_calibrated_values_and_names_their_report(capsys):
    import dataclasses

    from experiments.calibrate import load_config
    from sim.params import GROUPS, baseline_calibration

    root = Path(__file__).resolve().parent.parent
    declared = {f"{g.group_name()}.{f.name}" for g in GROUPS for f in dataclasses.fields(g)
                if f.metadata.get("calibrated")}
    in_file = {f"{g}.{n}" for g, vals in baseline_calibration().items() for n in vals}
    free = {f["parameter"].split("[")[0] for f in load_config(root / "calibration" / "baseline.toml")["free"]}
    assert declared and declared == in_file == free
    base = Parameters()
    for label in declared:
        group, name = label.split(".")
        assert getattr(getattr(base, group), name) == pytest.approx(baseline_calibration()[group][name])
    assert main(["params"]) == 0
    rows = [r for r in capsys.readouterr().out.splitlines() if any(f"`{d}`" in r for d in declared)]
    assert len(rows) == len(declared)
    assert all("output: calibrated" in r and "calibration/baseline/report.html" in r for r in rows)


def test_the_money_example_names_known_targets_and_free_parameters():
    """calibration/examples/money_2025.toml: its targets and free parameters are known to the model
    (a renamed indicator or parameter fails here, not after minutes of calibration)."""
    from experiments.calibrate import load_config, setup

    cfg = load_config(Path(__file__).parent.parent / "calibration" / "examples" / "money_2025.toml")
    targets, free, _ = setup(cfg, Parameters(), lambda *_: None)
    assert {t.name for t in targets} == {"woonquote_median_renters_2025", "woonquote_median_owners_2025",
                                         "huurtoeslag_households_2025", "cost_huurtoeslag_2025"}
    assert len(free) == 2
