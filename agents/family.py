"""Family events: births, children growing up, adult children leaving home as starters.

* Births: couple households whose oldest adult is within ``turnover.birth_age_of_oldest_years`` get a
  child at ``birth_rate_per_year``; children become adult co-residents at ``child_to_adult_per_year``.
* Starters: an adult co-resident leaves home at ``leave_home_per_year`` and becomes an applicant (a
  household to be) searching for a first dwelling (:mod:`agents.applicants`), with an age drawn
  within ``starter_age_years``.

Draws: the ``family`` stream, one sub-stream per decision: ``births``, ``grow_up`` and ``leave_home``
(one draw per household row each), ``starter`` (the new starters' ages, then sexes).
"""

from __future__ import annotations

import numpy as np

from agents import applicants
from sim.applicants import STARTER
from sim.codes import FEMALE, MALE
from sim.outputs import declare
from sim.process import Context, Process
from sim.rates import step_probability


def probability_by_count(rate_per_person: float, count: np.ndarray, spy: int) -> np.ndarray:
    """``step_probability(rate_per_person * count, spy)``, computed once per distinct count."""
    if len(count) == 0:
        return np.zeros(0)
    table = step_probability(rate_per_person * np.arange(int(count.max()) + 1), spy)
    return table[count]


def family(ctx: Context) -> None:
    """Births, children becoming adults, adult children leaving home."""
    hh = ctx.households
    tp = ctx.params.turnover
    spy = ctx.steps_per_year
    u = ctx.streams.scratch(hh.n)
    couples = np.flatnonzero(hh.active & hh.present[:, 0] & hh.present[:, 1])
    oldest = np.maximum(hh.age_months[:, 0][couples], hh.age_months[:, 1][couples]) // 12
    lo, hi = tp.birth_age_of_oldest_years
    fertile = couples[(oldest >= lo) & (oldest <= hi)]
    born = fertile[ctx.streams.generator("family", "births").random(out=u)[fertile]
                   < step_probability(tp.birth_rate_per_year, spy)]
    hh.n_children[born] += 1
    ctx.record.flow("births", float(hh.weight[born].sum()))
    kids = np.flatnonzero(hh.active & (hh.n_children > 0))
    p_grow = probability_by_count(tp.child_to_adult_per_year, hh.n_children[kids], spy)
    grown = kids[ctx.streams.generator("family", "grow_up").random(out=u)[kids] < p_grow]
    hh.n_children[grown] -= 1
    hh.n_coresidents[grown] += 1
    cores = np.flatnonzero(hh.active & (hh.n_coresidents > 0))
    p_leave = probability_by_count(tp.leave_home_per_year, hh.n_coresidents[cores], spy)
    leave = cores[ctx.streams.generator("family", "leave_home").random(out=u)[cores] < p_leave]
    if len(leave):
        hh.n_coresidents[leave] -= 1
        k = len(leave)
        g = ctx.streams.generator("family", "starter")
        ages = (g.uniform(*tp.starter_age_years, k) * 12).astype(np.int16)
        sex = np.where(g.random(k) < tp.newcomer_male_share, MALE, FEMALE).astype(np.int8)
        applicants.join(ctx, STARTER, ctx.new_person_ids(k), hh.region[leave], ages, sex,
                        hh.weight[leave])
        ctx.record.flow("starters_new", float(np.sum(hh.weight[leave])))


PROCESS = Process(
    "family", family, reads=("turnover",), streams=("family", "applicant_target"),
    records=declare(
        ("births", "persons per year", "Births", "flow"),
        ("starters_new", "households per year", "Adult children leaving home to search", "flow"),
    ),
)
