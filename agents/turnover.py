"""The rest of the market, so that vacancy chains close: births, starters, migration, building.

* Births: couple households whose oldest adult is 25-44 get a child at ``birth_rate_per_year``;
  children become adult co-residents at ``child_to_adult_per_year``.
* Starters: an adult co-resident leaves home at ``leave_home_per_year`` and becomes an *applicant*:
  a household to be, searching for a first dwelling. Immigrant households arrive as applicants too.
  Applicants are held in :class:`Applicants` until they get a dwelling (then they become households;
  their move ends the vacancy chain with cause ``starter`` or ``immigrant``) or give up.
* Emigration: households leave the country at a rate by age of the oldest adult; their dwelling
  starts a chain with cause ``emigration``.
* Building: each year up to ``new_dwellings_per_year`` dwellings are completed (types and tenures by
  the given shares, provinces by household shares), fewer as the vacancy rate rises
  (:func:`market_build_factor`); each starts a chain with cause ``new_build``;
  ``demolitions_per_year`` vacant regular dwellings are demolished, longest vacant first, ending
  their chain with cause ``demolition``.

Yearly national numbers are turned into numbers of sample rows per step with a carry-over, so that
fractions are not lost at small scales.
"""

from __future__ import annotations

import numpy as np

from agents import housing
from agents.demography import PERSON_COLUMNS, clear_slots
from sim.columns import ColumnTable
from sim.dwellings import draw_rooms
from sim.population import (
    FEMALE,
    GECLUSTERD,
    MALE,
    NULTREDEN,
    OWNER,
    PRIVATE,
    REGULAR,
    SOCIAL,
    WORK,
    ZORGGESCHIKT,
    oldest_age_months,
    region_probabilities,
)
from sim.rates import step_probability

STARTER, IMMIGRANT = 1, 2
"""Applicant kinds (the same codes as the chain book's mover kinds)."""


class Applicants(ColumnTable):
    """Households to be (starters and immigrants) searching for a first dwelling here."""

    COLUMNS = {
        "active": (np.bool_, False, False),
        "weight": (np.float32, False, 0.0),
        "kind": (np.int8, False, 0),
        "pid": (np.int32, False, -1),
        "age_months": (np.int16, False, 0),
        "sex": (np.int8, False, 0),
        "region": (np.int8, False, 0),
        "since": (np.int32, False, 0),
        "search_type": (np.int8, False, 0),
        "search_tenure": (np.int8, False, 0),
    }

    def compact(self) -> None:
        """Drops the rows of applicants who were housed or gave up (ids are person ids, not rows)."""
        keep = np.flatnonzero(self.active)
        for name, col in self._cols.items():
            col[: len(keep)] = col[keep]
            col[len(keep): self.n] = self.COLUMNS[name][2]
        self.n = len(keep)


def _per_step(model, key: str, national_per_year: float) -> int:
    """Sample rows this step for a national yearly number, carrying fractions over."""
    acc = model.carry.get(key, 0.0) + national_per_year * model.settings.scale / (
        model.settings.steps_per_year)
    k = int(np.floor(acc))
    model.carry[key] = acc - k
    return k


def new_applicants(model, kind: int, region, age_months, sex, weight) -> None:
    """Adds starters or immigrants to the applicant pool with a first-dwelling target."""
    k = len(region)
    if k == 0:
        return
    _append_applicants(model, kind, model.new_pids(k), region, age_months, sex, weight)
    model.add_flow("starters_new" if kind == STARTER else "immigrant_households", float(
        np.sum(weight)))


def return_lodgers_to_pool(model, pids, region, age_months, sex, weight) -> None:
    """Former lodgers (persons ``pids``) join the applicant pool again as starters.

    They keep their person ids; their search targets are drawn as for new applicants.
    """
    if len(pids) == 0:
        return
    _append_applicants(model, STARTER, np.asarray(pids, np.int32), region, age_months, sex, weight)
    model.add_flow("lodgers_returned", float(np.sum(weight)))


def _append_applicants(model, kind: int, pids, region, age_months, sex, weight) -> None:
    """Appends applicants with person ids ``pids`` and draws their first-dwelling target."""
    k = len(pids)
    u = model.streams.for_ids("turnover", model.step_index, pids)
    # assumption: starters and immigrants seek regular dwellings or apartments (nultreden) evenly;
    # tenure: 45% private rent, 40% social rent, 15% owner-occupied
    dtype = np.where(u < 0.5, REGULAR, NULTREDEN).astype(np.int8)
    v = (u * 7.0) % 1.0
    tenure = np.where(v < 0.45, PRIVATE, np.where(v < 0.85, SOCIAL, OWNER)).astype(np.int8)
    model.applicants.append({
        "weight": np.asarray(weight, np.float32), "kind": np.full(k, kind, np.int8), "pid": pids,
        "age_months": age_months, "sex": sex, "region": region,
        "since": np.full(k, model.step_index, np.int32),
        "search_type": dtype, "search_tenure": tenure,
    })


def family_phase(model) -> None:
    """Births, children becoming adults, adult children leaving home."""
    hh = model.households
    tp = model.params.turnover
    spy = model.settings.steps_per_year
    g = model.streams.generator("turnover", model.step_index)
    # one draw per household row and event (births, growing up, leaving home): the rows of
    # ``g.random((3, n))``, drawn one after another into a reused buffer
    u = model.streams.scratch(hh.n)
    couples = np.flatnonzero(hh.active & hh.present[:, 0] & hh.present[:, 1])
    oldest = np.maximum(hh.age_months[:, 0][couples], hh.age_months[:, 1][couples]) // 12
    fertile = couples[(oldest >= 25) & (oldest <= 44)]
    born = fertile[g.random(out=u)[fertile] < step_probability(tp.birth_rate_per_year, spy)]
    hh.n_children[born] += 1
    model.add_flow("births", float(hh.weight[born].sum()))
    kids = np.flatnonzero(hh.active & (hh.n_children > 0))
    p_grow = _probability_by_count(tp.child_to_adult_per_year, hh.n_children[kids], spy)
    grown = kids[g.random(out=u)[kids] < p_grow]
    hh.n_children[grown] -= 1
    hh.n_coresidents[grown] += 1
    cores = np.flatnonzero(hh.active & (hh.n_coresidents > 0))
    p_leave = _probability_by_count(tp.leave_home_per_year, hh.n_coresidents[cores], spy)
    leave = cores[g.random(out=u)[cores] < p_leave]
    if len(leave):
        hh.n_coresidents[leave] -= 1
        k = len(leave)
        ages = (g.uniform(20, 30, k) * 12).astype(np.int16)
        sex = np.where(g.random(k) < 0.5, MALE, FEMALE).astype(np.int8)
        new_applicants(model, STARTER, hh.region[leave], ages, sex, hh.weight[leave])


def _probability_by_count(rate_per_person: float, count: np.ndarray, spy: int) -> np.ndarray:
    """``step_probability(rate_per_person * count, spy)``, computed once per distinct count."""
    if len(count) == 0:
        return np.zeros(0)
    table = step_probability(rate_per_person * np.arange(int(count.max()) + 1), spy)
    return table[count]


def union_phase(model) -> None:
    """Single adults aged 20-49 form couples; the merger frees one dwelling (chain cause ``merger``).

    Each month, single men and women of the age band who live in private households become ready to
    move in together at ``union_per_year``; within each province, ready men and women are paired in
    random order. The woman's household joins the man's (children and co-residents come along) and her
    dwelling becomes vacant.
    """
    hh = model.households
    tp = model.params.turnover
    age = hh.age_months[:, 0]
    rows = np.flatnonzero(hh.active & ~np.isin(hh.dwelling, housing.INSTITUTION_TYPES)
                          & ~hh.present[:, 1] & (age >= 20 * 12) & (age < 50 * 12))
    u = model.streams.for_ids("union", model.step_index, hh.pid[:, 0][rows])
    ready = rows[u < step_probability(tp.union_per_year, model.settings.steps_per_year)]
    if len(ready) < 2:
        return
    lot = model.streams.generator("union", model.step_index).random(len(ready))
    men = ready[hh.sex[ready, 0] == MALE]
    women = ready[hh.sex[ready, 0] == FEMALE]
    lot_m, lot_w = lot[hh.sex[ready, 0] == MALE], lot[hh.sex[ready, 0] == FEMALE]
    # pair the k-th ready man with the k-th ready woman of the same province (random order)
    from agents.allocation import pair_within_groups

    im, iw = pair_within_groups(hh.region[men], lot_m, hh.region[women], lot_w)
    if len(im) == 0:
        return
    m, w = men[im], women[iw]
    for name in PERSON_COLUMNS:
        col = getattr(hh, name)
        col[m, 1] = col[w, 0]
    hh.n_children[m] += hh.n_children[w]
    hh.n_coresidents[m] += hh.n_coresidents[w]
    model.add_flow("unions", float(hh.weight[m].sum()))
    clear_slots(hh, np.repeat(w, 2), np.tile([0, 1], len(w)))
    vacated = housing.vacate(model, w, cause="merger")
    model.add_flow("dwellings_vacated_by_merger", float(model.dwellings.weight[vacated].sum()))


def migration_phase(model) -> None:
    """Immigrant households join the applicants; households emigrate; immigrants may give up."""
    hh = model.households
    tp = model.params.turnover
    spy = model.settings.steps_per_year
    g = model.streams.generator("migration", model.step_index)
    k = _per_step(model, "immigration", tp.immigrant_households_per_year)
    if k:
        shares = region_probabilities()
        region = g.choice(len(shares), size=k, p=shares).astype(np.int8)
        ages = (g.uniform(25, 40, k) * 12).astype(np.int16)
        sex = np.where(g.random(k) < 0.5, MALE, FEMALE).astype(np.int8)
        new_applicants(model, IMMIGRANT, region, ages, sex,
                       np.full(k, 1.0 / model.settings.scale, np.float32))
    # households in the housing stock emigrate at a rate by the oldest adult: <35, 35-54, 55+;
    # the draw of household row r is element r of the stream (as for_ids gives it)
    oldest = oldest_age_months(hh) // 12
    rate_class = (oldest >= 35).astype(np.intp) + (oldest >= 55)
    p = step_probability(np.asarray(tp.emigration_per_year[:3], float), spy)[rate_class]
    u = model.streams.prefix("migration", model.step_index, hh.n)
    out = np.flatnonzero(hh.active & ~np.isin(hh.dwelling, housing.INSTITUTION_TYPES) & (u < p))
    if len(out):
        model.add_flow("emigrant_households", float(hh.weight[out].sum()))
        clear_slots(hh, np.repeat(out, 2), np.tile([0, 1], len(out)))
        housing.vacate(model, out, cause="emigration")
    ap = model.applicants
    live = np.flatnonzero(ap.active)
    if len(live):
        u = model.streams.for_ids("migration", model.step_index, ap.pid[live])
        quit_ = (ap.kind[live] == IMMIGRANT) & (
            u < step_probability(tp.immigrant_give_up_per_year, spy))
        gone = live[quit_]
        ap.active[gone] = False
        model.add_flow("applicants_gave_up", float(ap.weight[gone].sum()))


def building_phase(model) -> None:
    """Demolition of long-vacant regular dwellings and completion of new dwellings."""
    dw = model.dwellings
    tp = model.params.turnover
    g = model.streams.generator("building", model.step_index)
    k = _per_step(model, "demolition", tp.demolitions_per_year)
    if k:
        cand = np.flatnonzero(dw.active & (dw.occupant < 0) & (dw.type == REGULAR))
        gone = cand[np.argsort(dw.vacant_since[cand], kind="stable")[:k]]
        if len(gone):
            running = gone[dw.chain[gone] >= 0]
            model.chains.end(dw.chain[running], "demolition", year=model.year,
                             step=model.step_index)
            dw.chain[gone] = -1
            dw.active[gone] = False
            dw.vacant_since[gone] = -1
            model.ledger["dwellings_demolished"] += len(gone)
            model.add_flow("dwellings_demolished", float(dw.weight[gone].sum()))
    k = _per_step(model, "new_build", tp.new_dwellings_per_year * market_build_factor(model))
    if k:
        build_dwellings(model, k, g)


def market_build_factor(model) -> float:
    """Share of the baseline completions built this step, falling linearly with vacancy.

    1 while the vacancy rate is at most ``build_full_below_vacancy_rate``, 0 from
    ``build_none_above_vacancy_rate`` on: developers do not build into empty markets.
    """
    dw = model.dwellings
    tp = model.params.turnover
    private = dw.active & ~dw.is_institution()
    rate = (dw.weight[private & (dw.occupant < 0)].sum() / max(dw.weight[private].sum(), 1e-9))
    lo, hi = tp.build_full_below_vacancy_rate, tp.build_none_above_vacancy_rate
    if hi <= lo:
        return 1.0 if rate <= lo else 0.0
    return float(np.clip((hi - rate) / (hi - lo), 0.0, 1.0))


def build_dwellings(model, k: int, g, dtype=None, tenure=None, region=None,
                    flow: str = "dwellings_built") -> np.ndarray:
    """Completes ``k`` new vacant dwellings (types, tenures, provinces drawn unless given).

    ``flow`` names the indicator that counts them besides ``dwellings_built``.
    """
    dw = model.dwellings
    tp = model.params.turnover
    types = np.array([REGULAR, NULTREDEN, GECLUSTERD, ZORGGESCHIKT])
    ts = np.asarray(tp.new_dwelling_type_shares, float)
    if dtype is None:
        dtype = types[g.choice(4, size=k, p=ts / ts.sum())]
    if tenure is None:
        tn = np.asarray(tp.new_dwelling_tenure_shares, float)
        tenure = np.array([OWNER, SOCIAL, PRIVATE])[g.choice(3, size=k, p=tn / tn.sum())]
    if region is None:
        shares = region_probabilities()
        region = g.choice(len(shares), size=k, p=shares)
    dtype = np.asarray(dtype, np.int8)
    tenure = np.asarray(tenure, np.int8)
    rooms = draw_rooms(dtype, tenure, np.full(k, 2), g)
    ids = dw.append({
        "weight": np.full(k, 1.0 / model.settings.scale, np.float32),
        "type": dtype, "tenure": tenure, "region": np.asarray(region, np.int8), "rooms": rooms,
        "family": (dtype == REGULAR) & (rooms >= 4), "step_free": dtype != REGULAR,
        "vacant_since": np.full(k, model.step_index, np.int32),
    })
    model.ledger["dwellings_built"] += k
    model.add_flow("dwellings_built", float(dw.weight[ids].sum()))
    if flow != "dwellings_built":
        model.add_flow(flow, float(dw.weight[ids].sum()))
    housing.start_chains(model, ids, "new_build")
    return ids


def house_applicants(model, idx: np.ndarray, to_ids: np.ndarray) -> None:
    """Applicants ``idx`` move into the vacant dwellings ``to_ids`` as new households."""
    ap, hh, dw = model.applicants, model.households, model.dwellings
    k = len(idx)
    if k == 0:
        return
    kind = ap.kind[idx]
    zeros8 = np.zeros(k, np.int8)
    rows = hh.append({
        "weight": ap.weight[idx],
        "present": np.stack([np.ones(k, bool), np.zeros(k, bool)], axis=1),
        "pid": np.stack([ap.pid[idx], np.full(k, -1, np.int32)], axis=1),
        "age_months": np.stack([ap.age_months[idx], np.zeros(k, np.int16)], axis=1),
        "sex": np.stack([ap.sex[idx], zeros8], axis=1),
        "region": ap.region[idx],
        "benefit": np.full(k, WORK, np.int8),
        "income_eur_year": np.full(k, 30_000.0, np.float32),  # assumption: starter income
        "children_nearby": kind == STARTER,
    })
    model.ledger["households_created"] += k
    chain_in = dw.chain[to_ids]
    model.chains.link(
        chain_in, year=model.year, step=model.step_index, mover_age=ap.age_months[idx] // 12,
        household_type=zeros8, from_type=np.full(k, -1, np.int8), to_type=dw.type[to_ids],
        mover_kind=kind,
    )
    dw.chain[to_ids] = -1
    housing.occupy(model, rows, to_ids)
    w = ap.weight[idx].astype(np.float64)
    model.add_flow("starters_housed", float(w[kind == STARTER].sum()))
    model.add_flow("immigrants_housed", float(w[kind == IMMIGRANT].sum()))
    model.add_flow("moves_total", float(w.sum()))
    model.record_flows(np.full(k, -1), dw.type[to_ids], w, w)
    ap.active[idx] = False
