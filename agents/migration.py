"""Migration: immigrant households arrive as applicants, households emigrate, immigrants leave again.

* Immigration: ``turnover.immigration_path_persons`` persons a year (national; CBS's prognosis) arrive
  with the ages of ``sim/data/migration_2024.csv``. The adults form households: a share
  ``immigrant_couple_share`` as couples (the partner's age near the first adult's), the rest as one
  adult; the minors come with the households whose first adult's age lies in
  ``immigrant_parent_age_years`` (a Poisson number each, with the mean that gives their count). The
  households join the applicants in provinces by their household shares (:func:`immigrant_households`).
* Emigration: households in the housing stock whose first adult arrived from abroad less than
  ``recent_immigrant_years`` ago emigrate at ``recent_immigrant_emigration_per_year``; the others at
  CBS's rate for the age of their oldest adult (:func:`emigration_rates`: emigrants by age in 2024 per
  person of that age in 2025) times ``emigration_factor_settled``. Their dwelling starts a chain with
  cause ``emigration``. Households of 2025 are given an arrival within the recent years by
  :func:`sim.population.recent_immigrant_share`.
* Immigrant applicants who find no dwelling leave the country again at
  ``immigrant_give_up_per_year`` (counted as emigrants); starters keep searching while living with
  their parents.

Yearly national numbers become sample rows per step with a carry-over (:meth:`Context.per_step`).
Draws: the ``migration`` stream; ``immigrants`` (region, ages, sexes of the new households, in that
order), ``immigrant_family`` (partners, then their ages, then minors), ``give_up`` (by the person in
the first slot). Emigration is drawn by thinning (:mod:`sim.thinning`) by the person id of the first
adult: at a year's first step each first adult's candidate steps are drawn under a bound by the
adult's age (the largest settled probability at that age or any older one, as the oldest adult is at
least as old, and at least the recent immigrants' probability, as any adult may come to head a
recent immigrants' household within the year), and a household whose first adult has a candidate
step emigrates with the probability over the bound (stream ``migration`` without a key; the
candidate steps under keys ``screen1``, ``screen2``, ...).
"""

from __future__ import annotations

import numpy as np

from agents import applicants
from sim.applicants import IMMIGRANT
from sim.codes import FEMALE, MALE, is_home
from sim.households import ADULT_AGE_YEARS, household_size, oldest_age_months
from sim.outputs import declare
from sim.population import (
    MAX_AGE_YEARS,
    emigration_rates,
    immigrants_by_age,
    migration_table,
    recent_immigrant_share,
    region_probabilities,
)
from sim.process import Context, Process
from sim.rates import step_probability
from sim.thinning import BOUND_MARGIN, Thinning, check_bound, max_from


def immigration_per_year(year: float, tp) -> float:
    """Immigrants (persons, national) in ``year``: the path, interpolated and constant outside."""
    return float(np.interp(year, tp.immigration_path_years, tp.immigration_path_persons))


def immigrant_mix(tp) -> tuple[float, float]:
    """``(households, minors)`` per immigrant.

    The adults form households, ``immigrant_couple_share`` of them couples; the minors come with the
    households.
    """
    lo, _, imm, _ = migration_table()
    total = imm.sum()
    adults = imm[lo >= ADULT_AGE_YEARS].sum() / total
    return adults / (1.0 + tp.immigrant_couple_share), 1.0 - adults


def adult_share_aged(lo_years: float, hi_years: float) -> float:
    """Share of the adult immigrants aged ``lo_years`` (inclusive) to ``hi_years`` (exclusive)."""
    arrivals = immigrants_by_age()[ADULT_AGE_YEARS:]
    ages = np.arange(ADULT_AGE_YEARS, len(arrivals) + ADULT_AGE_YEARS)
    return float(arrivals[(ages >= lo_years) & (ages < hi_years)].sum() / arrivals.sum())


def draw_ages(g: np.random.Generator, k: int) -> np.ndarray:
    """Ages in months of ``k`` adult immigrants, by CBS's immigrants by single year of age."""
    arrivals = immigrants_by_age()[ADULT_AGE_YEARS:]
    years = ADULT_AGE_YEARS + g.choice(len(arrivals), size=k, p=arrivals / arrivals.sum())
    return ((years + g.random(k)) * 12).astype(np.int16)


def immigrant_households(ctx: Context, k: int) -> None:
    """``k`` immigrant households (sample rows) join the applicants, with partners and minors."""
    tp = ctx.params.turnover
    g = ctx.streams.generator("migration", "immigrants")
    shares = region_probabilities()
    region = g.choice(len(shares), size=k, p=shares).astype(np.int8)
    ages = draw_ages(g, k)
    sex = np.where(g.random(k) < tp.newcomer_male_share, MALE, FEMALE).astype(np.int8)
    weight = np.full(k, 1.0 / ctx.scale, np.float32)
    pids = ctx.new_person_ids(k)
    rows = applicants.join(ctx, IMMIGRANT, pids, region, ages, sex, weight)
    # the second adult of a couple and the minors
    f = ctx.streams.generator("migration", "immigrant_family")
    couple = np.flatnonzero(f.random(k) < tp.immigrant_couple_share)
    gap = f.normal(0.0, tp.immigrant_partner_age_sd_years * 12, len(couple))
    ap = ctx.applicants
    ap.partner_pid[rows[couple]] = ctx.new_person_ids(len(couple))
    ap.partner_age_months[rows[couple]] = np.clip(ages[couple] + gap, ADULT_AGE_YEARS * 12,
                                                  MAX_AGE_YEARS * 12 - 1).astype(np.int16)
    ap.partner_sex[rows[couple]] = np.where(sex[couple] == MALE, FEMALE, MALE)
    per_household, minors = immigrant_mix(tp)
    lo_p, hi_p = tp.immigrant_parent_age_years
    parents = (ages >= lo_p * 12) & (ages < hi_p * 12)
    mean_children = minors / per_household / max(adult_share_aged(lo_p, hi_p), 1e-9)
    children = f.poisson(mean_children, k)
    ap.n_children[rows] = np.where(parents, children, 0).astype(np.int16)
    ctx.record.flow("immigrant_households", float(weight.sum()))
    ctx.record.flow("immigrants", float(np.sum(weight * ap.persons(rows))))


def recent_arrivals(ctx: Context) -> None:
    """Set-up: households of 2025 whose first adult arrived from abroad in the recent years.

    A private household is a recent immigrant household with the probability
    :func:`sim.population.recent_immigrant_share` of its first adult's age, and arrived at a step drawn
    evenly over the ``recent_immigrant_years`` before 2025 (stream ``migration``, sub-stream
    ``arrived``, by the first adult's person id; the step from sub-stream ``arrived_when``).
    """
    hh = ctx.households
    tp = ctx.params.turnover
    rows = np.flatnonzero(hh.active & is_home(hh.dwelling))
    share = recent_immigrant_share(tp)[np.clip(hh.age_months[rows, 0] // 12, 0, MAX_AGE_YEARS)]
    recent = ctx.streams.for_ids("migration", hh.pid[rows, 0], "arrived") < share
    when = ctx.streams.for_ids("migration", hh.pid[rows[recent], 0], "arrived_when")
    back = np.ceil(np.maximum(when, 1e-12) * tp.recent_immigrant_years * ctx.steps_per_year)
    hh.arrived_step[rows[recent]] = -back.astype(np.int32)


def migration(ctx: Context) -> None:
    """Immigrant households join the applicants; households emigrate; immigrants may leave again."""
    hh = ctx.households
    tp = ctx.params.turnover
    spy = ctx.steps_per_year
    per_household, _ = immigrant_mix(tp)
    k = ctx.per_step("immigration", immigration_per_year(ctx.year, tp) * per_household)
    if k:
        immigrant_households(ctx, k)
    key = (tp.emigration_factor_settled, tp.recent_immigrant_emigration_per_year, spy)
    if ctx.memory.get("emigration_key") != key:  # per-step probabilities, kept while the rates hold
        ctx.memory["emigration_key"] = key
        ctx.memory["p_settled"] = step_probability(emigration_rates() * key[0], spy)
        ctx.memory["p_recent"] = float(step_probability(key[1], spy))
    recent_from = ctx.step - tp.recent_immigrant_years * spy  # arrived after this step: recent

    def bounds(parts):
        table = emigration_bound(ctx.memory["p_settled"], ctx.memory["p_recent"])
        return {"migration": table[np.minimum(hh.age_months[parts[0], 0] // 12, len(table) - 1)]}

    # a household's draw is that of the person in its first slot (the same in every scenario)
    (due,), p_max = ctx.memory["thinning"].step(ctx, (hh.pid[:, 0],), bounds)
    home = hh.active[due] & is_home(hh.dwelling[due])
    cand, bound = due[home], p_max["migration"][home]
    p = ctx.memory["p_settled"][oldest_age_months(hh, cand) // 12]  # ages lie within the table
    p[hh.arrived_step[cand] > recent_from] = ctx.memory["p_recent"]
    check_bound("migration", p, bound)
    out = cand[ctx.streams.for_few("migration", hh.pid[cand, 0]) * bound < p]
    if len(out):
        ctx.record.flow("emigrant_households", float(hh.weight[out].sum()))
        ctx.record.flow("emigrants", float(np.sum(hh.weight[out] * household_size(hh, out))))
        ctx.occupancy.end_households(out, "emigration")
    ap = ctx.applicants
    live = np.flatnonzero(ap.active)
    if len(live):
        u = ctx.streams.for_few("migration", ap.pid[live], "give_up")
        quit_ = (ap.kind[live] == IMMIGRANT) & (
            u < step_probability(tp.immigrant_give_up_per_year, spy))
        gone = live[quit_]
        ap.active[gone] = False
        ctx.record.flow("applicants_gave_up", float(ap.weight[gone].sum()))
        ctx.record.flow("emigrants", float(np.sum(ap.weight[gone] * ap.persons(gone))))


def emigration_bound(p_settled: np.ndarray, p_recent: float) -> np.ndarray:
    """Thinning bound of the per-step emigration probability by the first adult's age in years.

    The largest settled probability at that age or any older one (the oldest adult is at least as
    old as the first, and ages only grow), and at least the recent immigrants' probability (any
    adult may come to head a recent immigrants' household within the year: a partner or housemate
    left behind), raised by :data:`sim.thinning.BOUND_MARGIN`.
    """
    return np.minimum(max_from(np.maximum(p_settled, p_recent)) * BOUND_MARGIN, 1.0)


def setup(ctx: Context) -> None:
    """Set-up: the recent arrivals of 2025 (:func:`recent_arrivals`) and the thinning of emigration."""
    recent_arrivals(ctx)
    ctx.memory["thinning"] = Thinning(("migration",))


PROCESS = Process(
    "migration", migration, reads=("turnover",), streams=("migration", "applicant_target"),
    setup=setup,
    records=declare(
        ("immigrant_households", "households per year", "Households arriving from abroad", "flow"),
        ("immigrants", "persons per year", "Persons arriving from abroad", "flow"),
        ("emigrant_households", "households per year",
         "Households leaving the country from a dwelling", "flow"),
        ("emigrants", "persons per year",
         "Persons leaving the country (households from a dwelling, immigrants leaving again)", "flow"),
        ("applicants_gave_up", "households per year",
         "Immigrant households who left again without a dwelling", "flow"),
    ),
)
