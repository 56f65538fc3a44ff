"""Migration: immigrant households arrive as applicants, households emigrate, immigrants give up.

* Immigration: ``turnover.immigrant_households_per_year`` households a year (national) join the
  applicants, in provinces by their household shares, with ages within ``immigrant_age_years``.
* Emigration: households in the housing stock emigrate at a rate by the age of the oldest adult
  (under 35, 35-54, 55+: ``emigration_per_year``); their dwelling starts a chain with cause
  ``emigration``.
* Immigrant applicants who find nothing give up at ``immigrant_give_up_per_year`` (shared or
  temporary housing, or leaving again); starters keep searching while living with their parents.

Yearly national numbers become sample rows per step with a carry-over (:meth:`Context.per_step`).
"""

from __future__ import annotations

import numpy as np

from agents import applicants
from sim.applicants import IMMIGRANT
from sim.codes import FEMALE, MALE, is_institution
from sim.households import oldest_age_months
from sim.outputs import declare
from sim.population import region_probabilities
from sim.process import Context, Process
from sim.rates import step_probability

EMIGRATION_AGE_CLASSES = (35, 55)
"""Ages of the oldest adult that start the second and third class of ``emigration_per_year``."""


def migration(ctx: Context) -> None:
    """Immigrant households join the applicants; households emigrate; immigrants may give up."""
    hh = ctx.households
    tp = ctx.params.turnover
    spy = ctx.steps_per_year
    k = ctx.per_step("immigration", tp.immigrant_households_per_year)
    if k:
        g = ctx.streams.generator("migration", "immigrants")
        shares = region_probabilities()
        region = g.choice(len(shares), size=k, p=shares).astype(np.int8)
        ages = (g.uniform(*tp.immigrant_age_years, k) * 12).astype(np.int16)
        sex = np.where(g.random(k) < tp.newcomer_male_share, MALE, FEMALE).astype(np.int8)
        weight = np.full(k, 1.0 / ctx.scale, np.float32)
        applicants.join(ctx, IMMIGRANT, ctx.new_person_ids(k), region, ages, sex, weight)
        ctx.record.flow("immigrant_households", float(np.sum(weight)))
    # a household's draw is that of the person in its first slot (the same in every scenario)
    cand = np.flatnonzero(hh.active & ~is_institution(hh.dwelling))
    rate_class = np.searchsorted(EMIGRATION_AGE_CLASSES, oldest_age_months(hh, cand) // 12,
                                 side="right")
    p = step_probability(np.asarray(tp.emigration_per_year[:3], float), spy)[rate_class]
    out = cand[ctx.streams.for_ids("migration", hh.pid[cand, 0], "emigration") < p]
    if len(out):
        ctx.record.flow("emigrant_households", float(hh.weight[out].sum()))
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


PROCESS = Process(
    "migration", migration, reads=("turnover",), streams=("migration", "applicant_target"),
    records=declare(
        ("immigrant_households", "households per year", "Households arriving from abroad", "flow"),
        ("emigrant_households", "households per year", "Households leaving the country", "flow"),
        ("applicants_gave_up", "households per year",
         "Starters and immigrants who stopped searching", "flow"),
    ),
)
