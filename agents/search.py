"""Search: households with a move intention start searching; searchers give up.

A household with an intention starts searching at a yearly hazard (``moving.search_start_*``) lowered
by the rise in housing cost it expects (:func:`_cost_factor`, ``money.search_cost_sensitivity``) and
gives up at
``search_give_up_per_year``. It searches in one submarket: its province, a dwelling type and a tenure
chosen from its needs (:func:`search_target`).

Draws: the ``search`` stream, by the person id of the household's first adult, decides giving up and
starting; the dwelling type and tenure sought come from the independent ``search_type`` and
``search_tenure`` streams, by the same person id.
"""

from __future__ import annotations

import numpy as np

from agents import money
from agents.policies import doorstroom
from sim.codes import (
    GECLUSTERD,
    HEAVY,
    LIMITATION,
    MODERATE,
    NOT_SEARCHING,
    NULTREDEN,
    OWNER,
    PRIVATE,
    REGIE,
    REGULAR,
    SOCIAL,
    ZORGGESCHIKT,
    is_home,
)
from sim.columns import take_rows
from sim.households import care_need, oldest_age_months
from sim.params import LonelinessParams, MovingParams
from sim.process import Context, Process
from sim.rates import step_probability

OLDER_AGE_YEARS = 55
"""Households whose oldest adult is at least this old are the project's older households."""
OLDEST_GROUP_YEARS = 75
"""Start of the older age group of ``search_nultreden_share`` and ``search_owner_stays_share``."""


def search_target(hh, rows, u_type, u_tenure, mp: MovingParams, lp: LonelinessParams | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Dwelling type and tenure sought by households ``rows`` (:func:`choose_target`).

    With ``lp``, households with a lonely adult seek geclusterd more often.
    """
    lonely, share = None, 0.0
    if lp is not None:
        lonely, share = take_rows(hh.lonely, rows).any(axis=1), lp.search_geclusterd_share
    return choose_target(care_need(hh, rows), oldest_age_months(hh, rows) // 12, hh.tenure[rows],
                         u_type, u_tenure, mp, lonely, share)


def choose_target(need, age, tenure_now, u_type, u_tenure, mp: MovingParams, lonely=None,
                  lonely_geclusterd_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Dwelling type and tenure sought (shares of ``MovingParams``, assumptions of the project).

    Type: heavy care at home seeks zorggeschikt; moderate care or loss of regie seeks geclusterd
    (``search_care_geclusterd_share``) or zorggeschikt; a limitation seeks nultreden
    (``search_limitation_nultreden_share``) or geclusterd; without a care need, older households seek
    nultreden (``search_nultreden_share``, 55-74 and 75+), younger households regular dwellings; an
    older household without a care need and with a lonely adult (``lonely``) seeks geclusterd when
    its type draw is in the top ``lonely_geclusterd_share`` of its range (the rest as the others).
    Tenure: owners stay owners (``search_owner_stays_share``, under 75 and 75+; else social rent);
    social renters stay (``search_social_stays_share``; else private); private renters by
    ``search_private_tenure_shares``.
    """
    need, age, tenure_now = np.asarray(need), np.asarray(age), np.asarray(tenure_now)
    dtype = np.full(len(need), REGULAR, np.int8)
    older = age >= OLDER_AGE_YEARS
    oldest = age >= OLDEST_GROUP_YEARS
    p_nultreden = np.where(oldest, mp.search_nultreden_share[1], mp.search_nultreden_share[0])
    dtype[older & (u_type < p_nultreden)] = NULTREDEN
    if lonely is not None:
        dtype[older & np.asarray(lonely, bool) & (u_type >= 1.0 - lonely_geclusterd_share)] = GECLUSTERD
    lim = need == LIMITATION
    dtype[lim] = np.where(u_type[lim] < mp.search_limitation_nultreden_share, NULTREDEN, GECLUSTERD)
    mod = (need == MODERATE) | (need == REGIE)
    dtype[mod] = np.where(u_type[mod] < mp.search_care_geclusterd_share, GECLUSTERD, ZORGGESCHIKT)
    dtype[need == HEAVY] = ZORGGESCHIKT
    tenure = tenure_now.copy()
    own = tenure == OWNER
    stay_own = np.where(oldest, mp.search_owner_stays_share[1], mp.search_owner_stays_share[0])
    tenure[own & (u_tenure >= stay_own)] = SOCIAL
    soc = tenure_now == SOCIAL
    tenure[soc & (u_tenure >= mp.search_social_stays_share)] = PRIVATE
    prv = tenure_now == PRIVATE
    cum = np.cumsum(mp.search_private_tenure_shares)
    tenure[prv] = np.where(u_tenure[prv] < cum[0], PRIVATE,
                           np.where(u_tenure[prv] < cum[1], SOCIAL, OWNER)).astype(np.int8)
    return dtype, tenure.astype(np.int8)


def search(ctx: Context) -> None:
    """Households with an intention start searching; searchers give up at a hazard."""
    hh = ctx.households
    mp = ctx.params.moving
    spy = ctx.steps_per_year
    searching_all = hh.search_since != NOT_SEARCHING
    # only searchers (who may give up) and households with an intention (who may start) draw
    rows = np.flatnonzero(hh.active & is_home(hh.dwelling)
                          & (searching_all | (hh.intention == 1) | (hh.intention == 2)))
    if len(rows) == 0:
        return
    searching = searching_all[rows]
    u = ctx.streams.for_few("search", hh.pid[rows, 0])
    quit_ = searching & (u < step_probability(mp.search_give_up_per_year, spy))
    hh.search_since[rows[quit_]] = NOT_SEARCHING
    rate = np.array([0.0, mp.search_start_maybe_per_year, mp.search_start_definite_per_year])
    level = np.minimum(hh.intention[rows], 2)
    p = step_probability(rate, spy)[level]
    start = ~searching & (u < p)
    if start.any():
        # the expected cost of moving lowers the start; only those who could start are asked (the
        # factor is at most 1), so the draws and everyone else's decision stay as they were
        cand = np.flatnonzero(start)
        factor, m = _cost_factor(ctx, rows[cand])
        keep = u[cand] < p[cand] * factor
        start[cand] = keep
        m = m.take(np.flatnonzero(keep))
    new = rows[start]
    if len(new):
        u_type = ctx.streams.for_few("search_type", hh.pid[new, 0])
        u_tenure = ctx.streams.for_few("search_tenure", hh.pid[new, 0])
        hh.search_type[new], wanted = search_target(hh, new, u_type, u_tenure, mp, ctx.params.loneliness)
        hh.search_tenure[new] = money.affordable_tenure(ctx, new, wanted, m)
        hh.search_since[new] = ctx.step


def _cost_factor(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray, money.Household]:
    """Factor on the search start of households ``rows`` from the expected rise in housing cost.

    Tenants expect the mean market rent of their tenure in their province (older social tenants their
    own rent under the keep-rent lever), owners only the moving cost (:mod:`agents.money`).

    Returns:
        ``(factor, money)``: the factors and the households' money (:class:`agents.money.Household`).
    """
    hh, dw = ctx.households, ctx.dwellings
    mem = ctx.memory
    if mem.get("rents_year") != ctx.year:
        mem["rents"], mem["rents_year"] = money.regional_market_rents(dw), ctx.year
    m = money.Household(ctx, rows)
    tenure = hh.tenure[rows]
    renting = (tenure == SOCIAL) | (tenure == PRIVATE)
    expected = np.where(renting, mem["rents"][hh.region[rows], np.minimum(tenure, 2)], 0.0)
    older = oldest_age_months(hh, rows) >= ctx.params.moving.older_mover_age_years * 12
    expected = doorstroom.rent_paid(ctx, older & (tenure == SOCIAL), m.rent_now, tenure, expected)
    value = dw.value_eur[hh.dwelling_id[rows]]
    mp = ctx.params.money
    share = money.cost_rise_share(m, np.arange(len(rows)), tenure, expected, value,
                                  doorstroom.moving_allowance(ctx, older), mp)
    return np.exp(-mp.search_cost_sensitivity * share), m


PROCESS = Process("search", search, reads=("moving", "policy", "money", "prices", "costs", "loneliness"),
                  streams=("search", "search_type", "search_tenure"),
                  records=money.TENURE_INDICATORS)
