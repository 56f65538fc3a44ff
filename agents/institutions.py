"""Institutions as Mesa agents: a few per region, each owning its own bookkeeping.

The zorgkantoor of a region registers Wlz indications and admits people with an indication to the
region's verpleeghuis places as they free up. Admission order: the earliest indication first (those
indicated before the run start first), ties broken by a draw from the ``admission`` stream. An admitted
person leaves the household: a partner stays behind in the dwelling; a person living alone vacates it
(a vacancy with start cause ``institution``). Co-residents of a single person admitted (rare: they are
counted with households whose oldest member is under 70) are not followed further.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.demography import clear_slots, move_survivor_to_slot0
from sim.population import HEAVY, INSTITUTION_TENURE, VERPLEEGHUIS


class Zorgkantoor(mesa.Agent):
    """The zorgkantoor of one region.

    Args:
        model: The model.
        region: Region (province) code.
        name: Region name.
        places: Verpleeghuis places in the region (national scale, persons).
    """

    def __init__(self, model: mesa.Model, region: int, name: str, places: float = 0.0):
        super().__init__(model)
        self.region = int(region)
        self.name = name
        self.places = float(places)
        self.indications_issued = 0.0
        self.admissions = 0.0

    def register_indications(self, rows: np.ndarray) -> None:
        """Records new Wlz indications of the given household rows (weighted count kept)."""
        if len(rows):
            self.indications_issued += float(self.model.households.weight[rows].sum())

    def admit(self, residents: float, rows: np.ndarray, slots: np.ndarray,
              priority: np.ndarray) -> None:
        """Admits waiting persons of this region to free places, most urgent first.

        Args:
            residents: Current verpleeghuis residents of the region (national scale).
            rows: Household rows of the waiting persons of this region.
            slots: Their adult slots.
            priority: Sort key, lower first.
        """
        hh = self.model.households
        if len(rows) == 0:
            return
        weight = float(hh.weight[rows[0]])
        n_free = int(np.floor((self.places - residents) / weight + 1e-9))
        if n_free <= 0:
            return
        order = np.argsort(priority, kind="stable")[:n_free]
        move_to_institution(self.model, rows[order], slots[order])
        self.admissions += weight * len(order)


def move_to_institution(model, rows: np.ndarray, slots: np.ndarray) -> None:
    """Moves the given adults into new single-person verpleeghuis households."""
    hh = model.households
    if len(rows) == 0:
        return
    new = {
        "weight": hh.weight[rows],
        "present": np.stack([np.ones(len(rows), bool), np.zeros(len(rows), bool)], axis=1),
        "pid": np.stack([hh.pid[rows, slots], np.full(len(rows), -1, np.int32)], axis=1),
        "age_months": np.stack([hh.age_months[rows, slots], np.zeros(len(rows), np.int16)], 1),
        "sex": np.stack([hh.sex[rows, slots], np.zeros(len(rows), np.int8)], 1),
        "care": np.stack([np.full(len(rows), HEAVY, np.int8), np.zeros(len(rows), np.int8)], 1),
        "dementia": np.stack([hh.dementia[rows, slots], np.zeros(len(rows), bool)], 1),
        "wlz_step": np.stack([hh.wlz_step[rows, slots], np.full(len(rows), -1, np.int32)], 1),
        "tenure": np.full(len(rows), INSTITUTION_TENURE, np.int8),
        "dwelling": np.full(len(rows), VERPLEEGHUIS, np.int8),
        "region": hh.region[rows],
        "benefit": hh.benefit[rows],
        "children_nearby": hh.children_nearby[rows],
    }
    model.add_flow("wlz_admissions", hh.weight[rows].sum())
    # remove the persons from their households, then close the emptied ones
    clear_slots(hh, rows, slots)
    touched = np.unique(rows)
    left = hh.present[touched].sum(axis=1)
    move_survivor_to_slot0(hh, touched[left == 1])
    emptied = touched[left == 0]
    if len(emptied):
        hh.active[emptied] = False
        hh.n_children[emptied] = 0
        hh.n_coresidents[emptied] = 0
        model.vacancies.record(
            step=model.step_index, year=model.year, dwelling=hh.dwelling[emptied],
            tenure=hh.tenure[emptied], region=hh.region[emptied], weight=hh.weight[emptied],
            cause="institution",
        )
        model.add_flow("dwellings_vacated_by_admission", hh.weight[emptied].sum())
    hh.append(new)


def admission_phase(model) -> None:
    """Each zorgkantoor admits waiting persons with a Wlz indication to free verpleeghuis places."""
    hh = model.households
    in_home = hh.active & (hh.dwelling != VERPLEEGHUIS)
    rows, slots = np.nonzero((hh.care == HEAVY) & hh.present & in_home[:, None])
    inst = hh.active & (hh.dwelling == VERPLEEGHUIS)
    residents = np.bincount(hh.region[inst], weights=hh.weight[inst],
                            minlength=len(model.zorgkantoren))
    u = model.streams.for_ids("admission", model.step_index, hh.pid[rows, slots])
    # earliest indication first; the fraction breaks ties at random
    priority = hh.wlz_step[rows, slots] + u
    region = hh.region[rows]
    for kantoor in model.zorgkantoren:
        sel = region == kantoor.region
        kantoor.admit(residents[kantoor.region], rows[sel], slots[sel], priority[sel])
