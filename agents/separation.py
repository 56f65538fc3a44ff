"""Separation of couples: one partner moves out, the other stays in the dwelling.

Couples (married or cohabiting; housemates who share a dwelling are not couples) separate at a yearly
hazard that falls with the age of the older partner: ``turnover.separation_at40_per_year`` times
``exp(-separation_slope_per_year_of_age * (age - 40))``, drawn by thinning (:mod:`sim.thinning`) by the
person id of the first adult: at a year's first step each first adult's candidate steps are drawn
under a bound by the adult's age (:func:`separation_bound`: the largest probability at that age or
any older one, as the older partner is at least as old, whoever the partner becomes), and a couple
whose first adult has a candidate step separates with the probability over the bound (stream
``separation`` without a key; the candidate steps under keys ``screen1``, ``screen2``, ...). One
partner stays in the dwelling with the children and co-residents: the man with probability
``separation_man_stays_share`` (sub-stream ``who``). The other
joins the applicants (:meth:`sim.occupancy.Occupancy.separate`) with a search target chosen like a
household's (:func:`agents.search.choose_target`, sub-streams ``type`` and ``tenure``); when housed, the
link ends its vacancy chain with ``stays_behind`` (someone stayed behind in the dwelling left), as in
CBS's chain definitions.

Simplification: the couples who both leave the dwelling (15% of separations, CBS 2021) are modelled
as one leaving. A separated partner waiting for a dwelling ages, develops care needs and may die like
everyone else (:mod:`agents.ageing`, :mod:`agents.care`, :mod:`agents.mortality`).
"""

from __future__ import annotations

import numpy as np

from agents.search import choose_target
from sim.codes import MALE, is_home
from sim.households import is_shared, oldest_age_months
from sim.outputs import declare
from sim.population import MAX_AGE_YEARS
from sim.process import Context, Process
from sim.rates import step_probability
from sim.thinning import BOUND_MARGIN, Thinning, check_bound, max_from

REFERENCE_AGE_YEARS = 40
"""Age of the older partner at which ``separation_at40_per_year`` holds."""


def separation_hazard(age_years, at40_per_year: float, slope_per_year: float) -> np.ndarray:
    """Yearly separation hazard of couples by the age of the older partner."""
    age = np.asarray(age_years, dtype=np.float64)
    return at40_per_year * np.exp(-slope_per_year * (age - REFERENCE_AGE_YEARS))


def separation_bound(tp, steps_per_year: int) -> np.ndarray:
    """Thinning bound of the per-step separation probability by the first adult's age in months.

    The largest probability at that age or any older one (the older partner's age is at least the
    first adult's, and ages only grow within the year), raised by :data:`sim.thinning.BOUND_MARGIN`.
    """
    months = np.arange((MAX_AGE_YEARS + 1) * 12)
    p = step_probability(separation_hazard(months / 12.0, tp.separation_at40_per_year,
                                           tp.separation_slope_per_year_of_age), steps_per_year)
    return np.minimum(max_from(p) * BOUND_MARGIN, 1.0)


def separation(ctx: Context) -> None:
    """Couples separate; the partner who leaves joins the applicants (see the module docstring)."""
    hh = ctx.households
    tp = ctx.params.turnover
    age = hh.age_months[:, 0]

    def bounds(parts):
        table = separation_bound(tp, ctx.steps_per_year)
        return {"separation": table[np.minimum(age[parts[0]], len(table) - 1)]}

    (due,), p_max = ctx.memory["thinning"].step(ctx, (hh.pid[:, 0],), bounds)
    couple = hh.active[due] & hh.present[due, 0] & hh.present[due, 1] & is_home(hh.dwelling[due])
    couple[couple] = ~is_shared(hh, due[couple])
    couples, bound = due[couple], p_max["separation"][couple]
    if len(couples) == 0:
        return
    oldest = oldest_age_months(hh, couples) / 12.0
    p = step_probability(separation_hazard(oldest, tp.separation_at40_per_year,
                                           tp.separation_slope_per_year_of_age), ctx.steps_per_year)
    check_bound("separation", p, bound)
    split = couples[ctx.streams.for_few("separation", hh.pid[couples, 0]) * bound < p]
    if len(split) == 0:
        return
    u_who = ctx.streams.for_few("separation", hh.pid[split, 0], "who")
    man_slot = np.where(hh.sex[split, 0] == MALE, 0, 1)
    man_stays = u_who < tp.separation_man_stays_share
    leaves = np.where(man_stays, 1 - man_slot, man_slot)
    pid = hh.pid[split, leaves]
    u_type = ctx.streams.for_few("separation", pid, "type")
    u_tenure = ctx.streams.for_few("separation", pid, "tenure")
    dtype, tenure = choose_target(hh.care[split, leaves], hh.age_months[split, leaves] // 12,
                                  hh.tenure[split], u_type, u_tenure, ctx.params.moving)
    ctx.record.flow("separations", float(hh.weight[split].sum()))
    # the partner who leaves takes separation_income_share of the couple's own income along
    share = ctx.params.money.separation_income_share
    taken = (hh.income_eur_year[split] * share).astype(np.float32)
    hh.income_eur_year[split] -= taken
    ctx.occupancy.separate(split, leaves, {"since": np.full(len(split), ctx.step, np.int32),
                                           "search_type": dtype, "search_tenure": tenure,
                                           "income_eur_year": taken})


def setup(ctx: Context) -> None:
    """Set-up: the thinning of separations (candidate steps drawn from the first step on)."""
    ctx.memory["thinning"] = Thinning(("separation",))


PROCESS = Process(
    "separation", separation, reads=("turnover", "moving", "money"), streams=("separation",), setup=setup,
    records=declare(("separations", "households per year",
                     "Couples who separate (one partner moves out)", "flow")),
)
