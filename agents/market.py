"""The housing market: move intention, search, allocation of vacancies and the moves that follow.

Intention (once a year, on 1 January). Each private household that is not searching gets an
intention (none, maybe, definite: WoON's three levels) from a multinomial logit on its situation:
the age group of the oldest adult sets the intercepts, and a care need the dwelling does not meet,
recent widowhood, under-occupation, ownership and long residence shift the odds
(``MovingParams``). The intercepts are solved when the model starts so that the 2025 population
reproduces the target shares by age group (:func:`calibrate_intercepts`); afterwards intentions
follow the changing population. A searching household keeps its intention.

Search. A household with an intention starts searching at a yearly hazard (definite or maybe) and
gives up at another. It searches in one submarket: its province, a dwelling type and a tenure chosen
from its needs (:func:`search_target`).

Allocation (every step). The vacant dwellings of the housing stock are offered to the searchers of
their submarket with :func:`agents.allocation.allocate`. Vacancies are offered longest-vacant first.
A vacated dwelling is offered after a handover time (``vacancy_handover_months_owner`` for a sale,
``vacancy_handover_months_rent`` for a letting): this sets the frictional vacancy of the stock.
Dwellings still vacant after ``open_market_after_months`` are then offered, in a second pass, to every
remaining searcher of the province whatever type and tenure they sought, in the order of their lots
(acceptance ``accept_probability_open``): prices and rents give way, so that vacancies do not pile
up in submarkets without demand.

Policy levers (``PolicyParams``, see :mod:`agents.policies`): older-mover priority for every type,
a higher acceptance of social-rent offers by social tenants 65+ who keep their rent, and a factor on
the search-start hazards of households 65+ (help with moving).

Searchers for social rent are ranked by the woningcorporatie of their province
(:class:`Woningcorporatie`): medically urgent first (a care need the dwelling does not meet, moderate
care or more), then older movers (65+) for geclusterd and zorggeschikt dwellings, then the longest
search; searchers in the owner and private markets queue in random order. An offer is accepted with
``accept_probability`` (``accept_probability_too_small`` when the dwelling has fewer rooms than the
household has persons).

A move frees the mover's dwelling, which carries the vacancy chain of the dwelling moved into (a link
of the chain, :mod:`sim.chains`).
"""

from __future__ import annotations

import mesa
import numpy as np

from agents import housing
from agents.allocation import allocate, social_rent_order
from sim.dwellings import household_size
from sim.params import MovingParams
from sim.population import (
    GECLUSTERD,
    HEAVY,
    LIMITATION,
    MODERATE,
    NOT_SEARCHING,
    NULTREDEN,
    OWNER,
    PRIVATE,
    REGULAR,
    SOCIAL,
    ZORGGESCHIKT,
    adult_count,
    care_need,
    oldest_age_months,
)
from sim.rates import step_probability

AGE_GROUP_STARTS = (0, 55, 65, 75)
"""Age groups of the oldest adult for intentions: <55, 55-64, 65-74, 75+."""
WIDOWED_RECENT_MONTHS = 24
HOUSEHOLD_TYPES = ("single", "couple", "with_others")
"""Household types recorded with chain links: one adult, two adults, or with children/co-residents."""


def age_group(oldest_years: np.ndarray) -> np.ndarray:
    """Index of the intention age group of each household."""
    return np.searchsorted(np.asarray(AGE_GROUP_STARTS), oldest_years, side="right") - 1


def oldest_age_years(hh) -> np.ndarray:
    """Age in whole years of the oldest adult of each household (-1 for an empty row)."""
    return oldest_age_months(hh) // 12


def household_type(hh, rows) -> np.ndarray:
    """Household type code (:data:`HOUSEHOLD_TYPES`) of the given rows."""
    others = (hh.n_children[rows] + hh.n_coresidents[rows]) > 0
    return np.where(others, 2, adult_count(hh, rows) - 1).astype(np.int8)


def care_mismatch(hh, dw, rows) -> np.ndarray:
    """True where a care need is not met by the dwelling.

    A limitation or more needs a step-free (or adapted) home; moderate care or more needs a
    geclusterd or zorggeschikt dwelling.
    """
    need = care_need(hh, rows)
    ids = hh.dwelling_id[rows]
    dtype = dw.type[ids]
    not_step_free = ~dw.step_free[ids]
    no_care = ~np.isin(dtype, (GECLUSTERD, ZORGGESCHIKT))
    return ((need >= LIMITATION) & not_step_free) | ((need >= MODERATE) & no_care)


def intention_logits(hh, dw, rows, step: int, mp: MovingParams) -> tuple[np.ndarray, np.ndarray]:
    """Situation part of the logits (definite, maybe) of the given households, intercepts excluded."""
    mismatch = care_mismatch(hh, dw, rows)
    widowed = (step - hh.widowed_step[rows].astype(np.int64)) < WIDOWED_RECENT_MONTHS
    under = (dw.rooms[hh.dwelling_id[rows]] - household_size(hh, rows)) >= 3
    owner = hh.tenure[rows] == OWNER
    attach = hh.months_in_dwelling[rows] >= 240
    out = []
    for k in (0, 1):
        out.append(mismatch * mp.effect_mismatch[k] + widowed * mp.effect_widowed[k]
                   + under * mp.effect_underoccupation[k] + owner * mp.effect_owner[k]
                   + attach * mp.effect_attachment[k])
    return out[0], out[1]


def intention_probabilities(x_def, x_may, a_def, a_may) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logit: probabilities of definite and maybe (none is the reference)."""
    e_def = np.exp(a_def + x_def)
    e_may = np.exp(a_may + x_may)
    denom = 1.0 + e_def + e_may
    return e_def / denom, e_may / denom


def calibrate_intercepts(group, weight, x_def, x_may, mp: MovingParams, iterations: int = 200):
    """Solves the intercepts per age group so the weighted mean probabilities equal the targets.

    Returns:
        Arrays ``(a_def, a_may)`` indexed by age group.
    """
    n_groups = len(AGE_GROUP_STARTS)
    t_def = np.asarray(mp.intention_definite_share)
    t_may = np.asarray(mp.intention_maybe_share)
    if np.any(t_def + t_may >= 1):
        raise ValueError("moving: definite + maybe shares must stay below 1 in every age group")
    a_def = np.log(t_def / (1 - t_def - t_may))
    a_may = np.log(t_may / (1 - t_def - t_may))
    # households share few distinct (group, x_def, x_may) combinations: iterate on those, weighted
    combos, inverse = np.unique(np.stack([np.asarray(group, float), x_def, x_may], axis=1),
                                axis=0, return_inverse=True)
    cw = np.bincount(inverse.ravel(), weights=weight, minlength=len(combos))
    group, x_def, x_may, weight = combos[:, 0].astype(np.intp), combos[:, 1], combos[:, 2], cw
    wsum = np.bincount(group, weights=weight, minlength=n_groups)
    for _ in range(iterations):
        p_def, p_may = intention_probabilities(x_def, x_may, a_def[group], a_may[group])
        m_def = np.bincount(group, weights=weight * p_def, minlength=n_groups) / np.maximum(wsum, 1e-12)
        m_may = np.bincount(group, weights=weight * p_may, minlength=n_groups) / np.maximum(wsum, 1e-12)
        ok = wsum > 0
        a_def[ok] += np.log(t_def[ok] / m_def[ok])
        a_may[ok] += np.log(t_may[ok] / m_may[ok])
    return a_def, a_may


def private_households(model) -> np.ndarray:
    """Rows of active households living in the housing stock (not in an institution)."""
    hh = model.households
    return np.flatnonzero(hh.active & ~housing.is_institution_type(hh.dwelling))


def draw_intentions(model) -> None:
    """Draws every private household's intention for the coming year."""
    hh, dw = model.households, model.dwellings
    rows = private_households(model)
    if model.intercepts is not None:
        # a household already searching keeps its intention until it moves or gives up
        rows = rows[hh.search_since[rows] == NOT_SEARCHING]
    x_def, x_may = intention_logits(hh, dw, rows, model.step_index, model.params.moving)
    group = age_group(oldest_age_months(hh, rows) // 12)
    if model.intercepts is None:
        model.intercepts = calibrate_intercepts(group, hh.weight[rows], x_def, x_may,
                                                model.params.moving)
    a_def, a_may = model.intercepts
    p_def, p_may = intention_probabilities(x_def, x_may, a_def[group], a_may[group])
    u = model.streams.for_ids("intention", model.step_index, rows)
    intention = np.where(u < p_def, 2, np.where(u < p_def + p_may, 1, 0)).astype(np.int8)
    hh.intention[rows] = intention


def intention_phase(model) -> None:
    """Draws intentions in the last step of each year (they hold from 1 January)."""
    if (model.step_index + 1) % model.settings.steps_per_year == 0:
        draw_intentions(model)


def search_target(hh, dw, rows, u_type, u_tenure) -> tuple[np.ndarray, np.ndarray]:
    """Dwelling type and tenure sought (assumptions of the project).

    Type: heavy care at home seeks zorggeschikt; moderate care or loss of regie seeks geclusterd
    (60%) or zorggeschikt; a limitation seeks nultreden (80%) or geclusterd; no care need: 75+ seeks
    nultreden with 60%, 55-74 with 40%, younger households regular dwellings.
    Tenure: owners stay owners (80% under 75, 60% from 75; else social rent); social renters stay
    (90%; else private); private renters: 50% private, 35% social, 15% owner.
    """
    need = care_need(hh, rows)
    age = oldest_age_months(hh, rows) // 12
    dtype = np.full(len(rows), REGULAR, np.int8)
    older = age >= 55
    p_nultreden = np.where(age >= 75, 0.6, 0.4)
    dtype[older & (u_type < p_nultreden)] = NULTREDEN
    lim = need == LIMITATION
    dtype[lim] = np.where(u_type[lim] < 0.8, NULTREDEN, GECLUSTERD)
    mod = (need == MODERATE) | (need == 3)
    dtype[mod] = np.where(u_type[mod] < 0.6, GECLUSTERD, ZORGGESCHIKT)
    dtype[need == HEAVY] = ZORGGESCHIKT
    tenure = hh.tenure[rows].copy()
    own = tenure == OWNER
    stay_own = np.where(age >= 75, 0.6, 0.8)
    tenure[own & (u_tenure >= stay_own)] = SOCIAL
    soc = hh.tenure[rows] == SOCIAL
    tenure[soc & (u_tenure >= 0.9)] = PRIVATE
    prv = hh.tenure[rows] == PRIVATE
    tenure[prv] = np.where(u_tenure[prv] < 0.5, PRIVATE,
                           np.where(u_tenure[prv] < 0.85, SOCIAL, OWNER)).astype(np.int8)
    return dtype, tenure.astype(np.int8)


def search_phase(model) -> None:
    """Households with an intention start searching; searchers give up at a hazard.

    Draws: the ``search`` stream of the step, indexed by household row, decides giving up and
    starting; the dwelling type and tenure sought come from the independent ``search_type`` and
    ``search_tenure`` streams, indexed by household row.
    """
    hh, dw = model.households, model.dwellings
    mp = model.params.moving
    spy = model.settings.steps_per_year
    searching_all = hh.search_since != NOT_SEARCHING
    # only searchers (who may give up) and households with an intention (who may start) draw
    rows = np.flatnonzero(hh.active & ~housing.is_institution_type(hh.dwelling)
                          & (searching_all | (hh.intention == 1) | (hh.intention == 2)))
    if len(rows) == 0:
        return
    searching = searching_all[rows]
    g = model.streams.generator("search", model.step_index)
    stream = g.random(out=model.streams.scratch(int(rows[-1]) + 1))
    u = stream[rows]
    quit_ = searching & (u < step_probability(mp.search_give_up_per_year, spy))
    hh.search_since[rows[quit_]] = NOT_SEARCHING
    p_start = step_probability(np.array([0.0, mp.search_start_maybe_per_year,
                                         mp.search_start_definite_per_year]), spy)
    p = p_start[np.minimum(hh.intention[rows], 2)]
    help_factor = model.params.policy.moving_help_search_factor
    if help_factor != 1.0:
        rate = np.array([0.0, mp.search_start_maybe_per_year, mp.search_start_definite_per_year])
        aged = oldest_age_months(hh, rows) >= 65 * 12
        p = np.where(aged, step_probability(rate[np.minimum(hh.intention[rows], 2)] * help_factor,
                                            spy), p)
    start = ~searching & (u < p)
    new = rows[start]
    if len(new):
        u_type = model.streams.for_ids("search_type", model.step_index, new)
        u_tenure = model.streams.for_ids("search_tenure", model.step_index, new)
        dtype, tenure = search_target(hh, dw, new, u_type, u_tenure)
        hh.search_type[new] = dtype
        hh.search_tenure[new] = tenure
        hh.search_since[new] = model.step_index


def submarket_key(region, dtype, tenure) -> np.ndarray:
    """Integer key of a submarket (province, dwelling type, tenure)."""
    return (np.asarray(region, np.int64) * 16 + dtype) * 8 + tenure


class Woningcorporatie(mesa.Agent):
    """The social landlords of one province, as one agent: ranks candidates, counts allocations.

    Args:
        model: The model.
        region: Province code.
        name: Province name.
    """

    def __init__(self, model: mesa.Model, region: int, name: str):
        super().__init__(model)
        self.region = int(region)
        self.name = name
        self.allocations = 0.0

    def rank(self, months: np.ndarray, urgent: np.ndarray, older_priority: np.ndarray,
             tiebreak: np.ndarray) -> np.ndarray:
        """Positions of its candidates (lower first): urgency, older movers, search time, lot."""
        return social_rent_order(urgent, months, older_priority, tiebreak)


def _seekers(model):
    """Searching households and applicants as one list: market keys, order, size, ids."""
    hh, dw, ap = model.households, model.dwellings, model.applicants
    rows = np.flatnonzero(hh.active & (hh.search_since != NOT_SEARCHING))
    apps = np.flatnonzero(ap.active)
    market = np.concatenate([
        submarket_key(hh.region[rows], hh.search_type[rows], hh.search_tenure[rows]),
        submarket_key(ap.region[apps], ap.search_type[apps], ap.search_tenure[apps]),
    ])
    since = np.concatenate([hh.search_since[rows], ap.since[apps]]).astype(np.int64)
    need = care_need(hh, rows)
    urgent = np.concatenate([(need >= MODERATE) & care_mismatch(hh, dw, rows),
                             np.zeros(len(apps), bool)])
    aged = oldest_age_months(hh, rows) // 12 >= 65
    if model.params.policy.older_mover_priority_all_types:
        priority_type = np.ones(len(rows), bool)
    else:
        priority_type = np.isin(hh.search_type[rows], (GECLUSTERD, ZORGGESCHIKT))
    older = np.concatenate([aged & priority_type, np.zeros(len(apps), bool)])
    keeps_rent = np.concatenate([aged & (hh.tenure[rows] == SOCIAL), np.zeros(len(apps), bool)])
    tenure = np.concatenate([hh.search_tenure[rows], ap.search_tenure[apps]])
    region = np.concatenate([hh.region[rows], ap.region[apps]])
    size = np.concatenate([household_size(hh, rows), np.ones(len(apps), np.int64)])
    return rows, apps, market, since, urgent, older, tenure, region, size, keeps_rent


def allocation_phase(model) -> None:
    """Offers vacant dwellings to searchers and applicants, and carries out the accepted moves."""
    from agents.turnover import house_applicants

    dw = model.dwellings
    mp = model.params.moving
    spy = model.settings.steps_per_year
    vac = np.flatnonzero(dw.active & (dw.occupant < 0))
    vac = vac[~housing.is_institution_type(dw.type[vac])]
    min_steps = np.where(dw.tenure[vac] == OWNER, mp.vacancy_handover_months_owner,
                         mp.vacancy_handover_months_rent) * spy / 12
    vac = vac[(model.step_index - dw.vacant_since[vac]) >= np.round(min_steps)]
    rows, apps, seek_market, since, urgent, older, tenure, region, size, keeps_rent = (
        _seekers(model))
    n_seek = len(seek_market)
    if len(vac) == 0 or n_seek == 0:
        return
    step = model.step_index
    g = model.streams.generator("allocation", step)
    vac_order = dw.vacant_since[vac] + g.random(len(vac)) * 0.5
    lots = g.random(n_seek)
    seek_order = lots.copy()
    social = tenure == SOCIAL
    months = (step - since) * (12 / model.settings.steps_per_year)
    for corp in model.corporaties:
        sel = social & (region == corp.region)
        if sel.any():
            seek_order[sel] = corp.rank(months[sel], urgent[sel], older[sel], seek_order[sel])

    keep_rent = model.params.policy.keep_rent_acceptance

    def accept_prob(vi, si):
        fits = dw.rooms[vac[vi]] >= size[si]
        p = np.where(fits, mp.accept_probability, mp.accept_probability_too_small)
        if keep_rent > 0:
            bonus = keeps_rent[si] & (dw.tenure[vac[vi]] == SOCIAL)
            p = np.minimum(p + keep_rent * bonus, 1.0)
        return p

    u_accept = g.random((2, mp.allocation_rounds, n_seek))
    vi, si = allocate(submarket_key(dw.region[vac], dw.type[vac], dw.tenure[vac]), vac_order,
                      seek_market, seek_order, accept_prob, u_accept[0],
                      max_rounds=mp.allocation_rounds)
    # second pass: dwellings vacant for a while are offered to every remaining searcher of the
    # province, whatever type and tenure they sought (the price or rent gives way)
    months_vacant = (step - dw.vacant_since[vac]) * (12 / model.settings.steps_per_year)
    left_v = np.ones(len(vac), bool)
    left_v[vi] = False
    left_v &= months_vacant >= mp.open_market_after_months
    left_s = np.ones(n_seek, bool)
    left_s[si] = False
    lv, ls = np.flatnonzero(left_v), np.flatnonzero(left_s)
    if len(lv) and len(ls):

        def accept_open(v2, s2):
            return mp.accept_probability_open * accept_prob(lv[v2], ls[s2]) / mp.accept_probability

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
    for corp in model.corporaties:
        corp.allocations += float(dw.weight[targets[social_in & (dw.region[targets] == corp.region)]]
                                  .sum())
    move(model, rows[si[is_hh]], targets[is_hh])
    house_applicants(model, apps[si[~is_hh] - len(rows)], targets[~is_hh])


def move(model, rows: np.ndarray, to_ids: np.ndarray) -> None:
    """Households ``rows`` move from their dwellings into the vacant dwellings ``to_ids``."""
    hh, dw = model.households, model.dwellings
    from_ids = hh.dwelling_id[rows].copy()
    chain_in = dw.chain[to_ids]
    persons = household_size(hh, rows)
    ages = oldest_age_months(hh, rows) // 12
    w = hh.weight[rows].astype(np.float64)
    record_moves(model, rows, from_ids, to_ids, persons, ages, w)
    continuing = model.chains.link(
        chain_in, year=model.year, step=model.step_index, mover_age=ages,
        household_type=household_type(hh, rows), from_type=dw.type[from_ids],
        to_type=dw.type[to_ids], mover_kind=np.zeros(len(rows), np.int8),
    )
    dw.chain[to_ids] = -1
    housing.free_dwellings(model, from_ids)
    dw.chain[from_ids] = continuing
    hh.dwelling_id[rows] = -1
    housing.occupy(model, rows, to_ids)
    hh.search_since[rows] = NOT_SEARCHING
    hh.intention[rows] = 0


def record_moves(model, rows, from_ids, to_ids, persons, ages, w) -> None:
    """Counts the moves for the indicators and the type-to-type flow table."""
    hh, dw = model.households, model.dwellings
    model.add_flow("moves_total", float((w * persons).sum()))
    count_movers_by_age(model, np.where(hh.present[rows], hh.age_months[rows] // 12, -1), w)
    freed_family = dw.family[from_ids] & (ages >= 55)
    model.add_flow("family_homes_freed", float(w[freed_family].sum()))
    model.record_flows(dw.type[from_ids], dw.type[to_ids], w, w * persons)


def count_movers_by_age(model, ages_years: np.ndarray, weight: np.ndarray) -> None:
    """Adds moving adults (ages per slot, -1 for none) to the movers-by-age flows."""
    ages = np.asarray(ages_years).reshape(len(weight), -1)
    for lo, hi, name in ((55, 200, "moves_55plus"), (65, 74, "movers_65_74"),
                         (75, 200, "movers_75plus")):
        n = ((ages >= lo) & (ages <= hi)).sum(axis=1)
        model.add_flow(name, float((weight * n).sum()))


def _limited_not_step_free(hh, dw) -> tuple[np.ndarray, np.ndarray]:
    """Rows and dwelling ids of the households with a limitation or more in a home not step-free.

    Households as in :func:`private_households`: active and not in a verpleeghuis.
    """
    p0, p1 = hh.present[:, 0], hh.present[:, 1]
    limited = ((hh.care[:, 0] >= LIMITATION) & p0) | ((hh.care[:, 1] >= LIMITATION) & p1)
    rows = np.flatnonzero(limited & hh.active & ~housing.is_institution_type(hh.dwelling))
    ids = hh.dwelling_id[rows]
    keep = ~dw.step_free[ids]
    return rows[keep], ids[keep]


def adaptation_phase(model) -> None:
    """Wmo home adaptations: a regular home of a household with a limitation becomes step-free."""
    hh, dw = model.households, model.dwellings
    rows, ids = _limited_not_step_free(hh, dw)
    if len(rows) == 0:
        return
    u = model.streams.for_ids("adaptation", model.step_index, rows)
    p = step_probability(model.params.moving.adaptation_per_year, model.settings.steps_per_year)
    done = ids[u < p]
    dw.step_free[done] = True
    model.add_flow("home_adaptations", float(dw.weight[done].sum()))


def adapt_initial_stock(model) -> None:
    """Marks the 2025 homes of households with a limitation as adapted (``adapted_share_initial``)."""
    hh, dw = model.households, model.dwellings
    rows = private_households(model)
    need = care_need(hh, rows)
    ids = hh.dwelling_id[rows]
    cand = (need >= LIMITATION) & ~dw.step_free[ids]
    u = model.streams.generator("adaptation").random(len(rows))
    dw.step_free[ids[cand & (u < model.params.moving.adapted_share_initial)]] = True
