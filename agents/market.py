"""The housing market: vacant dwellings offered to searchers and applicants, and the moves that follow.

Every step the vacant dwellings of the housing stock are offered to the searchers of their submarket
(province, dwelling type, tenure) with :func:`agents.allocation.allocate`, longest vacant first. A
vacated dwelling is offered after a handover time (``vacancy_handover_months_owner`` for a sale,
``vacancy_handover_months_rent`` for a letting): this sets the frictional vacancy of the stock.
Dwellings still vacant after ``open_market_after_months`` are then offered, in a second pass, to every
remaining searcher of the province whatever type and tenure they sought, in the order of their lots
(acceptance ``accept_probability_open``): prices and rents give way, so that vacancies do not pile up
in submarkets without demand.

Searchers for social rent are ranked by the woningcorporatie of their province
(:class:`agents.institutions.Woningcorporatie`): medically urgent first (a care need the dwelling does
not meet, moderate care or more), then older movers (``older_mover_age_years``) for geclusterd and
zorggeschikt dwellings (every type with the doorstroom lever), then the longest search; searchers in
the owner and private markets queue in random order. An offer is accepted with ``accept_probability``
(``accept_probability_too_small`` when the dwelling has fewer rooms than the household has persons)
times a factor that falls with the rise in housing cost the move brings, as a share of income
(:func:`agents.money.cost_rise_share`: the re-let rent net of huurtoeslag, or the owner's cost, against
the current cost, plus the moving cost; an older social tenant pays the old rent under the keep-rent
lever, :mod:`agents.policies.doorstroom`). Applicants (starters, immigrants) have no current cost:
their acceptance is not changed.

Accepted offers are carried out by the occupancy (:meth:`sim.occupancy.Occupancy.move` for
households: a chain link; :meth:`~sim.occupancy.Occupancy.house_applicants` for starters and
immigrants: the chain ends). Draws: the ``allocation`` stream (vacancy and queue lots, acceptance).
"""

from __future__ import annotations

import numpy as np

from agents import applicants, money
from agents.allocation import allocate
from agents.intention import care_mismatch
from agents.policies import doorstroom
from sim.codes import MODERATE, NOT_SEARCHING, OWNER, SOCIAL
from sim.households import care_need, household_size, oldest_age_months
from sim.outputs import declare
from sim.process import Context, Process

MIN_ACCEPTANCE = 1e-12
"""Smallest ``accept_probability`` the open-market ratio divides by (avoids an overflow for tiny values)."""


def submarket_key(region, dtype, tenure) -> np.ndarray:
    """Integer key of a submarket (province, dwelling type, tenure)."""
    return (np.asarray(region, np.int64) * 16 + dtype) * 8 + tenure


def seekers(ctx: Context):
    """Searching households and applicants as one list: market keys, order, size, ids."""
    hh, dw, ap = ctx.households, ctx.dwellings, ctx.applicants
    rows = np.flatnonzero(hh.active & (hh.search_since != NOT_SEARCHING))
    apps = np.flatnonzero(ap.active)
    market = np.concatenate([
        submarket_key(hh.region[rows], hh.search_type[rows], hh.search_tenure[rows]),
        submarket_key(ap.region[apps], ap.search_type[apps], ap.search_tenure[apps]),
    ])
    since = np.concatenate([hh.search_since[rows], ap.since[apps]]).astype(np.int64)
    need = care_need(hh, rows)
    none = np.zeros(len(apps), bool)
    urgent = np.concatenate([(need >= MODERATE) & care_mismatch(hh, dw, rows), none])
    aged = oldest_age_months(hh, rows) // 12 >= ctx.params.moving.older_mover_age_years
    older = np.concatenate([aged & doorstroom.older_priority_types(ctx, hh.search_type[rows]), none])
    tenure = np.concatenate([hh.search_tenure[rows], ap.search_tenure[apps]])
    region = np.concatenate([hh.region[rows], ap.region[apps]])
    size = np.concatenate([household_size(hh, rows), np.ones(len(apps), np.int64)])
    return rows, apps, market, since, urgent, older, tenure, region, size, aged


def allocation(ctx: Context) -> None:
    """Offers vacant dwellings to searchers and applicants, and carries out the accepted moves."""
    hh, dw = ctx.households, ctx.dwellings
    mp = ctx.params.moving
    spy = ctx.steps_per_year
    step = ctx.step
    vac = ctx.occupancy.vacant_dwellings()
    min_steps = np.where(dw.tenure[vac] == OWNER, mp.vacancy_handover_months_owner,
                         mp.vacancy_handover_months_rent) * spy / 12
    vac = vac[(step - dw.vacant_since[vac]) >= np.round(min_steps)]
    rows, apps, seek_market, since, urgent, older, tenure, region, size, aged = seekers(ctx)
    n_seek = len(seek_market)
    if len(vac) == 0 or n_seek == 0:
        return
    g = ctx.streams.generator("allocation")
    vac_order = dw.vacant_since[vac] + g.random(len(vac)) * 0.5
    lots = g.random(n_seek)
    seek_order = lots.copy()
    social = tenure == SOCIAL
    months = (step - since) * (12 / spy)
    for corp in ctx.institutions.corporaties:
        sel = social & (region == corp.region)
        if sel.any():
            seek_order[sel] = corp.rank(months[sel], urgent[sel], older[sel], seek_order[sel])

    n_rows = len(rows)
    cost = _OfferCost(ctx, rows, vac, aged)

    def accept_prob(vi, si):
        fits = dw.rooms[vac[vi]] >= size[si]
        p = np.where(fits, mp.accept_probability, mp.accept_probability_too_small)
        hhs = si < n_rows  # applicants have no housing cost yet: their acceptance stays
        if hhs.any():
            p[hhs] *= cost.accept_factor(vi[hhs], si[hhs])
        return p

    u_accept = g.random((2, mp.allocation_rounds, n_seek))
    vi, si = allocate(submarket_key(dw.region[vac], dw.type[vac], dw.tenure[vac]), vac_order,
                      seek_market, seek_order, accept_prob, u_accept[0],
                      max_rounds=mp.allocation_rounds)
    # second pass: dwellings vacant for a while are offered to every remaining searcher of the
    # province, whatever type and tenure they sought (the price or rent gives way)
    months_vacant = (step - dw.vacant_since[vac]) * (12 / spy)
    left_v = np.ones(len(vac), bool)
    left_v[vi] = False
    left_v &= months_vacant >= mp.open_market_after_months
    left_s = np.ones(n_seek, bool)
    left_s[si] = False
    lv, ls = np.flatnonzero(left_v), np.flatnonzero(left_s)
    if len(lv) and len(ls):

        def accept_open(v2, s2):
            # the open-market acceptance, lowered like the submarket one for a dwelling too small
            # (relative to accept_probability; nobody accepts when that is 0)
            p = accept_prob(lv[v2], ls[s2])
            if mp.accept_probability <= 0:
                return np.zeros_like(p)
            ratio = p / max(mp.accept_probability, MIN_ACCEPTANCE)
            return np.minimum(mp.accept_probability_open * ratio, 1.0)

        v2, s2 = allocate(dw.region[vac[lv]].astype(np.int64), vac_order[lv],
                          region[ls].astype(np.int64), lots[ls], accept_open,
                          u_accept[1][:, ls], max_rounds=mp.allocation_rounds)
        vi = np.concatenate([vi, lv[v2]])
        si = np.concatenate([si, ls[s2]])
    if len(vi) == 0:
        return
    is_hh = si < len(rows)
    targets = vac[vi]
    social_in = dw.tenure[targets] == SOCIAL
    for corp in ctx.institutions.corporaties:
        corp.allocations += float(dw.weight[targets[social_in & (dw.region[targets] == corp.region)]]
                                  .sum())
    movers = rows[si[is_hh]]
    paid, kept = cost.record_moves(vi[is_hh], si[is_hh])
    ctx.occupancy.move(movers, targets[is_hh])
    cost.keep_rents(dw, targets[is_hh], movers, paid, kept)
    hh.search_since[movers] = NOT_SEARCHING
    hh.intention[movers] = 0
    idx = apps[si[~is_hh] - len(rows)]
    ctx.occupancy.house_applicants(idx, targets[~is_hh], applicants.household_columns(ctx, idx))


class _OfferCost:
    """What an offer would cost the searching households (rows ``rows``) of one step."""

    def __init__(self, ctx: Context, rows: np.ndarray, vac: np.ndarray, aged: np.ndarray):
        self.ctx, self.vac = ctx, vac
        hh, dw = ctx.households, ctx.dwellings
        self.rows = rows
        # every searcher's money at once: cheaper than computing it for each round's offers
        self.money = money.Household(ctx, rows)
        self.aged = aged
        self.keeps = aged & (hh.tenure[rows] == SOCIAL)
        self.allowance = doorstroom.moving_allowance(ctx, aged)
        self.offered = money.offered_rent(dw, vac, ctx.params.prices, ctx.year)

    def paid(self, vi: np.ndarray, si: np.ndarray) -> np.ndarray:
        """Monthly rent searchers ``si`` would pay in vacancies ``vi`` (0 in owner-occupied ones)."""
        ids = self.vac[vi]
        tenure = self.ctx.dwellings.tenure[ids]
        rent = doorstroom.rent_paid(self.ctx, self.keeps[si], self.money.rent_now[si], tenure,
                                    self.offered[vi])
        return np.where(tenure == OWNER, 0.0, rent)

    def accept_factor(self, vi: np.ndarray, si: np.ndarray) -> np.ndarray:
        """Factor of money on accepting an offer (one computation of the rent paid).

        The factor of the rise in housing cost as a share of disposable income (:mod:`agents.money`),
        and 0 where passend toewijzen bars the let (:func:`agents.money.passend_refused`).
        """
        ids = self.vac[vi]
        dw, mp = self.ctx.dwellings, self.ctx.params.money
        tenure, paid = dw.tenure[ids], self.paid(vi, si)
        rise = money.cost_rise_share(self.money, si, tenure, paid, dw.value_eur[ids], self.allowance[si], mp)
        return money.acceptance_factor(rise, mp) * ~money.passend_refused(self.money, si, tenure, paid, mp)

    def record_moves(self, vi: np.ndarray, si: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Records the rent change of older tenants who move; returns the rent paid and who keeps it.

        Recorded: the change in monthly rent of households 65+ moving from a rented dwelling to
        another (``rent_change_older_movers_eur_month``); the home equity owners 65+ release by
        moving to a rented dwelling (``equity_released_older_movers_eur``); under the keep-rent
        lever, the rent the corporations forgo over the first year (``keep_rent_forgone_eur``).
        Owners who move to a rented dwelling (zorggeschikt and geclusterd ones too) add the equity to
        their savings; admissions to an institution do not pass here.
        """
        ctx, dw = self.ctx, self.ctx.dwellings
        paid = self.paid(vi, si)
        ids = self.vac[vi]
        w = ctx.households.weight[self.rows[si]].astype(np.float64)
        change = paid - self.money.rent_now[si]
        sel = self.aged[si] & (self.money.rent_now[si] > 0) & (dw.tenure[ids] != OWNER)
        ctx.record.mean("rent_change_older_movers_eur_month", change[sel], w[sel])
        sold = (self.money.equity[si] > 0) & (dw.tenure[ids] != OWNER)
        # an owner who moves to a rented dwelling keeps the equity as savings (EUR of 2025)
        movers = self.rows[si[sold]]
        ctx.households.savings_eur[movers] += (self.money.equity[si][sold] / self.money.incomes
                                               ).astype(np.float32)
        released = self.aged[si] & sold
        if released.any():
            ctx.record.flow("equity_released_older_movers_eur",
                            float((w[released] * self.money.equity[si][released]).sum()))
        kept = doorstroom.rent_kept(ctx, paid, self.offered[vi])
        if kept.any():
            ctx.record.flow("keep_rent_forgone_eur",
                            float((w[kept] * (self.offered[vi] - paid)[kept]).sum() * 12))
        return paid, kept

    @staticmethod
    def keep_rents(dw, ids: np.ndarray, movers: np.ndarray, paid: np.ndarray, kept: np.ndarray) -> None:
        """Dwellings ``ids[kept]`` are let at the mover's old rent (no re-let rise follows)."""
        dw.rent_eur_month[ids[kept]] = paid[kept].astype(np.float32)
        dw.priced_for[ids[kept]] = movers[kept]


PROCESS = Process(
    "allocation", allocation, reads=("moving", "policy", "population", "money", "prices", "costs"),
    streams=("allocation",),
    records=declare(
        ("rent_change_older_movers_eur_month", "EUR per month",
         "Change in rent of households 65+ moving from one rented dwelling to another", "mean"),
        ("keep_rent_forgone_eur", "EUR per year",
         "Rent corporations forgo in the first year when older tenants keep their rent", "flow"),
        ("equity_released_older_movers_eur", "EUR per year",
         "Home equity released by owners 65+ who move to a rented dwelling (value less mortgage)",
         "flow"),
    ),
)
