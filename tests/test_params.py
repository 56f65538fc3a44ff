import numpy as np
import pytest

from experiments.scenario import load_scenario, scenario_from_dict
from sim.codes import NOT_SEARCHING, NOT_WAITING
from sim.households import COLUMNS
from sim.params import GROUPS, KINDS, ParameterError, Parameters, PolicyParams, RunSettings, parameter_table


def test_defaults_are_valid_and_round_trip():
    p = Parameters()
    again = Parameters.from_dict(p.to_dict())
    assert again == p, "to_dict/from_dict must round-trip the defaults"


def test_every_parameter_has_unit_kind_and_source():
    for row in parameter_table():
        assert row["unit"], f"{row['name']} has no unit"
        assert row["kind"] in KINDS, f"{row['name']} has kind {row['kind']!r}"
        assert len(row["source"]) > 10, f"{row['name']} has no real source text"


def test_unknown_key_lists_valid_names():
    with pytest.raises(ParameterError) as err:
        Parameters.from_dict({"care": {"dementia_onset_at80_per_yer": 0.02}})
    msg = str(err.value)
    assert "dementia_onset_at80_per_yer" in msg, f"message must name the bad key: {msg}"
    assert "dementia_onset_at80_per_year" in msg, f"message must list valid names: {msg}"


def test_unknown_group_lists_valid_groups():
    with pytest.raises(ParameterError) as err:
        Parameters.from_dict({"kare": {}})
    msg = str(err.value)
    assert "kare" in msg and "care" in msg, f"message must name the group and the valid ones: {msg}"


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"care": {"regie_loss_per_year": -0.1}}, "below its minimum"),
        ({"care": {"dementia_share_institution": 1.5}}, "above its maximum"),
        ({"care": {"heavy_onset_at80_per_year": [0.1, 0.2]}}, "must be a list of 4"),
        ({"care": {"dementia_min_care_state": 2.5}}, "expected an integer"),
        ({"demography": {"mortality_improvement_scale": "x"}}, "not a number"),
        ({"turnover": {"union_per_year": [0.2, 0.1]}}, "one rate per band"),
        ({"turnover": {"union_age_years": [20, 40, 30, 50, 65]}}, "expected increasing ages"),
        ({"wlz": {"registration_half_wait_months": 0.0}}, "below its minimum"),
    ],
)
def test_impossible_values_are_rejected(changes, fragment):
    with pytest.raises(ParameterError) as err:
        Parameters.from_dict(changes)
    assert fragment in str(err.value), f"expected {fragment!r} in {err.value}"


@pytest.mark.parametrize(
    "settings, fragment",
    [
        ({"scale": 0}, "scale"),
        ({"scale": 1.5}, "scale"),
        ({"seed": -1}, "seed"),
        ({"start_year": 2020}, "start_year"),
        ({"end_year": 2024}, "end_year"),
        ({"steps_per_year": 5}, "steps_per_year"),
    ],
)
def test_bad_run_settings(settings, fragment):
    with pytest.raises(ParameterError) as err:
        RunSettings(**settings)
    assert fragment in str(err.value), f"message must name {fragment}: {err.value}"


def test_scenario_unknown_table_and_run_key():
    with pytest.raises(ParameterError, match="unknown table"):
        scenario_from_dict({"polcy": {}})
    with pytest.raises(ParameterError, match="valid"):
        scenario_from_dict({"run": {"scael": 0.1}})
    with pytest.raises(ParameterError, match="end_year"):
        scenario_from_dict({"run": {"start_year": 2030, "end_year": 2029}})


def test_scenario_file_errors(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[care\nx=1")
    with pytest.raises(ParameterError, match="not valid TOML"):
        load_scenario(bad)


def test_shipped_baseline_scenario_loads():
    from pathlib import Path

    path = Path(__file__).parent.parent / "experiments" / "scenarios" / "baseline.toml"
    sc = load_scenario(path)
    assert sc.name == "baseline", f"unexpected name {sc.name}"
    assert sc.parameters() == Parameters(), "the baseline must equal the defaults"


def test_groups_have_distinct_names():
    names = [g.group_name() for g in GROUPS]
    assert len(set(names)) == len(names), f"duplicate group names {names}"


def test_every_step_a_run_can_write_fits_the_int16_step_columns():
    """The households' step columns are int16: the last step of the longest run allowed, plus the
    longest hospita contract the bounds allow, fit, and the "none" markers are int16's smallest."""
    longest = RunSettings(end_year=2100, steps_per_year=12)
    bounds = PolicyParams.__dataclass_fields__["hospita_contract_max_years"].metadata["bounds"]
    contract_steps = bounds[1] * 12
    assert (2100 - 2025 + 1) * longest.steps_per_year + contract_steps < np.iinfo(np.int16).max
    for name in ("wlz_step", "wlz_wait_since", "widowed_step", "arrived_step", "search_since",
                 "lodger_until"):
        assert COLUMNS[name][0] is np.int16, name
    assert NOT_SEARCHING == NOT_WAITING == np.iinfo(np.int16).min
