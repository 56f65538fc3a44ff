"""The Mesa reference model (agents/reference.py) against the array engine (sim/model.py).

Both engines start from the identical population and run the same rules (the array engine
restricted to the phases the reference reproduces) with different seeds, so they agree in
distribution, not draw for draw. Each yearly rate pooled over five years (events per 1000 persons
aged 55+ per year) must agree within ``Z_MAX`` standard errors, taken from the Poisson counts of
events in unweighted households. The comparison is shown to detect a doubled dementia incidence.
"""

from __future__ import annotations

import copy
import math

import pytest

from agents.reference import PHASES, ReferenceModel
from sim import outputs
from sim.model import DoorstroomModel
from sim.params import Parameters, RunSettings
from sim.population import build_population

SCALE = 0.002  # about 16,800 households, 25,900 adults
POP_SEED = 3
END_YEAR = 2029  # five simulated years, 2025-2029
N_YEARS = 5
ARRAY_SEED = 101
REFERENCE_SEED = 202
Z_MAX = 4.0
RATES = ("deaths", "widowhoods", "households_dissolved", "dementia_onsets", "limitation_onsets",
         "wlz_indications_new")
EXPOSURE = "persons_55plus"


def _settings(seed: int, scale: float = SCALE, end_year: int = END_YEAR) -> RunSettings:
    return RunSettings(scale=scale, seed=seed, end_year=end_year)


def summarise(records, weight: float) -> dict[str, float]:
    """Pools records over the years: unweighted event counts and person-years aged 55+.

    ``weight`` is the (uniform) household weight: national values divided by it are counts of
    simulated persons or households.
    """
    out = dict.fromkeys((*RATES, EXPOSURE), 0.0)
    years = set()
    for year, name, value in records:
        if name in out:
            out[name] += value / weight
            years.add(year)
    assert len(years) == N_YEARS, f"expected {N_YEARS} recorded years, got {sorted(years)}"
    return out


def compare(a: dict[str, float], b: dict[str, float], z_max: float = Z_MAX) -> list[str]:
    """Rates per 1000 persons 55+ per year that differ by more than ``z_max`` standard errors."""
    bad = []
    for name in RATES:
        ra, rb = (1000.0 * s[name] / s[EXPOSURE] for s in (a, b))
        se = 1000.0 * math.sqrt(a[name] / a[EXPOSURE] ** 2 + b[name] / b[EXPOSURE] ** 2)
        z = (ra - rb) / se if se > 0 else (0.0 if ra == rb else math.inf)
        if abs(z) > z_max:
            bad.append(f"{name}: {ra:.3f} vs {rb:.3f} per 1000 persons 55+ per year (z = {z:.1f})")
    return bad


def run_array(hh, params: Parameters | None = None, seed: int = ARRAY_SEED) -> dict[str, float]:
    """Runs the array engine on a copy of ``hh``, restricted to the reference's phases."""
    model = DoorstroomModel(params=params, settings=_settings(seed), households=copy.deepcopy(hh))
    names = [p.name for p in model.phases]
    missing = [p for p in PHASES if p not in names]
    assert not missing, f"array engine lacks phases {missing}; it has {names}"
    model.phases = tuple(p for p in model.phases if p.name in PHASES)
    model.run()
    return summarise(model.records, float(hh.weight[0]))


@pytest.fixture(scope="module")
def population():
    hh = build_population(SCALE, POP_SEED)
    assert (hh.weight == hh.weight[0]).all(), "test assumes a uniform household weight"
    return hh


@pytest.fixture(scope="module")
def reference_summary(population):
    model = ReferenceModel.from_households(population, settings=_settings(REFERENCE_SEED))
    model.run(N_YEARS)
    summary = summarise(model.records, float(population.weight[0]))
    # the unweighted counts the model keeps itself agree with weighted / weight
    for name in RATES:
        counted = sum(c for _, n, c in model.count_records if n == name)
        assert counted == pytest.approx(summary[name]), (
            f"{name}: count_records {counted} vs weighted flows / weight {summary[name]}"
        )
    return summary


@pytest.fixture(scope="module")
def array_summary(population):
    return run_array(population)


def test_reference_agrees_with_array_engine(reference_summary, array_summary):
    bad = compare(array_summary, reference_summary)
    assert not bad, "array engine vs reference model differ beyond 4 SE: " + "; ".join(bad)
    for name in RATES:
        assert array_summary[name] > 50 and reference_summary[name] > 50, (
            f"{name}: too few events to test (array {array_summary[name]}, "
            f"reference {reference_summary[name]})"
        )
    e_a, e_r = array_summary[EXPOSURE], reference_summary[EXPOSURE]
    assert abs(e_a / e_r - 1.0) < 0.01, f"{EXPOSURE} person-years: array {e_a} vs reference {e_r}"


def test_comparison_detects_doubled_dementia_incidence(population, reference_summary):
    params = Parameters.from_dict({"care": {"dementia_onset_at80_per_year": 0.021}})
    bad = compare(run_array(population, params), reference_summary)
    assert any(b.startswith("dementia_onsets") for b in bad), (
        f"doubled dementia incidence not detected; differences reported: {bad}"
    )


def test_comparison_function_flags_only_real_differences():
    a = {"deaths": 1000.0, "widowhoods": 400.0, "households_dissolved": 900.0,
         "dementia_onsets": 300.0, "limitation_onsets": 800.0, "wlz_indications_new": 250.0,
         EXPOSURE: 60_000.0}
    assert compare(a, dict(a)) == [], "identical counts reported as different"
    b = dict(a, widowhoods=2 * a["widowhoods"])
    bad = compare(a, b)
    assert len(bad) == 1 and bad[0].startswith("widowhoods"), f"expected widowhoods only: {bad}"


@pytest.fixture(scope="module")
def small_population():
    return build_population(0.0005, POP_SEED)


def _small_run(hh, seed: int) -> ReferenceModel:
    model = ReferenceModel.from_households(hh, settings=_settings(seed, scale=0.0005))
    model.run(1)
    return model


def test_reference_same_seed_identical_results(small_population):
    first, second = (_small_run(small_population, 7) for _ in range(2))
    assert first.records == second.records, "same seed, different records"
    assert first.count_records == second.count_records, "same seed, different event counts"
    other = _small_run(small_population, 8)
    assert other.records != first.records, "a different seed gave identical records"


def test_reference_starts_from_the_identical_population(small_population):
    hh = small_population
    model = ReferenceModel.from_households(hh, settings=_settings(1, scale=0.0005))
    assert len(model.households) == int(hh.active.sum()), (
        f"{len(model.households)} agents for {int(hh.active.sum())} active households"
    )
    expected = outputs.stocks(hh)
    for name, value in model.stocks().items():
        assert value == pytest.approx(expected[name]), (
            f"{name} at start: reference {value} vs sim.outputs.stocks {expected[name]}"
        )
