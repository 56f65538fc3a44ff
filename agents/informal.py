"""Informal care (mantelzorg): who cares for a person in need at home, and when the care ends.

A person with a care need (a limitation or more) in a private dwelling has at most one main carer,
kept in the per-adult household column ``carer``: its kind (:data:`CARER_KINDS`: none, the partner,
a child within reach, someone else) in the low bits, and two flags, :data:`OVERBURDENED` and
:data:`RESPITE` (the carer uses logeerzorg). Each step:

1. care ends where its carer is gone: the receiver no longer needs care or left for an institution,
   the partner died, left or needs more than ``informal.partner_max_care_state`` itself, the
   household no longer has a child within reach (the kin network, :mod:`agents.kin`);
2. a carer becomes overburdened at the hazard ``overburden_per_hour_per_year`` times the weekly hours
   of care the receiver's care state asks (``hours_per_week``); an overburdened carer stops at
   ``overburdened_stop_per_year``. A carer using logeerzorg (the policy's ``logeerzorg_share`` of the
   carers of persons with a Wlz indication, drawn once per caring spell, stream ``logeerzorg``) has
   both hazards times ``policy.logeerzorg_burden_factor``: respite acts on the burden;
3. a person in need without a carer starts receiving care at ``start_per_year`` of the best carer
   available: the partner, else a child within reach, else someone else.

A person with a Wlz indication whose carer stops, or leaves while care is still needed, weighs
registering for a verpleeghuis place as at a new indication (its ``wlz_step`` is set to the step;
:mod:`agents.admission`). The effects of the
care on others: the move from a limitation to a moderate care need is slower with a carer
(:mod:`agents.care`), and registration for a verpleeghuis place is less likely while a carer is not
overburdened (:mod:`agents.admission`).

Draws: stream ``informal_care``, by person id, one key per decision (``burden``, ``stop``,
``start``); the set-up draws the 2025 carers from the stationary shares of the same hazards
(``informal_care``, key ``setup``). Applicants waiting for a dwelling have no carer.
"""

from __future__ import annotations

import numpy as np

from agents.policies import logeerzorg
from sim.codes import HEAVY, LIMITATION, is_home
from sim.columns import take_rows
from sim.households import partner_of, row_of
from sim.outputs import declare
from sim.params import InformalParams
from sim.process import Context, Process
from sim.rates import step_probability

CARER_KINDS = ("none", "partner", "child", "other")
"""Kinds of main carer, by their code in the low bits of ``carer``."""
NO_CARER, PARTNER, CHILD, OTHER = range(4)
KIND_MASK = 3
"""Bits of ``carer`` holding the kind."""
OVERBURDENED = 4
"""Flag of ``carer``: the carer is overburdened."""
RESPITE = 8
"""Flag of ``carer``: the carer uses logeerzorg (respite stays)."""
RESPITE_ASKED = 16
"""Flag of ``carer``: whether the carer uses logeerzorg has been drawn for this caring spell."""


def carer_kind(carer) -> np.ndarray:
    """Kind of each main carer (:data:`CARER_KINDS` code) from the ``carer`` column."""
    return np.asarray(carer) & KIND_MASK


def has_carer(carer) -> np.ndarray:
    """True where a person receives informal care."""
    return (np.asarray(carer) & KIND_MASK) != NO_CARER


def carer_available(carer) -> np.ndarray:
    """True where a person receives informal care from a carer who is not overburdened."""
    c = np.asarray(carer)
    return ((c & KIND_MASK) != NO_CARER) & ((c & OVERBURDENED) == 0)


def hours(care_state, ip: InformalParams) -> np.ndarray:
    """Weekly hours of informal care a receiver in each care state gets (0 without a need)."""
    table = np.concatenate([[0.0], np.asarray(ip.hours_per_week, float)])
    return table[np.asarray(care_state, np.intp)]


def _situation(ctx: Context, flat: np.ndarray, care: np.ndarray, carer: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether persons ``flat`` need care at home, their best carer, and whether their carer still is.

    ``care`` and ``carer`` are the persons' values of those columns.
    """
    hh = ctx.households
    ip = ctx.params.informal
    rows = row_of(flat)
    need = (care >= LIMITATION) & is_home(hh.dwelling[rows])
    partner = partner_of(flat)
    partner_ok = (hh.present.ravel()[partner] & (hh.shared_pid[rows] < 0)
                  & (hh.care.ravel()[partner] <= ip.partner_max_care_state))
    child_ok = hh.children_nearby[rows]
    best = np.where(partner_ok, PARTNER, np.where(child_ok, CHILD, OTHER)).astype(np.int8)
    still = np.ones(len(flat), bool)
    kind = carer_kind(carer)
    still[kind == PARTNER] = partner_ok[kind == PARTNER]
    still[kind == CHILD] = child_ok[kind == CHILD]
    return need, best, still


def setup(ctx: Context) -> None:
    """Draws the carers of 2025 from the stationary shares of the start and end hazards.

    A person in need with best carer ``k`` has one with probability ``s / (s + e)``, ``s`` the
    start hazard of ``k`` and ``e`` the hazard of ending by burden (becoming overburdened, then
    stopping, as one hazard: ``b o / (b + o)``); of those, the share ``b / (b + o)`` is overburdened.
    """
    hh = ctx.households
    ip = ctx.params.informal
    flat = np.flatnonzero(hh.present.ravel() & (hh.care.ravel() >= LIMITATION))
    need, best, _ = _situation(ctx, flat, hh.care.ravel()[flat], hh.carer.ravel()[flat])
    flat, best = flat[need], best[need]
    b = ip.overburden_per_hour_per_year * hours(hh.care.ravel()[flat], ip)
    o = ip.overburdened_stop_per_year
    end = np.where(b + o > 0, b * o / np.maximum(b + o, 1e-12), 0.0)
    s = np.asarray(ip.start_per_year, float)[best - 1]
    p = np.where(s + end > 0, s / np.maximum(s + end, 1e-12), 0.0)
    rng = ctx.streams.generator("informal_care", "setup")
    u = rng.random((2, len(flat)))
    cared = u[0] < p
    burdened = u[1] < np.where(b + o > 0, b / np.maximum(b + o, 1e-12), 0.0)
    hh.carer.ravel()[flat[cared]] = (best[cared] + OVERBURDENED * burdened[cared]).astype(np.int8)


def informal_care(ctx: Context) -> None:
    """Ends, burdens and starts informal care (see the module docstring)."""
    hh = ctx.households
    ip = ctx.params.informal
    spy = ctx.steps_per_year
    flat = np.flatnonzero((hh.care.ravel() >= LIMITATION) | (hh.carer.ravel() != 0))
    flat = flat[hh.present.ravel()[flat]]
    if len(flat) == 0:
        return
    carer = hh.carer.ravel()[flat]  # a copy: written back at the end
    care = hh.care.ravel()[flat]
    need, best, still = _situation(ctx, flat, care, carer)

    def weight(positions: np.ndarray) -> np.ndarray:
        return hh.weight[row_of(flat[positions])].astype(np.float64)

    cared = has_carer(carer)
    gone = cared & ~(need & still)
    carer[gone] = NO_CARER
    cared &= ~gone
    lost = np.flatnonzero(gone & need)  # still in need: the carer died, left or fell ill

    # burden: carers become overburdened, overburdened carers stop
    idx = np.flatnonzero(cared)
    pid = hh.pid.ravel()[flat[idx]]
    factor = logeerzorg.burden_factor(ctx, (carer[idx] & RESPITE) != 0)
    over = (carer[idx] & OVERBURDENED) != 0
    h_burden = ip.overburden_per_hour_per_year * hours(care[idx], ip) * factor
    u = ctx.streams.for_few("informal_care", pid, "burden")
    carer[idx[~over & (u < step_probability(h_burden, spy))]] |= OVERBURDENED
    u = ctx.streams.for_few("informal_care", pid, "stop")
    stop = idx[over & (u < step_probability(ip.overburdened_stop_per_year * factor, spy))]
    carer[stop] = NO_CARER
    ctx.record.flow("informal_care_stopped_overburdened", weight(stop).sum())
    crisis = np.concatenate([lost, stop])
    crisis = crisis[care[crisis] == HEAVY]
    hh.wlz_step.ravel()[flat[crisis]] = ctx.step  # weighs registering as at a new indication

    # start: persons in need without a carer, from the best carer available
    # (a carer who stopped or left this step is not replaced in the same step)
    ended = np.zeros(len(flat), bool)
    ended[lost] = ended[stop] = True
    idx = np.flatnonzero(need & ~has_carer(carer) & ~ended)
    u = ctx.streams.for_few("informal_care", hh.pid.ravel()[flat[idx]], "start")
    rate = np.asarray(ip.start_per_year, float)[best[idx] - 1]
    start = idx[u < step_probability(rate, spy)]
    carer[start] = best[start]
    ctx.record.flow("informal_care_started", weight(start).sum())

    # logeerzorg: drawn once per caring spell for carers of persons with a Wlz indication
    ask = np.flatnonzero(has_carer(carer) & (care == HEAVY) & ((carer & RESPITE_ASKED) == 0))
    uses = logeerzorg.uses_respite(ctx, hh.pid.ravel()[flat[ask]])
    carer[ask] |= RESPITE_ASKED
    carer[ask[uses]] |= RESPITE
    ctx.record.flow("logeerzorg_users", weight(ask[uses]).sum())
    hh.carer.ravel()[flat] = carer
    if ctx.last_step_of_year:
        _record(ctx, flat, carer, care, need, weight(np.arange(len(flat))))


def _record(ctx: Context, flat, carer, care, need, weight) -> None:
    """Indicators for 31 December: receivers, carers by kind, hours, burden, receipt by age."""
    hh = ctx.households
    ip = ctx.params.informal
    cared = has_carer(carer)
    kind = carer_kind(carer)
    w_cared = weight[cared]
    total = float(w_cared.sum())
    one = np.ones(1)
    ctx.record.mean("informal_carers", np.array([total]), one)
    ctx.record.mean("persons_in_need_at_home", np.array([float(weight[need].sum())]), one)
    ctx.record.mean("informal_carers_per_person_in_need",
                    np.array([total / max(float(weight[need].sum()), 1e-12)]), one)
    if total > 0:
        ctx.record.mean("informal_carers_partner_share", (kind[cared] == PARTNER).astype(float), w_cared)
        ctx.record.mean("informal_carers_overburdened_share",
                        ((carer[cared] & OVERBURDENED) != 0).astype(float), w_cared)
        h = hours(care[cared], ip)
        ctx.record.mean("informal_care_hours_mean", h, w_cared)
        ctx.record.mean("informal_care_hours_total", np.array([float((h * w_cared).sum())]), one)
        ctx.record.mean("logeerzorg_carers", np.array([float(w_cared[(carer[cared] & RESPITE) != 0].sum())]),
                        one)
    # receipt by age among all persons at home (those without a need receive none)
    rows = np.flatnonzero(hh.active & is_home(hh.dwelling))
    persons = take_rows(hh.present, rows)
    years = take_rows(hh.age_months, rows) // 12
    w = np.broadcast_to(hh.weight[rows, None].astype(np.float64), persons.shape)
    receiving = has_carer(take_rows(hh.carer, rows))
    for name, lo, hi in (("share_65_74_receiving_informal_care", 65, 75),
                         ("share_75plus_receiving_informal_care", 75, 200)):
        sel = persons & (years >= lo) & (years < hi)
        if sel.any():
            ctx.record.mean(name, receiving[sel].astype(np.float64), w[sel])


PROCESS = Process(
    "informal_care", informal_care, reads=("informal", "policy"),
    streams=("informal_care", "logeerzorg"), setup=setup, setup_after=("kin",),
    records=declare(
        ("informal_care_started", "persons per year", "Persons in need who start receiving informal care",
         "flow"),
        ("informal_care_stopped_overburdened", "persons per year",
         "Informal care ended because the carer was overburdened", "flow"),
        ("informal_carers", "persons", "Main informal carers (one per receiver; 31 December)", "mean"),
        ("persons_in_need_at_home", "persons",
         "Persons with a care need (a limitation or more) living at home (31 December)", "mean"),
        ("informal_carers_per_person_in_need", "carers per person",
         "Main informal carers per person in need at home (31 December)", "mean"),
        ("informal_carers_partner_share", "share of carers", "Main carers who are the partner", "mean"),
        ("informal_carers_overburdened_share", "share of carers", "Main carers who are overburdened",
         "mean"),
        ("informal_care_hours_mean", "hours per week", "Mean weekly hours of informal care per receiver",
         "mean"),
        ("informal_care_hours_total", "hours per week", "Weekly hours of informal care, all receivers",
         "mean"),
        ("logeerzorg_carers", "persons", "Main carers using logeerzorg (31 December)", "mean"),
        ("share_65_74_receiving_informal_care", "share of persons",
         "Persons 65-74 at home who receive informal care", "mean"),
        ("share_75plus_receiving_informal_care", "share of persons",
         "Persons 75+ at home who receive informal care", "mean"),
    ) + logeerzorg.INDICATORS,
)
