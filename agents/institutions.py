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
"""

from __future__ import annotations

import mesa
import numpy as np

from agents import housing
from agents.demography import clear_slots, move_survivor_to_slot0
from agents.market import count_movers_by_age
from sim.population import HEAVY, NOT_WAITING, VERPLEEGHUIS, ZORGGESCHIKT
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

    def register_indications(self, rows: np.ndarray) -> None:
        """Records new Wlz indications of the given household rows (weighted count kept)."""
        if len(rows):
            self.indications_issued += float(self.model.households.weight[rows].sum())

    def admit(self, rows: np.ndarray, slots: np.ndarray, priority: np.ndarray,
              free_places: np.ndarray) -> None:
        """Admits waiting persons of this province to its free places, most urgent first.

        Args:
            rows: Household rows of the waiting persons of this province.
            slots: Their adult slots.
            priority: Sort key of the persons, lower first.
            free_places: Vacant verpleeghuis places of this province, in the order offered.
        """
        k = min(len(rows), len(free_places))
        if k == 0:
            return
        order = np.argsort(priority, kind="stable")[:k]
        admit_to_places(self.model, rows[order], slots[order], free_places[:k])
        self.admissions += float(self.model.households.weight[rows[order]].sum())


def admit_to_places(model, rows: np.ndarray, slots: np.ndarray, places: np.ndarray) -> None:
    """Moves the given adults into new one-person households in the vacant ``places``."""
    hh = model.households
    k = len(rows)
    if k == 0:
        return
    waited = (model.step_index - hh.wlz_wait_since[rows, slots]) * (12 / model.settings.steps_per_year)
    model.add_mean("verpleeghuis_waiting_months_mean", waited, hh.weight[rows])
    model.add_flow("wlz_admissions", hh.weight[rows].sum())
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
        "care": np.stack([np.full(k, HEAVY, np.int8), empty], 1),
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
    """Closing of places above a capacity target, registration, then admission to free places."""
    close_places_above_target(model)
    registration(model)
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
