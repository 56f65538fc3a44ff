"""Family events: births, children growing up, adult children leaving home as starters.

* Births: a woman of 15-49 in a household has a child at the rate of her age in the year's fertility
  schedule (:func:`fertility_rate`: the total fertility rate of ``turnover.fertility_path_*``, CBS's
  prognosis, spread over ages by a normal curve), divided by the share of women of her age the model
  follows (:func:`followed_share_of_women`: women living with their parents are counted, not
  followed), with ``births_single_mother_share`` of each age's births to women without a partner
  (:func:`partnership_factor`); children become adult co-residents at ``child_to_adult_per_year``,
  aged 18 (their birth month is kept: ``Households.coresident_birth_month``).
* Starters: an adult co-resident leaves home at ``leave_home_by_age_per_year`` by its age (CBS's
  shares living at home by age) times ``leave_home_level`` (times
  :func:`agents.money.leave_home_factor` for those 27+ where the kostendelersnorm cuts the
  household's benefit; ``leave_home_per_year`` for one counted without an age), at most one per
  household and step (:func:`leave_home_probabilities`), and becomes an applicant (a household to
  be) searching for a first dwelling (:mod:`agents.applicants`), at its own age (an age drawn within
  ``starter_age_years`` for one counted without an age).

Draws: the ``family`` stream, one sub-stream per decision: ``births`` (by the woman's person id),
``grow_up`` and ``leave_home`` (by the person in the household's first slot), ``leaver`` (which
co-resident leaves, with weights by their probabilities, by the same person), ``starter`` (the new
starters' ages, then sexes).
"""

from __future__ import annotations

import numpy as np

from agents import applicants, money
from agents.policies import kostendelersnorm
from sim.applicants import STARTER
from sim.codes import FEMALE, MALE, is_home
from sim.columns import take_rows
from sim.households import (
    ADULT_AGE_YEARS,
    CORESIDENT_SLOTS,
    NO_CORESIDENT,
    add_coresidents,
    partner_of,
    remove_coresidents,
    row_of,
)
from sim.outputs import declare
from sim.population import MAX_AGE_YEARS, read_table
from sim.process import Context, Process
from sim.rates import step_probability


def probability_by_count(rate_per_person: float, count: np.ndarray, spy: int) -> np.ndarray:
    """``step_probability(rate_per_person * count, spy)``, computed once per distinct count."""
    if len(count) == 0:
        return np.zeros(0)
    table = step_probability(rate_per_person * np.arange(int(count.max()) + 1), spy)
    return table[count]


FERTILE_AGES = (15, 49)
"""Ages (whole years, inclusive) of the fertility schedule."""


def fertility_rate(age_years, year: int, tp) -> np.ndarray:
    """Births per woman per year at each age in ``year``: the total fertility rate spread over ages."""
    ages = np.arange(FERTILE_AGES[0], FERTILE_AGES[1] + 1)
    shape = np.exp(-0.5 * ((ages + 0.5 - tp.fertility_mean_age_years) / tp.fertility_sd_age_years) ** 2)
    tfr = float(np.interp(year, tp.fertility_path_years, tp.fertility_path_tfr))
    table = np.zeros(FERTILE_AGES[1] + 2)
    table[FERTILE_AGES[0]:FERTILE_AGES[1] + 1] = tfr * shape / shape.sum()
    return table[np.clip(np.asarray(age_years), 0, FERTILE_AGES[1] + 1)]


def followed_share_of_women() -> np.ndarray:
    """Share of the women of each age (0..50) the model follows as adults of a household.

    Women living with their parents (co-residents) and girls are counted, not followed, so births
    are given to the women followed at the rate of all women of their age divided by this share
    (``household_position_2025.csv``: couple + single + institution; 0 below 18).
    """
    share = np.zeros(FERTILE_AGES[1] + 2)
    for row in read_table("household_position_2025.csv"):
        if row["sex"] == "female":
            lo, hi = int(row["age_from"]), min(int(row["age_to"]), FERTILE_AGES[1] + 1)
            share[lo:hi + 1] = row["share_couple"] + row["share_single"] + row["share_institution"]
    return share


def partnership_factor(age_years: np.ndarray, in_couple: np.ndarray,
                       single_share: float) -> np.ndarray:
    """Factor on each woman's birth rate that gives ``single_share`` of each age's births to singles.

    The births of each age are kept. At an age with ``c`` women in a couple and ``n`` without, a
    woman in a couple has ``(1 - single_share) (c + n) / c`` times the age's rate, one without
    ``single_share (c + n) / n``; where one of the two groups is empty the factor is 1.
    """
    ages = np.asarray(age_years, np.int64)
    c = np.bincount(ages, weights=in_couple, minlength=FERTILE_AGES[1] + 2)
    n = np.bincount(ages, minlength=FERTILE_AGES[1] + 2) - c
    both = (c > 0) & (n > 0)
    f_couple = np.where(both, (1 - single_share) * (c + n) / np.maximum(c, 1), 1.0)
    f_single = np.where(both, single_share * (c + n) / np.maximum(n, 1), 1.0)
    return np.where(in_couple, f_couple[ages], f_single[ages])


def family(ctx: Context) -> None:
    """Births, children becoming adults, adult children leaving home."""
    hh = ctx.households
    tp = ctx.params.turnover
    spy = ctx.steps_per_year
    months = hh.age_months
    # women present aged 15-49 outside institutions: one unsigned comparison for the ages (an age
    # below 15 wraps around to a large number), the masks combined in place, the home tested for the
    # women only (the same women in the same order as a mask over all households)
    fertile = np.subtract(months.view(np.uint16), np.uint16(FERTILE_AGES[0] * 12))
    fertile = fertile < np.uint16((FERTILE_AGES[1] + 1 - FERTILE_AGES[0]) * 12)
    fertile &= hh.sex == FEMALE
    fertile &= hh.present
    women = np.flatnonzero(fertile.ravel())
    women = women[is_home(hh.dwelling[row_of(women)])]  # outside institutions: tested for these only
    if "followed" not in ctx.memory:
        ctx.memory["followed"] = followed_share_of_women()
    followed = ctx.memory["followed"]
    a = months.ravel()[women] // 12
    # no woman of an age the model follows no one of (below 18) can be drawn: rate 0 there
    rate = np.divide(fertility_rate(a, ctx.year, tp), followed[a], out=np.zeros(len(a)),
                     where=followed[a] > 0)
    rows = row_of(women)
    # a partner: the other slot holds an adult who is not a housemate (sim.households.is_shared)
    other = hh.present.ravel()[partner_of(women)]
    housemate = other & (hh.shared_pid[rows] >= 0) & (hh.pid[rows, 1] == hh.shared_pid[rows])
    rate = rate * partnership_factor(a, other & ~housemate, tp.births_single_mother_share)
    p = step_probability(rate, spy)
    born = row_of(women[ctx.streams.for_few("family", hh.pid.ravel()[women], "births") < p])
    np.add.at(hh.n_children, born, 1)
    ctx.record.flow("births", float(hh.weight[born].sum()))
    kids = np.flatnonzero(hh.active & (hh.n_children > 0))
    p_grow = probability_by_count(tp.child_to_adult_per_year, hh.n_children[kids], spy)
    grown = kids[ctx.streams.for_few("family", hh.pid[kids, 0], "grow_up") < p_grow]
    hh.n_children[grown] -= 1
    add_coresidents(hh, grown, np.full(len(grown), ctx.month - ADULT_AGE_YEARS * 12, np.int32))
    cores = np.flatnonzero(hh.active & (hh.n_coresidents > 0))
    p_slot, p_untracked = leave_home_probabilities(ctx, cores)
    # 1 - prod(1 - p_slot, axis=1) * (1 - p_untracked), the same products column by column (a reduction
    # along rows of four is many times slower in numpy)
    stay = 1.0 - p_slot[:, 0]
    for i in range(1, CORESIDENT_SLOTS):
        stay *= 1.0 - p_slot[:, i]
    p_any = 1.0 - stay * (1.0 - p_untracked)
    u = ctx.streams.for_few("family", hh.pid[cores, 0], "leave_home")
    pick = u < p_any
    leave = cores[pick]
    if len(leave):
        # the leaver: slot i with weight p_i, a co-resident without an age with the rest
        weights = np.column_stack([p_slot[pick], p_untracked[pick]])
        cum = np.cumsum(weights, axis=1)
        v = ctx.streams.for_few("family", hh.pid[leave, 0], "leaver") * cum[:, -1]
        choice = np.minimum((cum <= v[:, None]).sum(axis=1), weights.shape[1] - 1)
        born = remove_coresidents(hh, leave, np.where(choice < CORESIDENT_SLOTS, choice, -1))
        k = len(leave)
        g = ctx.streams.generator("family", "starter")
        # a leaver counted without an age gets one drawn from starter_age_years
        ages = (g.uniform(*tp.starter_age_years, k) * 12).astype(np.int16)
        aged = born != NO_CORESIDENT
        ages[aged] = np.minimum(ctx.month - born[aged], np.iinfo(np.int16).max).astype(np.int16)
        sex = np.where(g.random(k) < tp.newcomer_male_share, MALE, FEMALE).astype(np.int8)
        applicants.join(ctx, STARTER, ctx.new_person_ids(k), hh.region[leave], ages, sex,
                        hh.weight[leave])
        ctx.record.flow("starters_new", float(np.sum(hh.weight[leave])))


def leave_home_probabilities(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """This step's leave-home probabilities of the co-residents of households ``rows``.

    Returns:
        ``(per slot, rest)``: shape ``(len(rows), CORESIDENT_SLOTS)`` for the co-residents whose age
        is followed (``leave_home_by_age_per_year`` by age times ``leave_home_level``, times
        :func:`agents.money.leave_home_factor` for those 27+; 0 in empty slots), and per row the
        probability that one of the co-residents counted without an age leaves
        (``leave_home_per_year`` each).
    """
    hh = ctx.households
    tp = ctx.params.turnover
    spy = ctx.steps_per_year
    born = take_rows(hh.coresident_birth_month, rows)
    tracked = born != NO_CORESIDENT
    # the rate and its step probability by age in whole years (a table, looked up per co-resident)
    band = np.searchsorted(np.asarray(tp.leave_home_age_years), np.arange(MAX_AGE_YEARS + 1), side="right")
    rate_by_age = np.asarray(tp.leave_home_by_age_per_year)[band] * tp.leave_home_level
    # one lookup by age in months (the table of whole years, capped at MAX_AGE_YEARS); an empty slot's
    # birth month (NO_CORESIDENT, the largest int16) gives a negative age, which reads the last entry, 0
    months_old = np.int32(ctx.month) - born
    by_month = np.zeros((MAX_AGE_YEARS + 1) * 12 + 1)
    by_month[:-1] = np.repeat(step_probability(rate_by_age, spy), 12)
    np.clip(months_old, -1, len(by_month) - 2, out=months_old)
    p_slot = np.take(by_month, months_old)
    factor = money.leave_home_factor(ctx, rows)
    if factor is not None:
        # only the co-residents of 27+ in households whose benefit the norm cuts leave at another rate
        cut = np.flatnonzero(factor != 1.0)
        age = months_old[cut] // 12
        r, c = np.nonzero(tracked[cut] & (age >= kostendelersnorm.KOSTENDELER_AGE_YEARS))
        p_slot[cut[r], c] = step_probability(rate_by_age[age[r, c]] * factor[cut[r]], spy)
    n_tracked = tracked[:, 0].astype(np.int16)
    for i in range(1, CORESIDENT_SLOTS):
        n_tracked += tracked[:, i]
    untracked = hh.n_coresidents[rows] - n_tracked
    p_rest = probability_by_count(tp.leave_home_per_year, untracked, spy)
    return p_slot, np.where(untracked > 0, p_rest, 0.0)


PROCESS = Process(
    "family", family, reads=("turnover", "money", "costs", "policy"),
    streams=("family", "applicant_target"),
    records=declare(
        ("births", "persons per year", "Births", "flow"),
        ("starters_new", "households per year", "Adult children leaving home to search", "flow"),
    ),
)
