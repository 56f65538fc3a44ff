"""Care needs: transitions among care states, dementia onset, and Wlz indications.

Care states per adult (``sim.codes.CARE_STATES``): none, limitation, moderate, regie (loss of regie
without network), heavy (Wlz indication). Hazards per year (``CareParams``), log-linear in age:

============  ==========================================  =======================================
from          to                                          hazard
============  ==========================================  =======================================
none          limitation                                  limitation_onset(age)
limitation    none                                        limitation_recovery
limitation    moderate                                    moderate_onset(age) x carer ratio
moderate      regie, only with dementia and no network    regie_loss
none..regie   heavy                                       heavy_onset[state](age) x dementia ratio
============  ==========================================  =======================================

Competing transitions out of one state are drawn with one uniform number per person and step: an event
happens with probability ``1 - exp(-H dt)`` (``H`` the sum of the hazards) and its destination is chosen in
proportion to the hazards. Dementia onset is a separate process with its own stream; a diagnosis raises
the care state to at least ``dementia_min_care_state``. The network is a partner in the household or a
child living nearby. A person receiving informal care (:mod:`agents.informal`) moves from a limitation
to a moderate need at ``informal.moderate_rr_with_carer`` times the rate. Reaching the heavy state
creates a Wlz indication, registered with the region's zorgkantoor.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from agents import informal
from sim.codes import HEAVY, LIMITATION, MODERATE, NONE, REGIE
from sim.households import gather, partner_of, row_of
from sim.outputs import declare
from sim.params import CareParams
from sim.process import Context, Process
from sim.rates import loglinear_rate, step_probability
from sim.thinning import Thinning, check_bound, max_ahead

N_STATES = 5


def transition_hazards(state, age_years, dementia, has_network, cp: CareParams, with_carer=False,
                       moderate_rr_with_carer: float = 1.0) -> np.ndarray:
    """Hazards per year of moving from each person's state to every state.

    Args:
        state: Current care state codes (1-d).
        age_years: Exact ages.
        dementia: Dementia flags.
        has_network: True where a partner or a child nearby can help.
        cp: Care parameters.
        with_carer: True where the person receives informal care (:mod:`agents.informal`).
        moderate_rr_with_carer: Factor on the moderate onset of those with a carer.

    Returns:
        Array ``(n, 5)``: hazard per year to each destination state (0 on the diagonal).
    """
    state = np.asarray(state, dtype=np.intp)
    age = np.asarray(age_years, dtype=np.float64)
    n = len(state)
    h = np.zeros((n, N_STATES))
    heavy_base = np.append(np.asarray(cp.heavy_onset_at80_per_year), 0.0)[state]
    h[:, HEAVY] = loglinear_rate(age, heavy_base, cp.heavy_onset_slope_per_year_of_age) * np.where(
        dementia, cp.heavy_rr_dementia, 1.0
    )
    is_none, is_lim, is_mod = state == NONE, state == LIMITATION, state == MODERATE
    h[is_none, LIMITATION] = loglinear_rate(
        age[is_none], cp.limitation_onset_at80_per_year, cp.limitation_onset_slope_per_year_of_age
    )
    h[is_lim, NONE] = cp.limitation_recovery_per_year
    h[is_lim, MODERATE] = loglinear_rate(
        age[is_lim], cp.moderate_onset_at80_per_year, cp.moderate_onset_slope_per_year_of_age
    ) * np.where(np.broadcast_to(with_carer, (n,))[is_lim], moderate_rr_with_carer, 1.0)
    lonely = is_mod & np.asarray(dementia, bool) & ~np.asarray(has_network, bool)
    h[lonely, REGIE] = cp.regie_loss_per_year
    h[state == HEAVY] = 0.0
    return h


def draw_transitions(state, hazards: np.ndarray, u: np.ndarray, steps_per_year: int) -> np.ndarray:
    """Returns the new states given hazards ``(n, 5)`` and one uniform draw per person."""
    total = hazards.sum(axis=1)
    p_event = step_probability(total, steps_per_year)
    event = u < p_event
    new = np.asarray(state).copy()
    if event.any():
        # position of u within [0, p_event) picks the destination in proportion to the hazards
        frac = u[event] / p_event[event]
        cum = np.cumsum(hazards[event], axis=1) / total[event, None]
        new[event] = np.minimum((frac[:, None] >= cum).sum(axis=1), N_STATES - 1)
    return new


def dementia_hazard(age_years, cp: CareParams) -> np.ndarray:
    """Dementia incidence per year at each age."""
    return loglinear_rate(age_years, cp.dementia_onset_at80_per_year,
                          cp.dementia_onset_slope_per_year_of_age)


AGE_MONTHS_MAX = 131 * 12
"""Ages (in months) covered by the per-step probability tables; older ages use the last entry."""


@lru_cache(maxsize=16)
def step_tables(cp: CareParams, steps_per_year: int, moderate_rr_with_carer: float = 1.0
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-step probabilities of every (state, dementia, network, carer, age in months).

    Ages are whole months, so tabulating :func:`transition_hazards` and :func:`dementia_hazard` once
    per parameter set gives exactly the probabilities :func:`draw_transitions` would compute per
    person, at a fraction of the cost.

    Returns:
        ``p_event`` (flat, indexed by :func:`table_index`), ``cum`` (same rows, 5 columns: the
        cumulative share of each destination) and ``p_dementia`` (indexed by age in months).
    """
    s, d, k, c, a = np.meshgrid(np.arange(N_STATES), (0, 1), (0, 1), (0, 1), np.arange(AGE_MONTHS_MAX),
                                indexing="ij")
    h = transition_hazards(s.ravel(), a.ravel() / 12.0, d.ravel().astype(bool),
                           k.ravel().astype(bool), cp, c.ravel().astype(bool), moderate_rr_with_carer)
    total = h.sum(axis=1)
    p_event = step_probability(total, steps_per_year)
    cum = np.cumsum(h, axis=1) / np.where(total > 0, total, 1.0)[:, None]
    p_dem = step_probability(dementia_hazard(np.arange(AGE_MONTHS_MAX) / 12.0, cp), steps_per_year)
    return p_event, cum, p_dem


def table_index(state, dementia, network, age_months, carer=False) -> np.ndarray:
    """Row of :func:`step_tables` for each person (``int32``: the tables have fewer rows)."""
    # (((state * 2 + dementia) * 2 + network) * 2 + carer) * AGE_MONTHS_MAX + age, in place
    idx = np.array(state, dtype=np.int32)
    idx *= 2
    idx += dementia
    idx *= 2
    idx += network
    idx *= 2
    idx += carer
    idx *= AGE_MONTHS_MAX
    idx += np.minimum(np.asarray(age_months, dtype=np.int32), AGE_MONTHS_MAX - 1)
    return idx


def draw_from_tables(state, dementia, network, age_months, u, cp: CareParams, steps_per_year: int,
                     carer=False, moderate_rr_with_carer: float = 1.0):
    """New care states by the rule of :func:`draw_transitions`, with tabulated probabilities."""
    p_event, cum, _ = step_tables(cp, steps_per_year, moderate_rr_with_carer)
    idx = table_index(state, dementia, network, age_months, carer)
    event = np.flatnonzero(u < p_event[idx])
    new = np.asarray(state).copy()
    if len(event):
        idx = idx[event]
        frac = u[event] / p_event[idx]
        new[event] = np.minimum((frac[:, None] >= cum[idx]).sum(axis=1), N_STATES - 1)
    return new


def care(ctx: Context) -> None:
    """Draws dementia onsets and care transitions; registers new Wlz indications.

    Applicants waiting for a dwelling (separated partners, starters, immigrants) draw by the same rule
    and the same draws (by person id), their network being a child nearby; their new Wlz indications
    register once they live in a dwelling. Both events are drawn by thinning (:mod:`sim.thinning`,
    bounds by age from :func:`step_bounds`): only the persons with a candidate step now are looked
    at, and they draw as :func:`draw_from_tables` does, with their uniform number scaled by the bound.
    """
    hh, ap = ctx.households, ctx.applicants
    cp = ctx.params.care
    rr_carer = ctx.params.informal.moderate_rr_with_carer
    waiting = np.flatnonzero(ap.active)

    def bounds(parts):
        age = gather([(hh.age_months.ravel(), parts[0]), (ap.age_months, waiting[parts[1]])])
        np.minimum(age, AGE_MONTHS_MAX - 1, out=age)
        has_dementia = gather([(hh.dementia.ravel(), parts[0]), (ap.dementia, waiting[parts[1]])])
        b_dem, b_care = step_bounds(cp, ctx.steps_per_year, rr_carer)
        return {"dementia": b_dem[age], "care": b_care[has_dementia.astype(np.intp), age]}

    thinning = ctx.memory["thinning"]
    (flat, at_wait), p_max = thinning.step(ctx, (hh.pid.ravel(), ap.pid[waiting]), bounds)
    waiting = waiting[at_wait]
    n = len(flat)
    if n + len(waiting) == 0:
        return
    p_dem = step_tables(cp, ctx.steps_per_year, rr_carer)[2]
    age_m = gather([(hh.age_months.ravel(), flat), (ap.age_months, waiting)])
    np.minimum(age_m, AGE_MONTHS_MAX - 1, out=age_m)
    pid = gather([(hh.pid.ravel(), flat), (ap.pid, waiting)])

    dem = gather([(hh.dementia.ravel(), flat), (ap.dementia, waiting)])
    due = np.flatnonzero(p_max["dementia"] > 0)
    p_onset = p_dem[age_m[due]]
    check_bound("dementia", p_onset, p_max["dementia"][due])
    u_dem = ctx.streams.for_few("dementia", pid[due]) * p_max["dementia"][due]
    onset = due[u_dem < p_onset]
    onset = onset[~dem[onset]]
    old = gather([(hh.care.ravel(), flat), (ap.care, waiting)])
    state = old.copy()
    if len(onset):
        dem[onset] = True
        hh.dementia.ravel()[flat[onset[onset < n]]] = True
        ap.dementia[waiting[onset[onset >= n] - n]] = True
        ctx.record.flow("dementia_onsets", _weights(hh, ap, flat, waiting, onset).sum())
        state[onset] = np.maximum(old[onset], cp.dementia_min_care_state)
        # the care bound of the screening was one without dementia: from now on, this step included,
        # these persons draw every step (bound 1)
        p_max["care"][onset] = 1.0
        thinning.unscreen(pid[onset])

    due = np.flatnonzero(p_max["care"] > 0)
    at = flat[due[due < n]]
    network = gather([(hh.present.ravel(), partner_of(at)), (ap.children_nearby, waiting[due[due >= n] - n])])
    network[:len(at)] |= hh.children_nearby[row_of(at)]
    carer = informal.has_carer(gather([(hh.carer.ravel(), at),
                                       (np.zeros(len(due) - len(at), np.int8), None)]))
    p_event = step_tables(cp, ctx.steps_per_year, rr_carer)[0]
    idx = table_index(state[due], dem[due], network, age_m[due], carer)
    check_bound("care", p_event[idx], p_max["care"][due])
    u = ctx.streams.for_few("care", pid[due]) * p_max["care"][due]
    new = state.copy()
    new[due] = draw_from_tables(state[due], dem[due], network, age_m[due], u, cp, ctx.steps_per_year, carer,
                                rr_carer)
    changed = np.flatnonzero(new != old)
    if len(changed) == 0:
        return
    in_hh, in_ap = changed[changed < n], changed[changed >= n]
    hh.care.ravel()[flat[in_hh]] = new[in_hh].astype(np.int8)
    ap.care[waiting[in_ap - n]] = new[in_ap].astype(np.int8)
    new_c, old_c, w_c = new[changed], old[changed], _weights(hh, ap, flat, waiting, changed)
    for code, flow in ((LIMITATION, "limitation_onsets"), (MODERATE, "moderate_onsets"),
                       (REGIE, "regie_onsets")):
        ctx.record.flow(flow, w_c[(new_c == code) & (old_c < code)].sum())
    ctx.record.flow("wlz_indications_new", w_c[new_c == HEAVY].sum())
    heavy = flat[in_hh[new[in_hh] == HEAVY]]
    if len(heavy):
        hr = row_of(heavy)
        hh.wlz_step.ravel()[heavy] = ctx.step
        region = hh.region[hr]
        for kantoor in ctx.institutions.zorgkantoren:
            kantoor.register_indications(hh.weight[hr[region == kantoor.region]])


@lru_cache(maxsize=16)
def step_bounds(cp: CareParams, steps_per_year: int, moderate_rr_with_carer: float = 1.0
                ) -> tuple[np.ndarray, np.ndarray]:
    """Thinning bounds by age in months: of the dementia onset, and of a care transition.

    The largest per-step probability (:func:`step_tables`) over the ages up to 12 months older and,
    for a transition, over every state, network and carer, for persons without dementia (row 0) and
    with it (row 1). Dementia comes only by onset in this process (:func:`care`), which then makes
    the person draw every step: the bounds hold whatever the person's state does within the year.
    The transition bound without dementia leaves out the loss of regie (only with dementia), the
    largest rate at most ages.

    Returns:
        ``(dementia (AGE_MONTHS_MAX,), transition (2, AGE_MONTHS_MAX))``.
    """
    p_event, _, p_dem = step_tables(cp, steps_per_year, moderate_rr_with_carer)
    # rows of table_index: (((state * 2 + dementia) * 2 + network) * 2 + carer) * AGE_MONTHS_MAX + age
    by_dementia = p_event.reshape(N_STATES, 2, 4, AGE_MONTHS_MAX).max(axis=(0, 2))
    by_dementia[1] = by_dementia.max(axis=0)  # with dementia: whatever the flag becomes
    return max_ahead(p_dem, 12), max_ahead(by_dementia, 12)


def setup(ctx: Context) -> None:
    """Set-up: the candidate steps of dementia onsets and care transitions (drawn from the first step)."""
    ctx.memory["thinning"] = Thinning(("dementia", "care"))


def _weights(hh, ap, flat: np.ndarray, waiting: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Weights of the persons at ``positions`` of the step's order (household adults, then applicants)."""
    n = len(flat)
    return np.concatenate([hh.weight[row_of(flat[positions[positions < n]])],
                           ap.weight[waiting[positions[positions >= n] - n]]])


PROCESS = Process(
    "care", care, reads=("care", "informal"), streams=("dementia", "care"), setup=setup,
    records=declare(
        ("dementia_onsets", "persons per year", "New dementia diagnoses", "flow"),
        ("limitation_onsets", "persons per year", "New limitations", "flow"),
        ("moderate_onsets", "persons per year", "New moderate care needs", "flow"),
        ("regie_onsets", "persons per year", "New losses of regie without network", "flow"),
        ("wlz_indications_new", "persons per year", "New Wlz indications", "flow"),
    ),
)
