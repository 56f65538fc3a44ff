"""Mortality by age, sex and care state; widowhood and the dissolution of emptied households.

The base hazard is the Gompertz-Makeham curve fitted per sex to verified CBS figures
(``calibration/mortality.py``, table ``sim/data/mortality.csv``), lowered every year after the fit's
base year 2023 by an improvement rate fitted to CBS's life expectancy of 2070 (tapering at the highest
ages; scaled by ``mortality_improvement_scale``). Persons in heavy care keep only
``mortality_improvement_heavy_care_share`` of that improvement. Care state and
dementia shift *who* dies through hazard ratios, divided by their weighted mean within each sex and
five-year age group in the 2025 population (:func:`mortality_normalisation`): in 2025 deaths by age and
sex follow the life table; later they follow the population's care needs, and each person's death
depends only on the person's own state (common random numbers across scenarios).

The pure functions here take arrays and parameters and return arrays; :data:`PROCESS` applies them to
the households each step.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

import numpy as np

from sim.codes import FEMALE, HEAVY, MALE, WORK, is_institution
from sim.columns import take_rows
from sim.households import (
    clear_slots,
    gather,
    is_shared,
    move_survivor_to_slot0,
    present_persons,
    row_of,
    slot_of,
)
from sim.outputs import declare
from sim.params import DemographyParams
from sim.process import Context, Process
from sim.rates import step_probability
from sim.thinning import BOUND_MARGIN, Thinning, check_bound, max_ahead

MORTALITY_BASE_YEAR = 2023
"""Year of the CBS figures the Gompertz-Makeham curve is fitted to."""
REFERENCE_AGE_YEARS = 65.0
"""Reference age of the Gompertz term of ``sim/data/mortality.csv``."""
AGE_GROUP_YEARS = 5
N_AGE_GROUPS = 26  # 0-4, ..., 125-129
TABLE_COLUMNS = ("a_per_year", "b_per_year_of_age", "c_per_year", "improvement_per_year",
                 "improvement_full_to_age_years", "improvement_taper_age_years",
                 "improvement_taper_share")


@cache
def mortality_table() -> np.ndarray:
    """The fitted curve per sex as a ``(2, 7)`` array (men, women) in the order of ``TABLE_COLUMNS``.

    Raises:
        ValueError: If the table lacks a column or a sex.
    """
    text = resources.files("sim").joinpath("data", "mortality.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("sex", *TABLE_COLUMNS) if c not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"sim/data/mortality.csv: missing columns {missing}")
    rows = {row["sex"]: [float(row[c]) for c in TABLE_COLUMNS] for row in reader}
    if set(rows) != {"male", "female"}:
        raise ValueError(f"sim/data/mortality.csv: sexes {sorted(rows)}, expected male and female")
    out = np.zeros((2, len(TABLE_COLUMNS)))
    out[MALE], out[FEMALE] = rows["male"], rows["female"]
    return out


def improvement_rate(age_years, sex, dp: DemographyParams) -> np.ndarray:
    """Yearly relative fall of the hazard by exact age and sex (tapering at the highest ages)."""
    t = mortality_table()[np.asarray(sex, dtype=np.intp)]
    r0, full_to, taper_age, taper = t[..., 3], t[..., 4], t[..., 5], t[..., 6]
    frac = np.clip((np.asarray(age_years, dtype=np.float64) - full_to) / (taper_age - full_to),
                   0.0, 1.0)
    return dp.mortality_improvement_scale * r0 * (1.0 - (1.0 - taper) * frac)


def base_hazard(age_years, sex, year: float, dp: DemographyParams) -> np.ndarray:
    """Population-average death hazard per year for exact ages and sexes in a calendar year."""
    t = mortality_table()[np.asarray(sex, dtype=np.intp)]
    a, b, c = t[..., 0], t[..., 1], t[..., 2]
    age = np.asarray(age_years, dtype=np.float64)
    mu = c + a * np.exp(b * (age - REFERENCE_AGE_YEARS))
    return mu * improvement_factor(improvement_rate(age, sex, dp), year)


def improvement_factor(rate, year: float) -> np.ndarray:
    """Factor on the 2023 hazard after falling by ``rate`` a year until ``year``."""
    return (1.0 - np.asarray(rate)) ** max(0.0, year - MORTALITY_BASE_YEAR)


def heavy_care_factor(age_years, sex, year: float, dp: DemographyParams) -> np.ndarray:
    """Factor on the base hazard of a person in heavy care: the improvement the person forgoes.

    1 with ``mortality_improvement_heavy_care_share`` 1 (the population's improvement); with 0 the
    person keeps the hazard of 2023 (relative to the population of the same age and sex).
    """
    rate = improvement_rate(age_years, sex, dp)
    kept = improvement_factor(rate * dp.mortality_improvement_heavy_care_share, year)
    return kept / improvement_factor(rate, year)


def age_sex_group(age_years, sex) -> np.ndarray:
    """Group of the mortality alignment: ``sex * N_AGE_GROUPS`` + five-year age group (capped)."""
    return np.asarray(sex, dtype=np.intp) * N_AGE_GROUPS + np.minimum(
        (np.asarray(age_years, dtype=np.float64) // AGE_GROUP_YEARS).astype(np.intp), N_AGE_GROUPS - 1
    )


def group_mean_rr(group: np.ndarray, weight: np.ndarray, rr: np.ndarray) -> np.ndarray:
    """Weighted mean hazard ratio per alignment group (1 for a group without persons)."""
    w = np.asarray(weight, dtype=np.float64)
    sum_w = np.bincount(group, weights=w, minlength=2 * N_AGE_GROUPS).astype(np.float64)
    sum_wrr = np.bincount(group, weights=w * rr, minlength=2 * N_AGE_GROUPS).astype(np.float64)
    return np.divide(sum_wrr, sum_w, out=np.ones_like(sum_w), where=sum_w > 0)


def relative_risk(care, dementia, dp: DemographyParams) -> np.ndarray:
    """Hazard ratio of each person from care state and dementia (before alignment)."""
    rr = np.asarray(dp.mortality_rr_by_care)[np.asarray(care, dtype=np.intp)]
    return rr * np.where(dementia, dp.mortality_rr_dementia, 1.0)


def aligned_hazard(age_years, sex, care, dementia, weight, year: float, dp: DemographyParams,
                   mean_rr: np.ndarray | None = None):
    """Death hazard per year of each person, aligned to the life table by sex and age group.

    Args:
        age_years: Exact ages (1-d array of persons).
        sex: Sex codes of the persons.
        care: Care state codes.
        dementia: Dementia flags.
        weight: Weights of the persons (households represented).
        year: Calendar time in years (e.g. 2031.5).
        dp: Mortality parameters.
        mean_rr: The weighted mean hazard ratio per group (``sex * N_AGE_GROUPS + age group``)
            to divide by; computed from the given persons when ``None``. The model passes the
            means of its 2025 population (see :func:`mortality_normalisation`).

    Returns:
        Hazard per year for each person. With ``mean_rr`` computed from the given persons the
        weighted mean hazard ratio within each (sex, age group) is 1, so the expected deaths equal
        those of the base life table.
    """
    age_years = np.asarray(age_years, dtype=np.float64)
    rr = relative_risk(care, dementia, dp)
    group = age_sex_group(age_years, sex)
    if mean_rr is None:
        mean_rr = group_mean_rr(group, weight, rr)
    heavy = np.where(np.asarray(care) == HEAVY, heavy_care_factor(age_years, sex, year, dp), 1.0)
    return base_hazard(age_years, sex, year, dp) * heavy * rr / np.asarray(mean_rr)[group]


def mortality_normalisation(hh, dp: DemographyParams) -> np.ndarray:
    """Weighted mean hazard ratio per (sex, age group) of the adults of ``hh`` (the 2025 population).

    The model divides every hazard ratio by these fixed means, so that in 2025 deaths by sex and age
    follow the life table, while later the deaths of each person depend only on the person's own age,
    sex, care state and dementia: a policy run faces the same deaths as its baseline for every person
    whose care states are the same (common random numbers).
    """
    flat = present_persons(hh)
    rr = relative_risk(hh.care.ravel()[flat], hh.dementia.ravel()[flat], dp)
    group = age_sex_group(hh.age_months.ravel()[flat] / 12.0, hh.sex.ravel()[flat])
    return group_mean_rr(group, hh.weight[row_of(flat)], rr)


def mortality(ctx: Context) -> None:
    """Draws deaths, then handles widowhood and the dissolution of emptied households.

    Applicants (starters, immigrants and separated partners waiting for a dwelling) die by the same
    rule and the same draws (by person id), so that a person's death does not depend on where the
    person lives (common random numbers). Deaths are drawn by thinning (:mod:`sim.thinning`): a
    person's candidate steps of the year are drawn under a bound of the death probability by sex and
    age (:func:`death_bound`), and at a candidate step the person dies with the probability of the
    step over the bound, which is the per-step death probability's law exactly. The probability is
    that of :func:`aligned_hazard`, with the base hazard tabulated by sex and age in months for the
    current year (tests check that both agree) and the per-step probabilities tabulated by sex, age in
    months, care state and dementia.
    """
    hh, ap = ctx.households, ctx.applicants
    waiting = np.flatnonzero(ap.active)
    partnered = waiting[ap.partner_pid[waiting] >= 0]
    dp = ctx.params.demography
    sources = (hh.pid.ravel(), ap.pid[waiting], ap.partner_pid[partnered])

    def bounds(parts):
        ages = gather([(hh.age_months.ravel(), parts[0]), (ap.age_months, waiting[parts[1]]),
                       (ap.partner_age_months, partnered[parts[2]])])
        sex = gather([(hh.sex.ravel(), parts[0]), (ap.sex, waiting[parts[1]]),
                      (ap.partner_sex, partnered[parts[2]])])
        year = ctx.step // ctx.steps_per_year
        if ctx.memory.get("bound_year") != year:  # one bound for the year: it holds for every step
            first = ctx.year_fraction - (ctx.step % ctx.steps_per_year) / ctx.steps_per_year
            ctx.memory["bound"] = death_bound(dp, first, ctx.steps_per_year, ctx.steps_per_year,
                                              ctx.memory["norm"])
            ctx.memory["bound_year"] = year
        return {"mortality": ctx.memory["bound"][sex, np.minimum(ages, AGE_MONTHS_MAX - 1)]}

    (flat, at_wait, at_partner), p_max = ctx.memory["thinning"].step(ctx, sources, bounds)
    if len(flat) + len(at_wait) + len(at_partner) == 0:
        return
    waiting, partnered = waiting[at_wait], partnered[at_partner]
    persons = step_persons(hh, ap, flat, waiting, partnered)
    hazard, age_m = _person_hazards(persons, dp, ctx.year_fraction, ctx.memory["norm"])
    p = step_probability(hazard, ctx.steps_per_year)
    bound = p_max["mortality"]
    check_bound("mortality", p, bound)
    u = ctx.streams.for_few("mortality", persons["pid"])
    dies = (u * bound < p) | (age_m >= dp.max_age_years * 12)
    dead = flat[dies[:len(flat)]]
    apply_deaths(ctx, row_of(dead), slot_of(dead))
    n_hh, n_ap = len(flat), len(waiting)
    applicant_deaths(ctx, waiting[dies[n_hh:n_hh + n_ap]], partnered[dies[n_hh + n_ap:]])


def death_bound(dp: DemographyParams, year: float, steps_left: int, steps_per_year: int,
                mean_rr: np.ndarray) -> np.ndarray:
    """Bound of the per-step death probability over the rest of a year, by sex and age in months.

    The largest probability over every care state and dementia, over the ages up to 12 months older
    and over the ``steps_left`` steps from ``year`` (the calendar time of this step) to the year's last
    (the hazards move monotonically in calendar time, so both ends bound them), raised by
    :data:`sim.thinning.BOUND_MARGIN` against rounding (any bound gives the same law). 1 from 12 months
    below ``max_age_years``: every step is then a candidate, and the person dies at that age.

    Returns:
        Array ``(2, AGE_MONTHS_MAX)``: rows men and women (the codes of ``sim.codes``).
    """
    last = year + (steps_left - 1) / steps_per_year
    cells = np.arange(2 * AGE_MONTHS_MAX)
    persons = {"age_months": np.tile(np.arange(AGE_MONTHS_MAX, dtype=np.int16), 2),
               "sex": np.repeat(np.array([MALE, FEMALE], np.int8), AGE_MONTHS_MAX),
               "care": np.zeros(len(cells), np.int8), "dementia": np.zeros(len(cells), bool)}
    worst = np.zeros((2, AGE_MONTHS_MAX))
    for when in (year, last):
        hazard = _hazard_cells(persons, dp, when, mean_rr)[0].reshape(2, AGE_MONTHS_MAX, N_RISK_CLASSES)
        worst = np.maximum(worst, step_probability(hazard, steps_per_year).max(axis=2))
    out = np.minimum(max_ahead(worst, 12) * BOUND_MARGIN, 1.0)
    out[:, max(int(np.ceil(dp.max_age_years * 12)) - 12, 0):] = 1.0
    return out


def applicant_deaths(ctx: Context, heads: np.ndarray, partners: np.ndarray) -> None:
    """Deaths among applicant households: applicants ``heads`` and the partners of ``partners``.

    A partner who dies leaves the applicant alone; an applicant who dies leaves the partner (if alive)
    as the applicant, with the household's minors; an applicant household with no adult left ends
    (its minors are not followed further).
    """
    ap = ctx.applicants
    w = float(ap.weight[heads].sum() + ap.weight[partners].sum())
    if w:
        ctx.record.flow("deaths", w)
    ap.partner_pid[partners] = -1
    heir = heads[ap.partner_pid[heads] >= 0]
    ap.pid[heir] = ap.partner_pid[heir]
    ap.age_months[heir] = ap.partner_age_months[heir]
    ap.sex[heir] = ap.partner_sex[heir]
    ap.care[heir] = 0
    ap.dementia[heir] = False
    ap.partner_pid[heir] = -1
    ap.active[np.setdiff1d(heads, heir)] = False


def household_persons(hh, flat: np.ndarray) -> dict[str, np.ndarray]:
    """The adults at person indices ``flat``: pid, age in months, sex, care, dementia, weight."""
    return {"pid": hh.pid.ravel()[flat], "age_months": hh.age_months.ravel()[flat],
            "sex": hh.sex.ravel()[flat], "care": hh.care.ravel()[flat],
            "dementia": hh.dementia.ravel()[flat], "weight": hh.weight[row_of(flat)]}


def applicant_persons(ap, idx: np.ndarray) -> dict[str, np.ndarray]:
    """The applicants ``idx`` as persons (the columns of :func:`household_persons`)."""
    return {"pid": ap.pid[idx], "age_months": ap.age_months[idx], "sex": ap.sex[idx],
            "care": ap.care[idx], "dementia": ap.dementia[idx], "weight": ap.weight[idx]}


def partner_persons(ap, idx: np.ndarray) -> dict[str, np.ndarray]:
    """The partners of applicants ``idx`` as persons (no care need or dementia is followed for them)."""
    k = len(idx)
    return {"pid": ap.partner_pid[idx], "age_months": ap.partner_age_months[idx],
            "sex": ap.partner_sex[idx], "care": np.zeros(k, np.int8),
            "dementia": np.zeros(k, bool), "weight": ap.weight[idx]}


def join_persons(*groups: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Persons of several groups, one after the other."""
    return {k: np.concatenate([g[k] for g in groups]) for k in groups[0]}


def step_persons(hh, ap, flat: np.ndarray, waiting: np.ndarray, partnered: np.ndarray
                 ) -> dict[str, np.ndarray]:
    """The columns of :func:`household_persons` that a step's draw needs.

    Of the household adults ``flat``, the applicants ``waiting`` and the partners of the applicants
    ``partnered``, in that order (the order of :func:`join_persons`); the weight is left out, as the
    step's alignment means are those of the set-up.
    """
    k = len(partnered)
    return {
        "pid": gather([(hh.pid.ravel(), flat), (ap.pid, waiting), (ap.partner_pid, partnered)]),
        "age_months": gather([(hh.age_months.ravel(), flat), (ap.age_months, waiting),
                              (ap.partner_age_months, partnered)]),
        "sex": gather([(hh.sex.ravel(), flat), (ap.sex, waiting), (ap.partner_sex, partnered)]),
        "care": gather([(hh.care.ravel(), flat), (ap.care, waiting), (np.zeros(k, np.int8), None)]),
        "dementia": gather([(hh.dementia.ravel(), flat), (ap.dementia, waiting),
                            (np.zeros(k, bool), None)]),
    }


def normalise(ctx: Context) -> None:
    """Set-up: the alignment means and the thinning of deaths.

    The mean hazard ratios of the 2025 population (:func:`mortality_normalisation`), and the candidate
    steps of deaths (:class:`sim.thinning.Thinning`, drawn from the first step on).
    """
    ctx.memory["norm"] = mortality_normalisation(ctx.households, ctx.params.demography)
    ctx.memory["thinning"] = Thinning(("mortality",))


AGE_MONTHS_MAX = 131 * 12
N_RISK_CLASSES = 10
"""Care state (5) times dementia (2): the classes of :func:`relative_risk`."""


def tabulated_hazard(hh, flat: np.ndarray, dp: DemographyParams, year: float,
                     mean_rr: np.ndarray | None = None) -> np.ndarray:
    """:func:`aligned_hazard` of the adults at flat positions ``flat`` of the per-adult columns."""
    hazard, cell, _ = _hazard_cells(household_persons(hh, flat), dp, year, mean_rr)
    return hazard[cell]


def _hazard_cells(persons: dict[str, np.ndarray], dp: DemographyParams, year: float,
                  mean_rr: np.ndarray | None = None):
    """Aligned hazards by cell (sex, age in months, risk class) and the cell of each person.

    The alignment (the weighted mean hazard ratio per sex and age group) is summed over the persons
    in their order; the hazard of a cell is the product the per-person formula gives.

    Args:
        persons: Columns as :func:`household_persons` gives them.
        dp: Mortality parameters.
        year: Calendar time in years.
        mean_rr: The alignment means (computed from ``persons`` if ``None``).

    Returns:
        ``(hazard, cell, age_m)``: hazard per year of every cell (flat array), the cell index of each
        person, and each person's age in months capped to the table (``int16``).
    """
    age_m = np.minimum(persons["age_months"], AGE_MONTHS_MAX - 1)
    key = persons["sex"].astype(np.int32)  # sex * AGE_MONTHS_MAX + age in months
    key *= AGE_MONTHS_MAX
    key += age_m
    risk = persons["care"].astype(np.int8)  # care * 2 + dementia
    risk *= 2
    risk += persons["dementia"]
    rr_table = _risk_ratios(dp)
    group_of_key = _alignment_group(np.repeat([MALE, FEMALE], AGE_MONTHS_MAX),
                                    np.tile(np.arange(AGE_MONTHS_MAX), 2))
    if mean_rr is None:
        mean_rr = group_mean_rr(group_of_key[key], persons["weight"], rr_table[risk])
    hazard = _base_table(dp, year).reshape(-1, 1) * (
        rr_table[None, :] / mean_rr[group_of_key][:, None])
    hazard[:, 2 * HEAVY:2 * HEAVY + 2] *= _heavy_table(dp, year).reshape(-1, 1)
    cell = key  # key * N_RISK_CLASSES + risk, in place
    cell *= N_RISK_CLASSES
    cell += risk
    return hazard.ravel(), cell, age_m


def _person_hazards(persons: dict[str, np.ndarray], dp: DemographyParams, year: float,
                    mean_rr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hazards of :func:`_hazard_cells` read at the persons' cells, computed for these persons only.

    The same operations on the same numbers as the table's cells (a step's few due persons need not
    the table of every cell). Returns ``(hazard, age_m)``: hazard per year of each person and the
    person's age in months capped to the table (``int16``).
    """
    age_m = np.minimum(persons["age_months"], AGE_MONTHS_MAX - 1)
    sex = persons["sex"].astype(np.intp)
    care = persons["care"].astype(np.intp)
    ages = age_m / 12.0
    rr = _risk_ratios(dp)[care * 2 + persons["dementia"]]
    hazard = base_hazard(ages, sex, year, dp) * (rr / mean_rr[_alignment_group(sex, age_m)])
    heavy = np.flatnonzero(care == HEAVY)
    if len(heavy):
        hazard[heavy] *= heavy_care_factor(ages[heavy], sex[heavy], year, dp)
    return hazard, age_m


def _risk_ratios(dp: DemographyParams) -> np.ndarray:
    """Hazard ratio of each risk class ``care * 2 + dementia`` (:func:`relative_risk`)."""
    return relative_risk(np.repeat(np.arange(5), 2), np.tile([False, True], 5), dp)


def _alignment_group(sex, age_months) -> np.ndarray:
    """The group of :func:`age_sex_group` from the age in months (``sex * N_AGE_GROUPS`` + age group)."""
    return np.asarray(sex, np.intp) * N_AGE_GROUPS + np.minimum(
        np.asarray(age_months) // (12 * AGE_GROUP_YEARS), N_AGE_GROUPS - 1)


def _base_table(dp: DemographyParams, year: float) -> np.ndarray:
    """Base hazard per year by sex (rows) and age in months (columns) in ``year``."""
    ages = np.arange(AGE_MONTHS_MAX) / 12.0
    return np.stack([base_hazard(ages, np.full(AGE_MONTHS_MAX, s), year, dp)
                     for s in (MALE, FEMALE)])


def _heavy_table(dp: DemographyParams, year: float) -> np.ndarray:
    """:func:`heavy_care_factor` by sex (rows) and age in months (columns) in ``year``."""
    ages = np.arange(AGE_MONTHS_MAX) / 12.0
    return np.stack([heavy_care_factor(ages, np.full(AGE_MONTHS_MAX, s), year, dp)
                     for s in (MALE, FEMALE)])


def apply_deaths(ctx: Context, rows: np.ndarray, slots: np.ndarray) -> None:
    """Removes the given adults; counts deaths, widowhoods and dissolved households."""
    hh = ctx.households
    if len(rows) == 0:
        return
    w = hh.weight[rows]
    ctx.record.flow("deaths", w.sum())
    ctx.record.flow("deaths_in_institution", w[is_institution(hh.dwelling[rows])].sum())
    touched = np.unique(rows)
    shared = is_shared(hh, touched)  # before the death: a housemate household is no couple
    clear_slots(hh, rows, slots)
    n_alive = take_rows(hh.present, touched).sum(axis=1)
    # a household touched by a death with one adult left was a couple: the survivor is widowed
    widowed = touched[n_alive == 1]
    survivor_income(ctx, widowed, shared[n_alive == 1])
    ctx.record.flow("widowhoods", hh.weight[widowed].sum())
    hh.widowed_step[widowed] = ctx.step
    move_survivor_to_slot0(hh, widowed)
    emptied = touched[n_alive == 0]
    if len(emptied):
        ctx.record.flow("households_dissolved", hh.weight[emptied].sum())
        ctx.occupancy.end_households(emptied, "death")


def survivor_income(ctx: Context, rows: np.ndarray, housemate: np.ndarray) -> None:
    """Households ``rows``, one of whose two adults died, keep a share of their own income.

    ``survivor_income_share`` (earnings, pension) by the household's benefit; a housemate keeps the
    earnings' share (its own half) whatever its benefit. The statutory benefits follow the adults
    (:mod:`agents.money`).
    """
    if len(rows) == 0:
        return
    hh = ctx.households
    earnings, pension = ctx.params.money.survivor_income_share
    share = np.where((hh.benefit[rows] == WORK) | housemate, earnings, pension)
    hh.income_eur_year[rows] = (hh.income_eur_year[rows] * share).astype(np.float32)


PROCESS = Process(
    "mortality", mortality, reads=("demography", "money"), streams=("mortality",), setup=normalise,
    records=declare(
        ("deaths", "persons per year", "Deaths", "flow"),
        ("deaths_in_institution", "persons per year", "Deaths in an institution", "flow"),
        ("widowhoods", "persons per year", "Persons widowed", "flow"),
        ("households_dissolved", "households per year", "Households dissolved at the last death",
         "flow"),
    ),
)
