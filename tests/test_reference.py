"""The Mesa reference model (agents/reference.py) against the array engine (agents/model.py).

Both engines start from the identical state: the array model is built first and the reference takes
deep copies of its households, dwellings and intention intercepts before either steps. They then run
the same rules (the array engine restricted to the phases the reference reproduces,
``agents.reference.PHASES``) with different seeds, so they agree in distribution, not draw for draw.

Rates are pooled over the five simulated years and must agree within ``Z_MAX`` standard errors:

* demography and care: events per 1000 persons aged 55+ per year, standard errors from the Poisson
  counts of events in unweighted households;
* moves: moving persons 65-74 per 1000 persons 65-74 (``move_rate_65_74``), 75+ per 1000 persons
  75+, 55+ per 1000 persons 55+, and moving households and moving persons per 1000 private
  households. Persons move together (a couple counts two movers), so the Poisson variance of a count
  of movers is scaled by ``sum(n**2) / sum(n)`` over moves, taken from the reference's records;
* the destination of moving households (regular, nultreden, geclusterd, zorggeschikt), all movers and
  movers whose oldest adult is 55+: difference of two shares over its binomial standard error.

The comparisons are shown to detect a doubled dementia incidence and a tripled hazard of starting a
search with a definite intention.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from agents.intention import intention_logits
from agents.model import DoorstroomModel
from agents.reference import PHASES, ReferenceModel, situation_logits
from sim import outputs
from sim.codes import DWELLING_TYPES, VERPLEEGHUIS, is_institution
from sim.params import Parameters, RunSettings
from sim.population import build_population

SCALE = 0.002  # about 16,500 households, 25,900 adults
POP_SEED = 3
END_YEAR = 2029  # five simulated years, 2025-2029
N_YEARS = 5
ARRAY_SEED = 101
REFERENCE_SEED = 202
Z_MAX = 4.0
DEMOGRAPHY = {name: (name, "persons_55plus") for name in (
    "deaths", "widowhoods", "households_dissolved", "dementia_onsets", "limitation_onsets",
    "wlz_indications_new")}
"""Rate name -> (event flow, exposure stock): events per 1000 persons 55+ per year."""
MOVES = {
    "move_rate_65_74": ("movers_65_74", "persons_65_74"),
    "move_rate_75plus": ("movers_75plus", "persons_75plus"),
    "move_rate_55plus": ("moves_55plus", "persons_55plus"),
    "moving_households": ("moving_households", "households_total"),
    "moving_persons": ("moves_total", "households_total"),
}
"""Rate name -> (count of movers or moves, exposure stock), per 1000 of the exposure per year."""
STOCKS = ("persons_55plus", "persons_65_74", "persons_75plus", "households_total")
STOCK_TOLERANCE = 0.03
"""Relative gap allowed between the engines' person-years of a stock. The engines draw independently:
the person-years of the about 3,800 persons of 75+ (scale 0.002) over five 1 January stocks, with
9-12% dying a year, have a standard deviation of 1.37-1.48 years per person of a closed cohort
(``min(T, 5)`` for a geometric ``T``), 0.75-0.86% for the difference of two engines; 3% is about four
standard deviations, like the rates' ``Z_MAX``. The other stocks are larger or die less: their
deviations are smaller."""
DESTINATIONS = DWELLING_TYPES[:4]
"""Dwelling types moved into (the housing stock: regular, nultreden, geclusterd, zorggeschikt)."""
def _settings(seed: int, scale: float = SCALE, end_year: int = END_YEAR) -> RunSettings:
    return RunSettings(scale=scale, seed=seed, end_year=end_year)


def restricted_array_model(hh, params: Parameters | None = None, seed: int = ARRAY_SEED,
                           scale: float = SCALE) -> DoorstroomModel:
    """The array engine on a copy of ``hh``, restricted to the reference's phases (not yet run)."""
    model = DoorstroomModel(params=params, settings=_settings(seed, scale),
                            households=copy.deepcopy(hh))
    model.restrict_to(PHASES)
    assert list(model.stepping) == list(PHASES), (
        f"array processes {model.stepping} are not in the order of {PHASES}"
    )
    return model


def summarise(records, moves, weight: float) -> dict[str, float]:
    """Pools a run over the years: unweighted counts of events, movers and person-years.

    Args:
        records: ``(year, indicator, value)`` records of either engine (national scale).
        moves: ``(year, mover_age, to_type)`` per moving household.
        weight: The (uniform) household weight: national values divided by it are counts of
            simulated persons or households.
    """
    flows = {f for f, _ in (*DEMOGRAPHY.values(), *MOVES.values())} - {"moving_households"}
    out = dict.fromkeys((*flows, *STOCKS), 0.0)
    years = set()
    for year, name, value in records:
        if name in out:
            out[name] += value / weight
            years.add(year)
    assert len(years) == N_YEARS, f"expected {N_YEARS} recorded years, got {sorted(years)}"
    out["moving_households"] = 0.0
    for group in ("all", "55plus"):
        for t in DESTINATIONS:
            out[f"to_{t}_{group}"] = 0.0
    for year, age, to_type in moves:
        if year not in years:
            continue
        out["moving_households"] += 1
        out[f"to_{DWELLING_TYPES[to_type]}_all"] += 1
        if age >= 55:
            out[f"to_{DWELLING_TYPES[to_type]}_55plus"] += 1
    return out


def summarise_array(model: DoorstroomModel, weight: float) -> dict[str, float]:
    """Pooled counts of an array model run; moving households from its chain links."""
    links = model.chains.links_table()
    household_moves = links["mover_kind"] == 0
    moves = zip(links["year"][household_moves].tolist(), links["mover_age"][household_moves].tolist(),
                links["to_type"][household_moves].tolist(), strict=True)
    out = summarise(model.records, moves, weight)
    from_matrix = sum(m[0].sum() for y, m in model.flow_matrix.items() if y <= END_YEAR) / weight
    assert out["moving_households"] == pytest.approx(from_matrix), (
        f"chain links {out['moving_households']} vs flow matrix {from_matrix} moving households"
    )
    return out


def summarise_reference(model: ReferenceModel, weight: float) -> dict[str, float]:
    """Pooled counts of a reference model run; moving households from its move log."""
    moves = ((year, age, to_type) for year, _, age, _, to_type, _ in model.move_log)
    return summarise(model.records, moves, weight)


def dispersion(model: ReferenceModel) -> dict[str, float]:
    """Variance factor ``sum(n**2) / sum(n)`` of each flow counted in clusters (persons per move)."""
    counts, squares = {}, {}
    for (_, name, c), (_, name2, sq) in zip(model.count_records, model.square_records, strict=True):
        assert name == name2
        counts[name] = counts.get(name, 0) + c
        squares[name] = squares.get(name, 0) + sq
    return {name: squares[name] / counts[name] for name in counts if counts[name] > 0}


def rate_z(a: dict[str, float], b: dict[str, float], rates: dict[str, tuple[str, str]],
           factors: dict[str, float] | None = None) -> dict[str, tuple[float, float, float]]:
    """Rates per 1000 of the exposure per year in both runs and the z-score of their difference.

    Args:
        a: Pooled counts of one run.
        b: Pooled counts of the other run.
        rates: Rate name -> (event count, exposure).
        factors: Variance factor per event count (1 if absent): events that come in clusters.

    Returns:
        Rate name -> ``(rate_a, rate_b, z)``.
    """
    factors = factors or {}
    out = {}
    for name, (events, exposure) in rates.items():
        f = factors.get(events, 1.0)
        ra, rb = (1000.0 * s[events] / s[exposure] for s in (a, b))
        se = 1000.0 * math.sqrt(f * (a[events] / a[exposure] ** 2 + b[events] / b[exposure] ** 2))
        z = (ra - rb) / se if se > 0 else (0.0 if ra == rb else math.inf)
        out[name] = (ra, rb, z)
    return out


def share_z(a: dict[str, float], b: dict[str, float],
            group: str) -> dict[str, tuple[float, float, float]]:
    """Shares of moving households by destination type in both runs and the z-scores.

    Args:
        a: Pooled counts of one run.
        b: Pooled counts of the other run.
        group: ``"all"`` or ``"55plus"`` (movers whose oldest adult is 55 or older).

    Returns:
        ``"to_<type>_<group>"`` -> ``(share_a, share_b, z)``.
    """
    keys = [f"to_{t}_{group}" for t in DESTINATIONS]
    na, nb = (sum(s[k] for k in keys) for s in (a, b))
    out = {}
    for k in keys:
        pa, pb = a[k] / na, b[k] / nb
        se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        z = (pa - pb) / se if se > 0 else (0.0 if pa == pb else math.inf)
        out[k] = (pa, pb, z)
    return out


def beyond(zs: dict[str, tuple[float, float, float]], z_max: float = Z_MAX) -> list[str]:
    """The entries of ``zs`` whose difference exceeds ``z_max`` standard errors, as messages."""
    return [f"{name}: {ra:.4g} vs {rb:.4g} (z = {z:.1f})"
            for name, (ra, rb, z) in zs.items() if abs(z) > z_max]


def compare(a: dict[str, float], b: dict[str, float], z_max: float = Z_MAX) -> list[str]:
    """Demography and care rates per 1000 persons 55+ per year beyond ``z_max`` standard errors."""
    return beyond(rate_z(a, b, DEMOGRAPHY), z_max)


# --- one population, both engines ------------------------------------------------------------
@pytest.fixture(scope="module")
def population():
    hh = build_population(SCALE, POP_SEED)
    assert (hh.weight == hh.weight[0]).all(), "test assumes a uniform household weight"
    return hh


@pytest.fixture(scope="module")
def runs(population):
    """Both engines run from one start: (array summary, reference summary, reference model)."""
    weight = float(population.weight[0])
    array = restricted_array_model(population)
    reference = ReferenceModel.from_array_model(array, settings=_settings(REFERENCE_SEED))
    assert reference.stocks()["households_total"] == pytest.approx(
        outputs.stocks(array.households)["households_total"])
    reference.run(N_YEARS)
    array.run()
    summary = summarise_reference(reference, weight)
    # the unweighted counts the model keeps itself agree with weighted / weight
    for events, _ in (*DEMOGRAPHY.values(), *MOVES.values()):
        if events == "moving_households":
            continue
        counted = sum(c for _, n, c in reference.count_records if n == events)
        assert counted == pytest.approx(summary[events]), (
            f"{events}: count_records {counted} vs weighted flows / weight {summary[events]}"
        )
    return summarise_array(array, weight), summary, reference


@pytest.fixture(scope="module")
def array_summary(runs):
    return runs[0]


@pytest.fixture(scope="module")
def reference_summary(runs):
    return runs[1]


@pytest.fixture(scope="module")
def factors(runs):
    return dispersion(runs[2])


def run_array(hh, params: Parameters) -> dict[str, float]:
    """Pooled counts of the restricted array engine with other parameters, from the same start."""
    model = restricted_array_model(hh, params)
    model.run()
    return summarise_array(model, float(hh.weight[0]))


@pytest.mark.slow
def test_reference_agrees_with_array_engine(reference_summary, array_summary):
    bad = compare(array_summary, reference_summary)
    assert not bad, "array engine vs reference model differ beyond 4 SE: " + "; ".join(bad)
    for events, _ in DEMOGRAPHY.values():
        assert array_summary[events] > 50 and reference_summary[events] > 50, (
            f"{events}: too few events to test (array {array_summary[events]}, "
            f"reference {reference_summary[events]})"
        )
    for stock in STOCKS:
        e_a, e_r = array_summary[stock], reference_summary[stock]
        assert abs(e_a / e_r - 1.0) < STOCK_TOLERANCE, (
            f"{stock} person-years: array {e_a} vs reference {e_r}")


@pytest.mark.slow
def test_move_rates_agree(reference_summary, array_summary, factors):
    zs = rate_z(array_summary, reference_summary, MOVES, factors)
    bad = beyond(zs)
    assert not bad, "move rates per 1000 per year, array vs reference, beyond 4 SE: " + "; ".join(bad)
    for events, _ in MOVES.values():
        assert array_summary[events] > 300 and reference_summary[events] > 300, (
            f"{events}: too few movers to test (array {array_summary[events]}, "
            f"reference {reference_summary[events]})"
        )
    assert 1.0 <= factors["movers_65_74"] < 2.0 and factors["moves_total"] > 1.0, factors


@pytest.mark.slow
def test_destination_shares_agree(reference_summary, array_summary):
    bad = []
    for group in ("all", "55plus"):
        bad += beyond(share_z(array_summary, reference_summary, group))
    assert not bad, ("shares of moving households by destination, array vs reference, beyond "
                     "4 SE: " + "; ".join(bad))


@pytest.mark.slow
def test_comparison_detects_doubled_dementia_incidence(population, reference_summary):
    doubled = 2 * Parameters().care.dementia_onset_at80_per_year
    params = Parameters.from_dict({"care": {"dementia_onset_at80_per_year": doubled}})
    bad = compare(run_array(population, params), reference_summary)
    assert any(b.startswith("dementia_onsets") for b in bad), (
        f"doubled dementia incidence not detected; differences reported: {bad}"
    )


@pytest.mark.slow
def test_comparison_detects_tripled_search_start(population, reference_summary, factors):
    base = Parameters().moving.search_start_definite_per_year
    params = Parameters.from_dict({"moving": {"search_start_definite_per_year": 3 * base}})
    bad = beyond(rate_z(run_array(population, params), reference_summary, MOVES, factors))
    flagged = {b.split(":")[0] for b in bad}
    assert {"move_rate_55plus", "moving_households"} <= flagged, (
        f"tripled search start not detected; differences reported: {bad}"
    )


def test_comparison_function_flags_only_real_differences():
    a = {"deaths": 1000.0, "widowhoods": 400.0, "households_dissolved": 900.0,
         "dementia_onsets": 300.0, "limitation_onsets": 800.0, "wlz_indications_new": 250.0,
         "persons_55plus": 60_000.0}
    assert compare(a, dict(a)) == [], "identical counts reported as different"
    b = dict(a, widowhoods=2 * a["widowhoods"])
    bad = compare(a, b)
    assert len(bad) == 1 and bad[0].startswith("widowhoods"), f"expected widowhoods only: {bad}"
    # clustered events: the same difference is less significant when movers come in pairs
    moves = {"m": 500.0, "m2": 580.0, "x": 20_000.0}
    rates = {"r": ("m", "x")}
    plain = rate_z({"m": moves["m"], "x": moves["x"]}, {"m": moves["m2"], "x": moves["x"]}, rates)
    paired = rate_z({"m": moves["m"], "x": moves["x"]}, {"m": moves["m2"], "x": moves["x"]}, rates,
                    {"m": 2.0})
    assert plain["r"][2] == pytest.approx(paired["r"][2] * math.sqrt(2.0))


# --- start state and reproducibility, at a small scale ---------------------------------------
SMALL = 0.0005


@pytest.fixture(scope="module")
def small_population():
    return build_population(SMALL, POP_SEED)


def _reference(hh, seed: int) -> ReferenceModel:
    """The reference model from the set-up of an array model on a copy of ``hh``."""
    return ReferenceModel.from_array_model(restricted_array_model(hh, scale=SMALL),
                                           settings=_settings(seed, scale=SMALL))


def _small_run(hh, seed: int) -> ReferenceModel:
    model = _reference(hh, seed)
    model.run(1)
    return model


@pytest.mark.slow
def test_reference_same_seed_identical_results(small_population):
    first, second = (_small_run(small_population, 7) for _ in range(2))
    assert first.records == second.records, "same seed, different records"
    assert first.count_records == second.count_records, "same seed, different event counts"
    assert first.move_log == second.move_log, "same seed, different moves"
    assert first.move_log, "no household moved in a year"
    other = _small_run(small_population, 8)
    assert other.records != first.records, "a different seed gave identical records"


def test_reference_starts_from_the_identical_population(small_population):
    hh = small_population
    model = _reference(hh, 1)
    assert len(model.households) == int(hh.active.sum()), (
        f"{len(model.households)} agents for {int(hh.active.sum())} active households"
    )
    expected = outputs.stocks(hh)
    for name, value in model.stocks().items():
        if name in expected:
            assert value == pytest.approx(expected[name]), (
                f"{name} at start: reference {value} vs sim.outputs.stocks {expected[name]}"
            )


def test_reference_starts_from_the_array_models_state(small_population):
    array = restricted_array_model(small_population, scale=SMALL)
    model = ReferenceModel.from_array_model(array, settings=_settings(5, scale=SMALL))
    hh, dw = array.households, array.dwellings
    expected = outputs.stocks(hh) | outputs.housing_stocks(hh, dw, array.applicants, array.step_index)
    for name, value in model.stocks().items():
        assert value == pytest.approx(expected[name], nan_ok=True), (
            f"{name} at start: reference {value} vs array {expected[name]}"
        )
    # dwellings: the same stock, the same vacancies, each household in its own dwelling
    assert len(model.dwellings) == int(dw.active.sum())
    for d in model.dwellings:
        i = d.index
        assert (d.type, d.tenure, d.rooms, d.step_free, d.region) == (
            dw.type[i], dw.tenure[i], dw.rooms[i], dw.step_free[i], dw.region[i]), f"dwelling {i}"
        assert (d.occupant.row if d.occupant else -1) == dw.occupant[i], f"occupant of dwelling {i}"
    vacant = np.flatnonzero(dw.active & (dw.occupant < 0) & ~is_institution(dw.type))
    assert sorted(model.vacancies) == vacant.tolist()
    assert all(model.vacancies[i].vacant_since == dw.vacant_since[i] for i in vacant)
    # intentions and their logits: the agents' situation gives intention_logits
    agents = sorted((a for a in model.households if a.is_private), key=lambda a: a.row)
    rows = np.array([a.row for a in agents])
    assert (hh.dwelling[rows] != VERPLEEGHUIS).all()
    # both before the first step (step index -1), when the array model drew the first intentions
    assert model.step_index == array.step_index == -1
    x_def, x_may = intention_logits(hh, dw, rows, array.step_index, array.params.moving,
                                    array.params.loneliness)
    got = np.array([situation_logits(a.situation(), model.params.moving, model.params.loneliness)
                    for a in agents])
    np.testing.assert_allclose(got[:, 0], x_def)
    np.testing.assert_allclose(got[:, 1], x_may)
    assert [a.intention for a in agents] == hh.intention[rows].tolist()
    assert [a.lonely for a in agents] == hh.lonely[rows].tolist()
    assert [a.carer for a in agents] == (hh.carer[rows] != 0).tolist()
    np.testing.assert_array_equal(model.intercepts[0], array.intercepts[0])
    array.step()
    with pytest.raises(ValueError, match="before the first step"):
        ReferenceModel.from_array_model(array)
