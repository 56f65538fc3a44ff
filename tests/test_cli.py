"""The command line: runs, outputs, bad input, atomic replacement of results."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from experiments import folders
from experiments.cli import main
from sim.params import ParameterError

FAST = ["--scale", "0.001", "--end", "2026", "--quiet"]


def test_run_writes_tidy_indicators_and_manifest(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--out", str(out), "--seed", "3", *FAST]) == 0
    for name in ("chains", "links", "flows"):
        assert (out / f"{name}.parquet").exists(), f"{name}.parquet missing"
    flows = pq.read_table(out / "flows.parquet").to_pydict()
    assert set(flows) == {"year", "from_type", "to_type", "households", "persons"}, set(flows)
    assert sum(flows["households"]) > 0, "moves must be recorded in flows.parquet"
    table = pq.read_table(out / "indicators.parquet").to_pydict()
    assert set(table) == {"year", "indicator", "value"}, f"columns {set(table)}"
    assert set(table["year"]) == {2025, 2026}, f"years {set(table['year'])}"
    for name in ("persons_75plus", "share_75plus_independent", "deaths", "widowhoods",
                 "dementia_persons", "persons_wlz", "households_55plus"):
        assert name in table["indicator"], f"indicator {name} missing"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["seed"] == 3, "manifest must hold the seed"
    assert manifest["settings"]["scale"] == 0.001, "manifest must hold the scale"
    assert "care" in manifest["parameters"], "manifest must hold the resolved parameters"
    assert manifest["git_revision"], "manifest must hold the git revision"
    assert manifest["timings_seconds"]["run"] > 0, "manifest must hold timings"
    printed = capsys.readouterr().out
    assert "persons_75plus" in printed, "a summary table is printed at the end"


def test_same_seed_gives_identical_parquet(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "--out", str(a), "--seed", "1", *FAST]) == 0
    assert main(["run", "--out", str(b), "--seed", "1", *FAST]) == 0
    for name in ("indicators", "chains", "links", "flows"):
        ta = pq.read_table(a / f"{name}.parquet").to_pydict()
        tb = pq.read_table(b / f"{name}.parquet").to_pydict()
        assert ta.keys() == tb.keys(), f"{name}: columns differ"
        for col in ta:
            same = np.array_equal(np.asarray(ta[col]), np.asarray(tb[col]),
                                  equal_nan=isinstance(ta[col][0], float) if ta[col] else False)
            assert same, f"same seed must give the same {name}.parquet (column {col})"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--scale", "abc"], "'abc' is not a number"),
        (["--scale", "0"], "expected a number in (0, 1]"),
        (["--seed", "x"], "'x' is not an integer"),
    ],
)
def test_bad_cli_values_stop_with_a_message(tmp_path, capsys, args, fragment):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--out", str(tmp_path / "o"), *args])
    assert exc.value.code == 2, "argparse errors exit with code 2"
    assert fragment in capsys.readouterr().err, f"message must contain {fragment!r}"
    assert not (tmp_path / "o").exists(), "nothing may be written on bad input"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--end", "2020"], "end_year = 2020"),
        (["--start", "2019"], "start_year = 2019"),
        (["--steps-per-year", "7"], "steps_per_year = 7"),
    ],
)
def test_bad_settings_stop_before_work(tmp_path, capsys, args, fragment):
    assert main(["run", "--out", str(tmp_path / "o"), *args]) == 2
    assert fragment in capsys.readouterr().err, f"message must contain {fragment!r}"
    assert not (tmp_path / "o").exists(), "nothing may be written on bad input"


def test_bad_scenario_files(tmp_path, capsys):
    bad = tmp_path / "typo.toml"
    bad.write_text("[care]\nregie_los_per_year = 0.2\n")
    assert main(["run", "--scenario", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "regie_los_per_year" in err and "regie_loss_per_year" in err, err
    bad.write_text("[care]\ndementia_share_institution = 1.4\n")
    assert main(["run", "--scenario", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "above its maximum" in capsys.readouterr().err
    bad.write_text("[run]\nstart_year = 2030\nend_year = 2026\n")
    assert main(["run", "--scenario", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "end_year = 2026" in capsys.readouterr().err


def test_refuses_to_replace_a_foreign_folder(tmp_path, capsys):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    assert main(["run", "--out", str(foreign), *FAST]) == 2
    assert "refusing to write into it" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text() == "precious", "foreign files must stay"


def test_failed_write_keeps_previous_results(tmp_path, monkeypatch):
    out = tmp_path / "run"
    assert main(["run", "--out", str(out), "--seed", "1", *FAST]) == 0
    before = (out / "manifest.json").read_text()

    def broken(*_a, **_k):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="simulated"):
        main(["run", "--out", str(out), "--seed", "2", *FAST])
    assert (out / "manifest.json").read_text() == before, "old results must be left as they were"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "run"]
    assert not leftovers, f"temporary folders left behind: {leftovers}"


def test_rerun_replaces_previous_results(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--out", str(out), "--seed", "1", *FAST]) == 0
    assert main(["run", "--out", str(out), "--seed", "2", *FAST]) == 0
    assert json.loads((out / "manifest.json").read_text())["settings"]["seed"] == 2


def test_params_lists_every_parameter(capsys):
    assert main(["params"]) == 0
    text = capsys.readouterr().out
    assert "`care.dementia_onset_at80_per_year`" in text and "assumption" in text


def test_check_output_dir_rejects_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ParameterError, match="is a file"):
        folders.check_results_folder(f, "run")


def test_figure_captions_keep_the_dirty_mark_of_the_revision():
    """A figure made from uncommitted code must say so, even with the revision cut short."""
    from experiments.writers import short_revision

    assert short_revision("0123456789abcdef0123+dirty") == "0123456789ab+dirty"
    assert short_revision("0123456789abcdef0123") == "0123456789ab"
    assert short_revision("unknown") == "unknown"
