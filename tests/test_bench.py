import json

from agents.schedule import SCHEDULE
from experiments.cli import main

SCALE_KEYS = ("households", "build_s", "sec_per_year_median", "sec_per_year_min",
              "sec_per_year_max", "peak_rss_mib")
REFERENCE_KEYS = ("households", "array_s_per_step_median", "reference_s_per_step_median",
                  "array_s_per_household_step", "reference_s_per_household_step", "ratio",
                  "reference_build_s")


def test_bench_small_run_prints_table_and_json(capsys):
    code = main(["bench", "--scales", "0.001", "--years", "1", "--reference-households", "3000",
                 "--reference-steps", "2"])
    out = capsys.readouterr().out
    assert code == 0, f"bench returned {code}; stdout:\n{out}"
    lines = out.strip().splitlines()
    assert len(lines) > 2, f"expected a table before the JSON line:\n{out}"
    data = json.loads(lines[-1])
    (scale,) = data["scales"]
    assert scale["scale"] == 0.001
    assert scale["years"] == 1 and len(scale["year_s"]) == 1
    for key in SCALE_KEYS:
        assert scale[key] > 0, f"scales[0][{key!r}] = {scale[key]!r} is not positive"
    assert scale["sec_per_year_min"] <= scale["sec_per_year_median"] <= scale["sec_per_year_max"]
    # the per-phase table: every process of the schedule, their sum within the year's time
    phases = scale["phase_s_per_year"]
    assert list(phases) == [p.name for p in SCHEDULE]
    assert all(v >= 0 for v in phases.values())
    assert sum(phases.values()) <= scale["year_s"][0] * 1.001
    assert {"households", "dwellings", "applicants", "kin.kin"} <= set(scale["memory_mib"])
    assert "by phase" in out and "kin.kin MiB" in out
    # where the peak memory was reached: the build, or a process of the schedule in the run
    peak = scale["peak_set_by"]
    assert peak["process"] == "build" or peak["process"] in phases
    assert 0 < scale["build_peak_rss_mib"] <= peak["rss_mib"] <= scale["self_peak_rss_mib"]
    assert peak["process"] == "build" or 2025 <= peak["year"] <= 2025 and 0 <= peak["step"] < 12
    assert "peak RSS" in out and "last raised by" in out
    ref = data["reference"]
    for key in REFERENCE_KEYS:
        assert ref[key] > 0, f"reference[{key!r}] = {ref[key]!r} is not positive"
    assert ref["steps"] == 2
    assert len(ref["array_step_s"]) == len(ref["reference_step_s"]) == 2
    assert 2000 < ref["households"] < 4000, f"{ref['households']} households, requested 3000"


def test_bench_rejects_non_numeric_scale(capsys):
    code = main(["bench", "--scales", "0.01,abc", "--years", "1"])
    err = capsys.readouterr().err
    assert code == 2, f"expected exit code 2, got {code}"
    assert "'abc'" in err, f"message must name the bad value: {err}"


def test_bench_rejects_scale_outside_unit_interval(capsys):
    code = main(["bench", "--scales", "1.5", "--years", "1"])
    err = capsys.readouterr().err
    assert code == 2, f"expected exit code 2, got {code}"
    assert "'1.5'" in err and "(0, 1]" in err, f"message must name the bad value: {err}"
