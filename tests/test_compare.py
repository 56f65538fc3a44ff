"""``doorstroom compare``: paired multi-seed comparison, resuming, and bad input."""

import csv
import math
import shutil

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy import stats as scipy_stats

from experiments import compare, runs, stats
from experiments.cli import main
from experiments.runs import DETAIL_PREFIXES

FAST = ["--scale", "0.001", "--end", "2026"]
SEEDS = ["--seeds", "2"]


def read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("scenarios")
    paths = {
        "base": d / "base.toml",
        "places": d / "places.toml",
        "same": d / "same.toml",
    }
    paths["base"].write_text('[scenario]\nname = "baseline"\n')
    paths["places"].write_text('[scenario]\nname = "places"\n[wlz]\nverpleeghuis_places = 150000\n')
    paths["same"].write_text('[scenario]\nname = "same"\ndescription = "identical to the baseline"\n')
    return {k: str(v) for k, v in paths.items()}


def args(files, out, *extra, names=("base", "places", "same")):
    return ["compare", *(files[n] for n in names), *SEEDS, *FAST, "--out", str(out), *extra]


@pytest.fixture(scope="module")
def result(files, tmp_path_factory):
    """One comparison (baseline, a policy, a copy of the baseline; 2 seeds), shared by the tests."""
    out = tmp_path_factory.mktemp("cmp") / "out"
    assert main(args(files, out, "--workers", "1")) == 0
    return out


@pytest.fixture
def no_figures(monkeypatch):
    monkeypatch.setattr(compare, "write_figures", lambda *a, **k: [])


def copy_of(result, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(result, dst)
    return dst


def test_compare_writes_tables_runs_and_figures(result):
    rows = read_csv(result / "differences.csv")
    assert tuple(rows[0]) == stats.DIFFERENCE_COLUMNS, f"columns {tuple(rows[0])}"
    assert {r["policy"] for r in rows} == {"places", "same"}, "one block per policy"
    assert {r["year"] for r in rows} == {"2025", "2026"}
    summary = read_csv(result / "summary.csv")
    assert tuple(summary[0]) == stats.SUMMARY_COLUMNS
    assert {r["scenario"] for r in summary} == {"baseline", "places", "same"}
    for scenario in ("baseline", "places", "same"):
        for seed in (1, 2):
            path = result / "runs" / scenario / f"seed_{seed}.parquet"
            assert path.exists(), f"{path} missing"
            meta = runs.read_run_meta(path)
            assert meta["seed"] == seed and meta["scale"] == 0.001 and meta["end_year"] == 2026
            assert set(pq.read_table(path).column_names) == {"year", "indicator", "value"}
    # a difference figure for every indicator some policy changes (an identical one has none)
    changed = {r["indicator"] for r in rows if float(r["mean_difference"]) or float(r["ci_high"])
               or float(r["ci_low"])}
    assert "verpleeghuis_waiting" in changed, "the places policy changes the waiting list"
    for name in stats.MAIN_INDICATORS:
        for kind in ("levels", "difference") if name in changed else ("levels",):
            png = result / "figures" / f"{name}_{kind}.png"
            assert png.exists() and png.read_bytes()[:4] == b"\x89PNG", f"{png.name} missing"
        if name not in changed:
            assert not (result / "figures" / f"{name}_difference.png").exists()
    info = (result / "compare.json").read_text()
    assert '"status": "complete"' in info and '"seeds": [' in info


def test_headline_table_is_printed(files, result, tmp_path, capsys, no_figures):
    out = copy_of(result, tmp_path)
    assert main(args(files, out)) == 0
    printed = capsys.readouterr().out
    assert "places minus baseline" in printed and "same minus baseline" in printed
    assert "verpleeghuis_waiting" in printed and "2025-2026 mean" in printed
    assert "95% interval excludes zero" in printed


def test_paired_differences_equal_separate_runs(files, result, tmp_path):
    runs = {}
    for key in ("base", "places"):
        for seed in (1, 2):
            out = tmp_path / f"{key}{seed}"
            assert main(["run", "--scenario", files[key], "--seed", str(seed), "--quiet", *FAST,
                         "--out", str(out)]) == 0
            t = pq.read_table(out / "indicators.parquet").to_pydict()
            runs[key, seed] = {(n, y): v for y, n, v in zip(t["year"], t["indicator"], t["value"],
                                                            strict=True)}
    rows = {(r["indicator"], int(r["year"])): r
            for r in read_csv(result / "differences.csv") if r["policy"] == "places"}
    checked = 0
    for (name, year), row in rows.items():
        if name.startswith(DETAIL_PREFIXES):  # rows of a comparison only (tests/test_report.py)
            continue
        b = np.array([runs["base", s][name, year] for s in (1, 2)])
        p = np.array([runs["places", s][name, year] for s in (1, 2)])
        if not np.isfinite(b - p).all():
            continue
        d = p - b
        assert float(row["mean_difference"]) == pytest.approx(d.mean(), rel=1e-12, abs=1e-12), name
        assert float(row["baseline_mean"]) == pytest.approx(b.mean(), rel=1e-12), name
        assert float(row["policy_mean"]) == pytest.approx(p.mean(), rel=1e-12), name
        if d.std() > 0:
            low, high = scipy_stats.t.interval(0.95, 1, loc=d.mean(), scale=scipy_stats.sem(d))
            assert float(row["ci_low"]) == pytest.approx(low, rel=1e-9), name
            assert float(row["ci_high"]) == pytest.approx(high, rel=1e-9), name
        assert row["n_seeds"] == "2"
        checked += 1
    assert checked > 50, f"only {checked} indicator-years compared"
    assert float(rows["verpleeghuis_places", 2025]["mean_difference"]) > 0, "the policy adds places"


def test_identical_policy_gives_exactly_zero(result):
    rows = [r for r in read_csv(result / "differences.csv") if r["policy"] == "same"]
    finite = [r for r in rows if r["n_seeds"] != "0"]
    assert len(finite) > 50
    for r in finite:
        assert float(r["mean_difference"]) == 0.0, r
        assert float(r["ci_low"]) == 0.0 and float(r["ci_high"]) == 0.0, r
        assert r["baseline_mean"] == r["policy_mean"], r


def test_number_of_workers_does_not_change_results(files, result, tmp_path, capsys, no_figures):
    out = tmp_path / "two"
    assert main(args(files, out, "--workers", "2")) == 0
    assert "with 2 worker(s)" in capsys.readouterr().err
    for name in ("differences.csv", "summary.csv"):
        assert (out / name).read_bytes() == (result / name).read_bytes(), f"{name} differs"


def test_rerun_skips_finished_runs(files, result, tmp_path, capsys, monkeypatch, no_figures):
    out = copy_of(result, tmp_path)

    def must_not_run(*_a, **_k):
        raise AssertionError("a finished run was computed again")

    monkeypatch.setattr(runs, "run_one", must_not_run)
    assert main(args(files, out)) == 0
    err = capsys.readouterr().err
    assert err.count("skipped") == 6, err
    assert "0 of 6 runs to compute" in err
    assert (out / "differences.csv").read_bytes() == (result / "differences.csv").read_bytes()


def test_interrupted_batch_recomputes_only_the_missing_run(files, result, tmp_path, capsys,
                                                           monkeypatch, no_figures):
    out = copy_of(result, tmp_path)
    missing = out / "runs" / "places" / "seed_2.parquet"
    missing.unlink()
    stale = missing.with_name(".seed_2.parquet.tmp-abc123")
    stale.write_bytes(b"half-written")
    calls = []
    real = runs.run_one

    def counting(scenario, settings, details=False):
        calls.append((scenario.name, settings.seed))
        return real(scenario, settings, details)

    monkeypatch.setattr(runs, "run_one", counting)
    assert main(args(files, out, "--workers", "2")) == 0
    assert calls == [("places", 2)], f"only the missing run may be computed, got {calls}"
    err = capsys.readouterr().err
    assert err.count("skipped") == 5 and "places seed 2: done" in err, err
    assert not stale.exists(), "a leftover temporary file must be removed"
    assert (out / "differences.csv").read_bytes() == (result / "differences.csv").read_bytes()


def test_changed_settings_or_parameters_are_recomputed_with_the_reason(files, result, tmp_path,
                                                                        capsys, no_figures):
    out = copy_of(result, tmp_path)
    cmd = args(files, out)
    cmd[cmd.index("--end") + 1] = "2025"
    assert main(cmd) == 0
    err = capsys.readouterr().err
    assert "6 of 6 runs to compute" in err, err
    assert "recomputing" in err and "another end year (2026, now 2025)" in err, err
    assert runs.read_run_meta(out / "runs" / "places" / "seed_1.parquet")["end_year"] == 2025
    changed = tmp_path / "places.toml"
    changed.write_text('[scenario]\nname = "places"\n[wlz]\nverpleeghuis_places = 160000\n')
    cmd = ["compare", files["base"], str(changed), *SEEDS, *FAST, "--out", str(out)]
    cmd[cmd.index("--end") + 1] = "2025"
    assert main(cmd) == 0
    err = capsys.readouterr().err
    assert "2 of 4 runs to compute" in err and "the scenario's parameters changed" in err, err


def test_one_seed_warns_and_gives_nan_intervals(files, result, tmp_path, capsys, no_figures):
    out = copy_of(result, tmp_path)
    cmd = args(files, out, names=("base", "places"))
    cmd[cmd.index("--seeds") + 1] = "1"
    assert main(cmd) == 0
    assert "warning: with one seed" in capsys.readouterr().err
    rows = read_csv(out / "differences.csv")
    assert all(math.isnan(float(r["ci_low"])) and math.isnan(float(r["ci_high"])) for r in rows)
    assert all(r["n_seeds"] in ("0", "1") for r in rows)


@pytest.mark.parametrize(
    "case, fragment",
    [
        ("missing", "nope.toml' does not exist"),
        ("one", "got 1"),
        ("seeds0", "--seeds 0"),
        ("same_name", "the same name 'baseline'"),
        ("out_file", "is a file"),
        ("foreign", "does not hold doorstroom compare results"),
        ("workers0", "--workers 0"),
        ("run_conflict", "end_year = 2030"),
    ],
)
def test_bad_input_stops_before_any_run(files, tmp_path, capsys, monkeypatch, case, fragment):
    def must_not_run(*_a, **_k):
        raise AssertionError("no run may start on bad input")

    monkeypatch.setattr(runs, "run_one", must_not_run)
    out = tmp_path / "out"
    base, pol = files["base"], files["places"]
    extra = []
    if case == "missing":
        pol = str(tmp_path / "nope.toml")
    elif case == "same_name":
        pol = base
    elif case == "out_file":
        out.write_text("x")
    elif case == "foreign":
        out.mkdir()
        (out / "notes.txt").write_text("precious")
    elif case == "run_conflict":
        pol = str(tmp_path / "conflict.toml")
        (tmp_path / "conflict.toml").write_text('[scenario]\nname = "c"\n[run]\nend_year = 2030\n')
    cmd = ["compare", base, pol, "--seeds", "0" if case == "seeds0" else "2", "--out", str(out),
           "--workers", "0" if case == "workers0" else "1", "--scale", "0.001"]
    if case == "one":
        cmd.remove(pol)
    if case != "run_conflict":
        extra = ["--end", "2026"]
    assert main(cmd + extra) == 2
    err = capsys.readouterr().err
    assert fragment in err, f"message must contain {fragment!r}: {err}"
    if case == "foreign":
        assert sorted(p.name for p in out.iterdir()) == ["notes.txt"], "foreign files must stay"
    elif case == "out_file":
        assert out.read_text() == "x"
    else:
        assert not out.exists(), "nothing may be written on bad input"
