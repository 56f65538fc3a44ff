"""Reliability: nothing foreign is deleted, valid input never crashes, bad input gets a message,
signals stop cleanly, kills are recovered from, a second writer is stopped."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from agents.model import DoorstroomModel
from agents.schedule import SCHEDULE
from experiments import folders
from experiments.cli import main
from experiments.scenario import scenario_from_dict
from sim.engine import NumericalError
from sim.invariants import InvariantError
from sim.outputs import declare
from sim.params import ParameterError, RunSettings
from sim.process import Process

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FAST = ["--scale", "0.002", "--end", "2026", "--quiet"]


def doorstroom(*args, **kwargs) -> subprocess.CompletedProcess:
    """Runs the command line in a fresh process."""
    return subprocess.run([PYTHON, "-m", "experiments.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, **kwargs)


# --- 1. never delete what is not ours ------------------------------------------------------------
def test_folder_with_a_common_manifest_name_is_not_replaced(tmp_path, capsys):
    w = tmp_path / "w"
    w.mkdir()
    (w / "manifest.json").write_text("{}")
    (w / "index.html").write_text("x")
    assert main(["run", *FAST, "--out", str(w)]) == 2
    assert (w / "index.html").read_text() == "x", "a file doorstroom did not write was lost"
    assert "does not hold doorstroom run results" in capsys.readouterr().err


def test_results_folder_with_a_foreign_file_is_not_replaced(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", *FAST, "--out", str(out)]) == 0
    assert json.loads((out / folders.MARKER).read_text())["kind"] == "run"
    (out / "notes.txt").write_text("mine")
    assert main(["run", *FAST, "--out", str(out)]) == 2
    assert (out / "notes.txt").read_text() == "mine"
    assert "notes.txt" in capsys.readouterr().err
    (out / "notes.txt").unlink()
    assert main(["run", *FAST, "--out", str(out)]) == 0, "its own results are replaced"


def test_folders_of_another_kind_are_refused(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", *FAST, "--out", str(out)]) == 0
    base = tmp_path / "b.toml"
    base.write_text('[scenario]\nname = "baseline"\n')
    other = tmp_path / "p.toml"
    other.write_text('[scenario]\nname = "p"\n')
    assert main(["compare", str(base), str(other), "--seeds", "1", "--scale", "0.001", "--end", "2025",
                 "--out", str(out)]) == 2
    assert "holds doorstroom run results, not compare results" in capsys.readouterr().err


def test_run_folder_from_before_the_marker_is_still_replaced(tmp_path):
    out = tmp_path / "out"
    assert main(["run", *FAST, "--out", str(out)]) == 0
    (out / folders.MARKER).unlink()
    assert main(["run", *FAST, "--out", str(out)]) == 0


# --- 2. every accepted size runs ---------------------------------------------------------------
@pytest.mark.parametrize("scale", [1e-5, 1e-4, 2e-4])
def test_tiny_populations_run_to_the_end(tmp_path, scale):
    out = tmp_path / "x"
    assert main(["run", "--scale", str(scale), "--seed", "2", "--end", "2040", "--quiet", "--debug",
                 "--out", str(out)]) == 0
    assert (out / "indicators.parquet").exists()


def test_scale_below_the_bound_is_refused(tmp_path, capsys):
    assert main(["run", "--scale", "1e-9", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "1e-09" in err and "at least" in err, err
    assert not (tmp_path / "x").exists()


def test_zero_intention_shares_run():
    s = scenario_from_dict({"moving": {"intention_definite_share": [0.0, 0.0, 0.0, 0.0],
                                       "intention_maybe_share": [0.0, 0.1, 0.0, 0.2]}})
    m = DoorstroomModel(s.parameters(), RunSettings(scale=0.001, seed=1, end_year=2026), debug=True)
    m.run()
    v = {(y, n): x for y, n, x in m.records}
    assert v[(2026, "intention_definite_65_74")] == 0.0, "a zero share gives no such intention"


# --- 5. messages instead of tracebacks ---------------------------------------------------------
@pytest.mark.parametrize("text, fragment", [
    ('[[change]]\nyear = 2027\npolicy = 1\n', "[change.policy] must be a table"),
    ('[[change]]\nyear = "2027"\n[[change]]\nyear = 2028\n', "year = '2027'"),
    ('[moving]\nintention_definite_share = [0.5, 0.5, 0.5, 0.5]\n'
     'intention_maybe_share = [0.5, 0.1, 0.1, 0.1]\n', "expected a sum below 1"),
    ('[turnover]\nnew_dwelling_type_shares = [0, 0, 0, 0]\n', "at least one share above 0"),
    ('[run]\nsteps_per_year = true\n', "steps_per_year = True"),
    ('[care]\nheavy_onset_at80_per_year = [0.1, true, 0.1, 0.1]\n', "True is not a number"),
    ('[[change]]\nyear = 2027\n[change.wlz]\nverpleeghuis_places = 1000\n',
     "read only when the model is built"),
    ('[[change]]\nyear = 2027\n[change.housing]\ninitial_vacancy_rate = 0.05\n',
     "read only when the model is built"),
])
def test_bad_scenarios_get_a_message_naming_file_and_value(tmp_path, capsys, text, fragment):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    assert main(["run", "--scenario", str(f), *FAST, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "bad.toml" in err, err
    assert not (tmp_path / "o").exists()


def test_params_into_a_closed_pipe_ends_quietly():
    proc = subprocess.run(f"{PYTHON} -m experiments.cli params | head -1", shell=True, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.startswith("| parameter")


def test_out_on_a_folder_that_cannot_be_written_is_refused_before_work(capsys):
    assert main(["run", *FAST, "--out", "/proc/doorstroom-results"]) == 2
    assert "not writable" in capsys.readouterr().err


# --- 7, 8. leftovers after kills, concurrent writers -------------------------------------------
def test_a_second_writer_is_stopped_and_a_dead_ones_lock_taken_over(tmp_path, capsys):
    out = tmp_path / "out"
    with folders.folder_lock(out):
        proc = doorstroom("run", *FAST, "--out", str(out))
        assert proc.returncode == 2, proc.stderr
        assert f"process {os.getpid()}" in proc.stderr, proc.stderr
    folders.lock_path(out).write_text("12345")  # left by a killed process: nobody holds it
    assert main(["run", *FAST, "--out", str(out)]) == 0
    assert not folders.lock_path(out).exists(), "the lock file is removed at the end"


def test_interrupted_replacement_is_rolled_back_and_leftovers_removed(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", *FAST, "--out", str(out)]) == 0
    before = (out / "indicators.parquet").read_bytes()
    old = tmp_path / ".out.old-999"
    out.rename(old)  # killed between the two renames: only the old copy is left
    (tmp_path / ".out.tmp-999-abc").mkdir()
    stale = tmp_path / ".out.tmp-999-abc" / "indicators.parquet"
    stale.write_bytes(b"half")
    assert main(["run", *FAST, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "restored" in err and "removed .out.tmp-999-abc" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "nothing is left beside it"
    assert (out / "indicators.parquet").read_bytes() == before, "same seed, same results"


# --- 9. named errors ----------------------------------------------------------------------------
def test_invariants_raise_a_named_error_under_python_O():
    code = ("from agents.model import DoorstroomModel; from sim.params import RunSettings\n"
            "m = DoorstroomModel(settings=RunSettings(scale=0.001, seed=1, end_year=2025))\n"
            "m.dwellings.occupant[m.households.dwelling_id[0]] = -1\n"
            "m.check_invariants()\n")
    proc = subprocess.run([PYTHON, "-O", "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert "InvariantError" in proc.stderr and "occupant" in proc.stderr, proc.stderr


def _divider(ctx):
    """Divides by zero (a test process)."""
    ctx.record.flow("quotient", float(np.float64(1.0) / np.zeros(1)[0]))


DIVIDER = Process("divider", _divider, records=declare(("quotient", "x", "A quotient", "flow")))


def test_numeric_warnings_are_errors_in_debug_and_counted_otherwise():
    settings = RunSettings(scale=0.001, seed=1, end_year=2025)
    with pytest.raises(NumericalError, match="divider"):
        DoorstroomModel(settings=settings, processes=(*SCHEDULE, DIVIDER), debug=True).step()
    m = DoorstroomModel(settings=settings, processes=(*SCHEDULE, DIVIDER))
    m.step()
    assert m.numeric_warnings["divider: floating-point divide by zero"] == 1, m.numeric_warnings


def test_invariant_error_is_raised_by_debug_runs():
    m = DoorstroomModel(settings=RunSettings(scale=0.001, seed=1, end_year=2025), debug=True)
    hh = m.households
    single = np.flatnonzero(hh.active & ~hh.present[:, 1])[0]
    hh.dementia[single, 1] = True  # on an empty slot
    with pytest.raises(InvariantError, match="dementia flag on an empty slot"):
        m.step()


def test_dated_change_of_a_start_up_parameter_is_refused_by_the_model():
    m = DoorstroomModel(settings=RunSettings(scale=0.001, seed=1, end_year=2028))
    with pytest.raises(ParameterError, match="population.couple_age_gap_years is read only"):
        m.schedule_parameter_change(2027, {"population": {"couple_age_gap_years": 1.0}})


# --- 3, 4. signals -----------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    """Process ids of the descendants of ``pid``."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        out += [int(k) for k in kids]
        todo += [int(k) for k in kids]
    return out


def _workers(pid: int) -> list[int]:
    """The worker processes of a command: the children of its children (its forkserver forks them; the
    forkserver itself starts with the command, before any worker)."""
    def kids(p: int) -> list[int]:
        try:
            return [int(k) for k in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            return []
    return [w for c in kids(pid) for w in kids(c)]


def _wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_run_stops_on_a_signal_and_keeps_earlier_results(tmp_path, sig, code):
    out = tmp_path / "out"
    assert main(["run", *FAST, "--out", str(out)]) == 0
    before = (out / "indicators.parquet").read_bytes()
    proc = subprocess.Popen([PYTHON, "-m", "experiments.cli", "run", "--scale", "0.01", "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(6)  # imports, the population, a few simulated years: well before the end (about 20 s)
    assert proc.poll() is None, "the run ended before the signal"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err and f"stopped by {signal.Signals(sig).name}" in err, err
    assert (out / "indicators.parquet").read_bytes() == before, "earlier results are untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no temporary is left"


@pytest.fixture(scope="module")
def scenario_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("sc")
    (d / "base.toml").write_text('[scenario]\nname = "baseline"\n')
    (d / "policy.toml").write_text('[scenario]\nname = "policy"\n[[change]]\nyear = 2027\n'
                                   '[change.policy]\nmoving_allowance_eur = 5000.0\n')
    return [str(d / "base.toml"), str(d / "policy.toml")]


COMPARE = ["--seeds", "3", "--scale", "0.003", "--end", "2030", "--workers", "2"]


@pytest.mark.slow
@pytest.mark.parametrize("sig, code, group", [(signal.SIGINT, 130, True), (signal.SIGINT, 130, False),
                                              (signal.SIGTERM, 143, False)])
def test_compare_with_two_workers_stops_promptly_and_leaves_no_process(tmp_path, scenario_files, sig,
                                                                        code, group):
    """``group``: the signal goes to the whole process group, as Ctrl-C in a terminal sends it."""
    out = tmp_path / "cmp"
    proc = subprocess.Popen([PYTHON, "-m", "experiments.cli", "compare", *scenario_files, *COMPARE,
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert _wait_for(lambda: len(_workers(proc.pid)) >= 2, 60), "workers did not start"
    time.sleep(2)
    kids = _children(proc.pid)
    t0 = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 15, "the command must stop promptly"
    assert proc.returncode == code, err
    assert "Traceback" not in err and "rerun the same command to resume" in err, err
    assert _wait_for(lambda: not any(Path(f"/proc/{k}").exists() for k in kids), 10), (
        "a worker process was left running")
    assert main(["compare", *scenario_files, *COMPARE, "--out", str(out)]) == 0, "it resumes"


@pytest.mark.slow
def test_second_signal_ends_at_once_without_traceback(tmp_path):
    proc = subprocess.Popen([PYTHON, "-m", "experiments.cli", "run", "--scale", "0.01",
                             "--out", str(tmp_path / "o")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(5)
    # the handler of the first signal ends the run; a second, sent at once, must not hang or trace
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err, err


def test_a_corrupt_run_file_is_recomputed_with_its_name(tmp_path, scenario_files, capsys):
    args = ["compare", *scenario_files, "--seeds", "1", "--scale", "0.001", "--end", "2025",
            "--workers", "1", "--out", str(tmp_path / "cmp")]
    assert main(args) == 0
    run = tmp_path / "cmp" / "runs" / "policy" / "seed_1.parquet"
    good = run.read_bytes()
    run.write_bytes(good[: len(good) // 2])
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    assert f"recomputing {run}: the file cannot be read" in err, err
    assert run.read_bytes() == good


# --- issue 16: a stored run is reused only if everything that makes its result is the same ----------
@pytest.mark.slow
def test_edited_dated_change_recomputes_only_the_changed_runs(tmp_path, capsys):
    base = tmp_path / "baseline.toml"
    base.write_text('[scenario]\nname = "baseline"\n')
    pol = tmp_path / "doorstroom.toml"
    text = ('[scenario]\nname = "doorstroom"\n[[change]]\nyear = 2026\n[change.policy]\n'
            'keep_rent = {k}\nmoving_allowance_eur = {f}\n')
    pol.write_text(text.format(k="true", f=2500.0))
    args = ["compare", str(base), str(pol), "--seeds", "2", "--scale", "0.002", "--end", "2027",
            "--workers", "1", "--out", str(tmp_path / "cmp")]
    assert main(args) == 0
    first = (tmp_path / "cmp" / "differences.csv").read_text()
    stamp = {p: p.stat().st_mtime_ns for p in (tmp_path / "cmp" / "runs").rglob("*.parquet")}
    capsys.readouterr()
    pol.write_text(text.format(k="false", f=9000.0))
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "2 of 4 runs to compute" in err, err
    assert "the scenario's dated changes changed" in err, err
    for path, ns in stamp.items():
        changed = path.stat().st_mtime_ns != ns
        assert changed == (path.parent.name == "doorstroom"), f"{path}: recomputed {changed}"
    assert (tmp_path / "cmp" / "differences.csv").read_text() != first, "the edit shows"
    info = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    dated = [sc["dated_changes"] for sc in info["scenarios"] if sc["name"] == "doorstroom"][0]
    assert dated == [{"year": 2026, "policy": {"keep_rent": False,
                                               "moving_allowance_eur": 9000.0}}], dated


# --- property-based: random valid scenarios and small scales keep every invariant ------------------
hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

FRACTION = st.floats(0.0, 1.0)


@st.composite
def scenarios(draw):
    """Random valid scenarios: policy levers within their bounds, a dated change, some rates."""
    policy = draw(st.fixed_dictionaries({}, optional={
        "programme_nultreden_total": st.floats(0, 3e5), "programme_geclusterd_total": st.floats(0, 2e5),
        "programme_zorggeschikt_total": st.floats(0, 1e5), "programme_social_share": FRACTION,
        "logeerzorg_share": FRACTION, "logeerzorg_burden_factor": FRACTION,
        "verpleeghuis_places_target": st.floats(0, 2e5), "wlz_at_home_in_zorggeschikt": st.booleans(),
        "verzorgingshuis_places_total": st.floats(0, 1e5),
        "verzorgingshuis_places_per_year": st.floats(0, 5e4),
        "verzorgingshuis_first_year": st.integers(2025, 2030),
        "verzorgingshuis_min_age_years": st.floats(0, 120),
        "verzorgingshuis_wlz_stay_share": FRACTION,
        "kostendelersnorm": st.sampled_from(["current", "abolished", "exempt_older"]),
        "sharing_per_year": st.floats(0, 2), "sharing_per_year_with_cut": st.floats(0, 1),
        "hospitaverhuur": st.booleans(), "hospita_tenants_allowed": st.booleans(),
        "hospita_per_year": st.floats(0, 1), "lodger_counts_for_kostendelersnorm": st.booleans(),
        "hospita_contract_max_years": st.floats(0.1, 50),
    }))
    first, last = sorted(draw(st.lists(st.integers(2025, 2035), min_size=2, max_size=2)))
    policy |= {"programme_first_year": first, "programme_last_year": last}
    data = {"scenario": {"name": "hypothesis"}, "policy": policy,
            "care": {"dementia_onset_at80_per_year": draw(st.floats(0, 0.2)),
                     "heavy_rr_dementia": draw(st.floats(0, 10))},
            "moving": {"accept_probability": draw(FRACTION),
                       "search_give_up_per_year": draw(st.floats(0, 12))}}
    if draw(st.booleans()):
        data["change"] = [{"year": 2026, "policy": {
            "moving_allowance_eur": draw(st.floats(0, 20_000)),
            "keep_rent": draw(st.booleans()),
            "older_mover_priority_all_types": draw(st.booleans())}}]
    return data


@pytest.mark.slow
@hypothesis.settings(max_examples=30, deadline=None,
                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(data=scenarios(), seed=st.integers(0, 2**31 - 1),
                  scale=st.sampled_from([1e-5, 2e-4, 1e-3]))
def test_random_valid_scenarios_keep_every_invariant(data, seed, scale):
    scenario = scenario_from_dict(data, source="hypothesis")
    settings = RunSettings(scale=scale, seed=seed, end_year=2026)
    model = DoorstroomModel(scenario.parameters(), settings, debug=True)  # raises on any break
    for year, changes in scenario.dated:
        model.schedule_parameter_change(year, changes)
    model.run()
    assert model.steps == model.total_steps


@pytest.mark.slow
def test_ctrl_c_while_the_worker_server_starts_prints_no_traceback(tmp_path, scenario_files):
    """Ctrl-C (SIGINT to the group) 0.3 s after the first child appears, while the forkserver imports."""
    proc = subprocess.Popen([PYTHON, "-m", "experiments.cli", "compare", *scenario_files, *COMPARE,
                             "--out", str(tmp_path / "cmp")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert _wait_for(lambda: len(_children(proc.pid)) >= 1, 60), "no child started"
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err, err
