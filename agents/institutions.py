"""Institutions as Mesa agents: a zorgkantoor per province admits people to verpleeghuis places.

Registration. A person who reaches heavy care (a Wlz indication) registers for a verpleeghuis place
with probability ``wlz.wants_admission_share``; the others receive Wlz care at home and register
later at the hazard ``wlz.later_admission_wish_per_year``. Registered persons form the waiting list
(``verpleeghuis_waiting``).

Admission. Each step the zorgkantoor of a province offers its vacant places (longest vacant first) to
the persons on its waiting list in order of urgency: first those with dementia
without a network (no partner, no child nearby), then the longest waiting, ties broken by a draw of
the ``admission`` stream. An admitted person leaves the household for a new one-person household in
the place: a partner stays behind in the dwelling; a person living alone vacates it, which starts a
vacancy chain with cause ``institution``. Children or co-residents of a person admitted alone are
not followed further (rare: they live with households whose oldest adult is under 70).

Verzorgingshuis (policy levers ``verzorgingshuis_*`` of ``PolicyParams``; places are built by the
gemeenten, :mod:`agents.policies`). Eligible are persons with loss of regie (care state ``regie``:
dementia without a partner or a child nearby) who live without a partner, are at least
``verzorgingshuis_min_age_years`` old and are not in an institution. Each step the zorgkantoor offers
the free verzorgingshuis places of its province (longest vacant first) to the eligible persons, oldest
first (assumption: age as a proxy of urgency, no registration date is kept), ties broken by a draw of
the ``verzorgingshuis`` stream. Admission uses the same machinery as the verpleeghuis
(:func:`admit_to_places`): the person's home is vacated (chain cause ``institution``). Residents keep
their care state; while in the verzorgingshuis their regie loss is met, and they are on the
verpleeghuis waiting list only once they register: a resident who reaches heavy care registers like
everyone else, with the registration probabilities lowered by the factor
``1 - verzorgingshuis_wlz_stay_share`` (the others receive Wlz care in the verzorgingshuis), and moves
on to the verpleeghuis when admitted, freeing the place. Residents of institutions do not draw move
intentions or search for a dwelling (the market leaves them out).
"""

from __future__ import annotations

import mesa
import numpy as np

from agents import housing
from agents.demography import clear_slots, move_survivor_to_slot0
from agents.market import count_movers_by_age
from sim.population import (
    HEAVY,
    INSTITUTION_TENURE,
    NOT_WAITING,
    REGIE,
    VERPLEEGHUIS,
    VERZORGINGSHUIS,
    ZORGGESCHIKT,
)
from sim.rates import step_probability

URGENT_BONUS_STEPS = 10**6
"""Added to the sort key of non-urgent persons so that urgent ones always come first."""


class Zorgkantoor(mesa.Agent):
    """The zorgkantoor of one province.

    Args:
        model: The model.
        region: Region (province) code.
        name: Region name.
    """

    def __init__(self, model: mesa.Model, region: int, name: str):
        super().__init__(model)
        self.region = int(region)
        self.name = name
        self.indications_issued = 0.0
        self.admissions = 0.0
        self.verzorgingshuis_admissions = 0.0

    def register_indications(self, rows: np.ndarray) -> None:
        """Records new Wlz indications of the given household rows (weighted count kept)."""
        if len(rows):
            self.indications_issued += float(self.model.households.weight[rows].sum())

    def admit(self, rows: np.ndarray, slots: np.ndarray, priority: np.ndarray,
              free_places: np.ndarray, place_type: int = VERPLEEGHUIS) -> None:
        """Admits persons of this province to its free places, lowest priority key first.

        Args:
            rows: Household rows of the waiting (or eligible) persons of this province.
            slots: Their adult slots.
            priority: Sort key of the persons, lower first.
            free_places: Vacant places of this province, in the order offered.
            place_type: ``VERPLEEGHUIS`` or ``VERZORGINGSHUIS``: the type of the places.
        """
        k = min(len(rows), len(free_places))
        if k == 0:
            return
        order = np.argsort(priority, kind="stable")[:k]
        admitted = float(self.model.households.weight[rows[order]].sum())
        admit_to_places(self.model, rows[order], slots[order], free_places[:k], place_type)
        if place_type == VERPLEEGHUIS:
            self.admissions += admitted
        else:
            self.verzorgingshuis_admissions += admitted


def admit_to_places(model, rows: np.ndarray, slots: np.ndarray, places: np.ndarray,
                    place_type: int = VERPLEEGHUIS) -> None:
    """Moves the given adults into new one-person households in the vacant ``places``.

    Args:
        model: The model.
        rows: Household rows of the persons.
        slots: Their adult slots.
        places: Vacant places, one per person, all of ``place_type``.
        place_type: ``VERPLEEGHUIS`` (counted as a Wlz admission, with its waiting time) or
            ``VERZORGINGSHUIS`` (counted in ``verzorgingshuis_admissions``).
    """
    hh = model.households
    k = len(rows)
    if k == 0:
        return
    if place_type == VERPLEEGHUIS:
        waited = ((model.step_index - hh.wlz_wait_since[rows, slots])
                  * (12 / model.settings.steps_per_year))
        model.add_mean("verpleeghuis_waiting_months_mean", waited, hh.weight[rows])
        model.add_flow("wlz_admissions", hh.weight[rows].sum())
    else:
        model.add_flow("verzorgingshuis_admissions", hh.weight[rows].sum())
    # a move into an institution is a move of the person (as CBS counts changes of address)
    model.add_flow("moves_total", hh.weight[rows].sum())
    count_movers_by_age(model, hh.age_months[rows, slots] // 12, hh.weight[rows].astype(float))
    empty = np.zeros(k, np.int8)
    new = {
        "weight": hh.weight[rows],
        "present": np.stack([np.ones(k, bool), np.zeros(k, bool)], axis=1),
        "pid": np.stack([hh.pid[rows, slots], np.full(k, -1, np.int32)], axis=1),
        "age_months": np.stack([hh.age_months[rows, slots], np.zeros(k, np.int16)], 1),
        "sex": np.stack([hh.sex[rows, slots], empty], 1),
        # registered persons all have heavy care; verzorgingshuis residents keep their state
        "care": np.stack([hh.care[rows, slots], empty], 1),
        "dementia": np.stack([hh.dementia[rows, slots], np.zeros(k, bool)], 1),
        "wlz_step": np.stack([hh.wlz_step[rows, slots], np.full(k, -1, np.int32)], 1),
        "region": hh.region[rows],
        "benefit": hh.benefit[rows],
        "children_nearby": hh.children_nearby[rows],
    }
    clear_slots(hh, rows, slots)
    touched = np.unique(rows)
    left = hh.present[touched].sum(axis=1)
    move_survivor_to_slot0(hh, touched[left == 1])
    emptied = touched[left == 0]
    if len(emptied):
        vacated = housing.vacate(model, emptied, cause="institution")
        model.add_flow("dwellings_vacated_by_admission", model.dwellings.weight[vacated].sum())
    new_rows = hh.append(new)
    model.ledger["households_created"] += len(new_rows)
    housing.occupy(model, new_rows, places)


def registration(model) -> None:
    """Persons with a Wlz indication at home register for a place (see the module docstring)."""
    hh = model.households
    wp = model.params.wlz
    flat = np.flatnonzero(hh.care.ravel() == HEAVY)
    rows = flat >> 1
    cand = (hh.present.ravel()[flat] & hh.active[rows] & (hh.dwelling[rows] != VERPLEEGHUIS)
            & (hh.wlz_wait_since.ravel()[flat] == NOT_WAITING))
    if model.params.policy.wlz_at_home_in_zorggeschikt:
        cand &= hh.dwelling[rows] != ZORGGESCHIKT
    flat = flat[cand]
    if len(flat) == 0:
        return
    rows, slots = flat >> 1, flat & 1
    new = hh.wlz_step.ravel()[flat] == model.step_index
    p = np.where(new, wp.wants_admission_share,
                 step_probability(wp.later_admission_wish_per_year, model.settings.steps_per_year))
    if model.params.policy.verzorgingshuis_wlz_stay_share > 0:
        p = p * stay_factor(model, rows)
    u = model.streams.for_ids("wlz_wish", model.step_index, hh.pid.ravel()[flat])
    join = u < p
    start = np.full(len(flat), model.step_index, np.int64)
    pp = model.params.policy
    if pp.logeerzorg_share > 0:
        # logeerzorg: some new indications with a partner at home register only after a delay
        with_partner = new & hh.present.ravel()[flat ^ 1]
        u_log = model.streams.for_ids("logeerzorg", model.step_index, hh.pid.ravel()[flat])
        delayed = with_partner & (u_log < pp.logeerzorg_share)
        start[delayed] += int(round(pp.logeerzorg_delay_months * model.settings.steps_per_year / 12))
        model.add_flow("logeerzorg_users", float(hh.weight[rows[join & delayed]].sum()))
    hh.wlz_wait_since[rows[join], slots[join]] = start[join]


def stay_factor(model, rows: np.ndarray) -> np.ndarray:
    """Factor on the registration probabilities of the persons in ``rows``.

    Returns:
        ``1 - verzorgingshuis_wlz_stay_share`` in a verzorgingshuis, 1 elsewhere.
    """
    stay = model.params.policy.verzorgingshuis_wlz_stay_share
    return np.where(model.households.dwelling[rows] == VERZORGINGSHUIS, 1.0 - stay, 1.0)


def close_places_above_target(model) -> None:
    """Closes free verpleeghuis places while the capacity is above ``verpleeghuis_places_target``."""
    target = model.params.policy.verpleeghuis_places_target
    if target <= 0:
        return
    dw = model.dwellings
    places = np.flatnonzero(dw.active & (dw.type == VERPLEEGHUIS))
    excess = int(np.floor((dw.weight[places].sum() - target) / max(dw.weight[places[0]], 1e-9)
                          + 1e-9)) if len(places) else 0
    if excess <= 0:
        return
    free = places[dw.occupant[places] < 0]
    close = free[np.argsort(dw.vacant_since[free], kind="stable")[:excess]]
    if len(close):
        dw.active[close] = False
        model.ledger["places_closed"] += len(close)
        model.add_flow("verpleeghuis_places_closed", float(dw.weight[close].sum()))


def admission_phase(model) -> None:
    """Closes places above a target, registers, admits to verpleeghuis and verzorgingshuis places.

    Order: closing of places above a capacity target, registration, admission to free verpleeghuis
    places, then (with a verzorgingshuis policy) admission to free verzorgingshuis places.
    """
    close_places_above_target(model)
    registration(model)
    _verpleeghuis_admission(model)
    if model.params.policy.verzorgingshuis_places_total > 0:
        verzorgingshuis_admission(model)


def _verpleeghuis_admission(model) -> None:
    """Admits registered persons to free verpleeghuis places, most urgent first."""
    hh, dw = model.households, model.dwellings
    waiting = hh.wlz_wait_since.ravel()
    flat = np.flatnonzero((waiting != NOT_WAITING) & (waiting <= model.step_index))
    flat = flat[hh.present.ravel()[flat]]
    if len(flat) == 0:
        return
    free = np.flatnonzero(dw.type == VERPLEEGHUIS)
    free = free[dw.active[free] & (dw.occupant[free] < 0)]
    if len(free) == 0:
        return
    rows, slots = flat >> 1, flat & 1
    free = free[np.argsort(dw.vacant_since[free], kind="stable")]
    urgent = (hh.dementia.ravel()[flat] & ~hh.present.ravel()[flat ^ 1]
              & ~hh.children_nearby[rows])
    u = model.streams.for_ids("admission", model.step_index, hh.pid.ravel()[flat])
    priority = hh.wlz_wait_since.ravel()[flat] + np.where(urgent, 0, URGENT_BONUS_STEPS) + u
    region = hh.region[rows]
    free_region = dw.region[free]
    for kantoor in model.zorgkantoren:
        sel = region == kantoor.region
        kantoor.admit(rows[sel], slots[sel], priority[sel], free[free_region == kantoor.region])


def build_places(model, k: int, region: int, place_type: int = VERZORGINGSHUIS) -> np.ndarray:
    """Completes ``k`` vacant institution places in ``region`` (no vacancy chains).

    The places count as built in the ledger (``dwellings_built``), like
    :func:`agents.turnover.build_dwellings`, but not in the ``dwellings_built`` indicator, which
    counts the housing stock.

    Returns:
        The ids of the new places.
    """
    dw = model.dwellings
    ids = dw.append({
        "weight": np.full(k, 1.0 / model.settings.scale, np.float32),
        "type": np.full(k, place_type, np.int8),
        "tenure": np.full(k, INSTITUTION_TENURE, np.int8),
        "region": np.full(k, region, np.int8),
        "rooms": np.ones(k, np.int8),  # one room per resident (ROOMS_BY_TYPE), assumption
        "step_free": np.ones(k, bool),
        "vacant_since": np.full(k, model.step_index, np.int32),
    })
    model.ledger["dwellings_built"] += k
    if place_type == VERZORGINGSHUIS:
        model.add_flow("verzorgingshuis_places_built", float(dw.weight[ids].sum()))
    return ids


def verzorgingshuis_admission(model) -> None:
    """Admits eligible persons to free verzorgingshuis places (see the module docstring)."""
    hh, dw = model.households, model.dwellings
    free = np.flatnonzero((dw.type == VERZORGINGSHUIS) & dw.active & (dw.occupant < 0))
    if len(free) == 0:
        return
    pp = model.params.policy
    flat = np.flatnonzero(hh.care.ravel() == REGIE)
    rows = flat >> 1
    ok = (hh.present.ravel()[flat] & hh.active[rows] & ~hh.present.ravel()[flat ^ 1]
          & ~np.isin(hh.dwelling[rows], (VERPLEEGHUIS, VERZORGINGSHUIS))
          & (hh.age_months.ravel()[flat] >= pp.verzorgingshuis_min_age_years * 12)
          & (hh.wlz_wait_since.ravel()[flat] == NOT_WAITING))
    flat = flat[ok]
    if len(flat) == 0:
        return
    rows, slots = flat >> 1, flat & 1
    free = free[np.argsort(dw.vacant_since[free], kind="stable")]
    u = model.streams.for_ids("verzorgingshuis", model.step_index, hh.pid.ravel()[flat])
    # oldest first: minus the age in months, a draw in [0, 1) breaks ties
    priority = -hh.age_months.ravel()[flat].astype(np.float64) + u
    region = hh.region[rows]
    free_region = dw.region[free]
    for kantoor in model.zorgkantoren:
        sel = region == kantoor.region
        kantoor.admit(rows[sel], slots[sel], priority[sel], free[free_region == kantoor.region],
                      VERZORGINGSHUIS)
