"""``doorstroom validate``: projection points, the comparison table, figures, bad input."""

import csv
import json
import math

import pytest

from experiments import validate
from experiments.cli import main
from sim.params import ParameterError, RunSettings


def test_every_projection_point_names_a_known_indicator_and_a_source():
    points = validate.projection_points()
    assert len(points) >= 12, f"{len(points)} points"
    for p in points:
        assert p.source and p.status in ("verified", "secondary", "derived"), f"{p}: source and status"
        assert 0 < p.tolerance < 1 and p.value > 0, f"{p}"
    assert {p.indicator for p in points if p.role == "target"} >= {
        "households_total", "households_one_person", "persons_total", "persons_80plus",
        "dementia_persons", "wlz_admissions", "verpleeghuis_waiting"}


def test_gap_and_within_follow_the_tolerance():
    points = [validate.Point("households_total", 2030, 100.0, 0.02, "target", "verified", "x")]
    rows = validate.compare_points(points, [{(2030, "households_total"): 101.0},
                                            {(2030, "households_total"): 103.0}])
    assert rows[0]["model_mean"] == 102.0 and rows[0]["relative_gap"] == pytest.approx(0.02)
    assert rows[0]["within"], "a gap equal to the tolerance is within it"
    rows = validate.compare_points(points, [{}])
    assert math.isnan(rows[0]["model_mean"]) and not rows[0]["within"], "a missing value is a miss"


@pytest.mark.slow
def test_validate_writes_table_figures_and_summary(tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", "--scale", "0.002", "--seeds", "2", "--end", "2030", "--workers", "2",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "households_total" in text and "targets within their tolerance" in text, text
    with open(out / "validation.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["indicator"] for r in rows} >= {"households_total", "wlz_admissions"}
    assert all(int(r["year"]) <= 2030 for r in rows), "only points within the horizon"
    info = json.loads((out / "validate.json").read_text())
    assert info["targets"] == sum(r["role"] == "target" for r in rows)
    assert (out / "figures" / "households_total.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["validate", "--scale", "0.002", "--seeds", "1", "--end", "2030", "--workers", "1",
                 "--out", str(out)]) == 0, "a validation folder is replaced in place"


def test_bad_input_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="--seeds 0"):
        validate.validate(None, RunSettings(scale=0.001), 0, tmp_path / "v", 1, print)
    with pytest.raises(ParameterError, match="no projection point"):
        validate.validate(None, RunSettings(scale=0.001, start_year=2026, end_year=2026), 1,
                          tmp_path / "v", 1, print)


SAMPLING_ALLOWANCE = 0.01
"""Added to each target's tolerance for one seed at scale 0.01: over seeds 1-3 the model's range
around its mean is at most 0.6% for the household and population counts, 1.7% for dementia, 3.5%
for the Wlz admissions and 8% for the waiting list (whose tolerance is 25%)."""


@pytest.mark.slow
def test_baseline_tracks_the_published_projections(tmp_path):
    """The baseline to 2050 (scale 0.01, seed 1) meets every target within its tolerance.

    Tight enough to fail on the drifts of the first baseline (households 2050 -3.8%, one-person
    households 2050 -11%, persons 2050 -3.6%, 80+ in 2045 +7.8%, dementia 2040 -11%, Wlz admissions
    2025 -36%), wide enough for one seed's sampling noise.
    """
    rows = validate.validate(None, RunSettings(scale=0.01, seed=1), 1, tmp_path / "val", 1,
                             lambda line: None)
    targets = [r for r in rows if r["role"] == "target"]
    assert len(targets) >= 13, f"every target point is compared: {len(targets)}"
    missed = [f"{r['indicator']} {r['year']}: {r['relative_gap']:+.1%} (tolerance {r['tolerance']:.0%})"
              for r in targets if not abs(r["relative_gap"]) <= r["tolerance"] + SAMPLING_ALLOWANCE]
    assert not missed, "targets missed: " + "; ".join(missed)
