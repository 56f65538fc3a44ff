"""Care needs: transitions among care states, dementia onset, and Wlz indications.

Care states per adult (``sim.params.CARE_STATES``): none, limitation, moderate, regie (loss of regie
without network), heavy (Wlz indication). Hazards per year (``CareParams``), log-linear in age:

============  ==========================================  =======================================
from          to                                          hazard
============  ==========================================  =======================================
none          limitation                                  limitation_onset(age)
limitation    none                                        limitation_recovery
limitation    moderate                                    moderate_onset(age)
moderate      regie, only with dementia and no network    regie_loss
none..regie   heavy                                       heavy_onset[state](age) x dementia ratio
============  ==========================================  =======================================

Competing transitions out of one state are drawn with one uniform number per person and step: an event
happens with probability ``1 - exp(-H dt)`` (``H`` the sum of the hazards) and its destination is chosen in
proportion to the hazards. Dementia onset is a separate process with its own stream; a diagnosis raises
the care state to at least ``dementia_min_care_state``. The network is a partner in the household or a
child living nearby. Reaching the heavy state creates a Wlz indication, registered with the region's
zorgkantoor.
"""

from __future__ import annotations

import numpy as np

from sim.params import CareParams
from sim.population import HEAVY, LIMITATION, MODERATE, NONE, REGIE
from sim.rates import loglinear_rate, step_probability

N_STATES = 5


def transition_hazards(state, age_years, dementia, has_network, cp: CareParams) -> np.ndarray:
    """Hazards per year of moving from each person's state to every state.

    Args:
        state: Current care state codes (1-d).
        age_years: Exact ages.
        dementia: Dementia flags.
        has_network: True where a partner or a child nearby can help.
        cp: Care parameters.

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
    )
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


def care_phase(model) -> None:
    """Draws dementia onsets and care transitions; registers new Wlz indications."""
    hh = model.households
    cp = model.params.care
    spy = model.settings.steps_per_year
    rows, slots = np.nonzero(hh.present)
    if len(rows) == 0:
        return
    age = hh.age_months[rows, slots] / 12.0
    w = hh.weight[rows]

    dem = hh.dementia[rows, slots]
    pid = hh.pid[rows, slots]
    u_dem = model.streams.for_ids("dementia", model.step_index, pid)
    onset = ~dem & (u_dem < step_probability(dementia_hazard(age, cp), spy))
    hh.dementia[rows[onset], slots[onset]] = True
    model.add_flow("dementia_onsets", w[onset].sum())
    dem = dem | onset

    state = hh.care[rows, slots].astype(np.intp)
    state = np.where(onset, np.maximum(state, cp.dementia_min_care_state), state)
    network = hh.present[rows, 1 - slots] | hh.children_nearby[rows]
    hazards = transition_hazards(state, age, dem, network, cp)
    u = model.streams.for_ids("care", model.step_index, pid)
    new = draw_transitions(state, hazards, u, spy)
    old = hh.care[rows, slots]
    hh.care[rows, slots] = new.astype(np.int8)

    became = new != old
    for code, flow in ((LIMITATION, "limitation_onsets"), (MODERATE, "moderate_onsets"),
                       (REGIE, "regie_onsets")):
        model.add_flow(flow, w[became & (new == code) & (old < code)].sum())
    heavy = became & (new == HEAVY)
    if heavy.any():
        hr, hs = rows[heavy], slots[heavy]
        hh.wlz_step[hr, hs] = model.step_index
        model.add_flow("wlz_indications_new", w[heavy].sum())
        for kantoor in model.zorgkantoren:
            kantoor.register_indications(hr[hh.region[hr] == kantoor.region])
