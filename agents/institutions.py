"""Institutions as Mesa agents, one of each kind per province: zorgkantoor, woningcorporatie, gemeente.

Institutions are the actors that decide for many households at once; the processes and policies call
on them, and they keep their own counts:

* the **zorgkantoor** registers Wlz indications and chooses who of its province's waiting list (or
  of those eligible for a verzorgingshuis) gets which free place (:meth:`Zorgkantoor.choose`);
* the **woningcorporatie** ranks the candidates for its social-rent vacancies
  (:meth:`Woningcorporatie.rank`, with :func:`agents.allocation.social_rent_order`);
* the **gemeente** (the municipalities of the province together) holds the province's share of
  national programmes and counts what it completed.
"""

from __future__ import annotations

from typing import NamedTuple

import mesa
import numpy as np

from agents.allocation import social_rent_order
from sim.codes import VERPLEEGHUIS
from sim.population import read_table, region_probabilities


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

    def register_indications(self, weights: np.ndarray) -> None:
        """Records new Wlz indications (their household weights; a weighted count is kept)."""
        if len(weights):
            self.indications_issued += float(weights.sum())

    def choose(self, rows: np.ndarray, slots: np.ndarray, priority: np.ndarray,
               free_places: np.ndarray, place_type: int, weights: np.ndarray):
        """Chooses whom of its province to admit to its free places: lowest priority key first.

        Args:
            rows: Household rows of the waiting (or eligible) persons of this province.
            slots: Their adult slots.
            priority: Sort key of the persons, lower first.
            free_places: Vacant places of this province, in the order offered.
            place_type: ``VERPLEEGHUIS`` or ``VERZORGINGSHUIS``: the type of the places.
            weights: Household weights of the persons (for the count of admissions).

        Returns:
            ``(rows, slots, places)`` of the persons admitted, one place each.
        """
        k = min(len(rows), len(free_places))
        order = np.argsort(priority, kind="stable")[:k]
        admitted = float(weights[order].sum())
        if place_type == VERPLEEGHUIS:
            self.admissions += admitted
        else:
            self.verzorgingshuis_admissions += admitted
        return rows[order], slots[order], free_places[:k]


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


class Gemeente(mesa.Agent):
    """The municipalities of one province, as one agent: its share of the national programmes.

    Args:
        model: The model.
        region: Province code.
        name: Province name.
        share: The province's share of national programmes (its share of households).
    """

    def __init__(self, model: mesa.Model, region: int, name: str, share: float):
        super().__init__(model)
        self.region = int(region)
        self.name = name
        self.share = float(share)
        self.programme_built = 0.0
        self.verzorgingshuis_rows = 0


class Institutions(NamedTuple):
    """The institution agents of a model, one of each kind per province (in province order)."""

    zorgkantoren: list[Zorgkantoor]
    corporaties: list[Woningcorporatie]
    gemeenten: list[Gemeente]


def make_institutions(model: mesa.Model) -> Institutions:
    """Creates a zorgkantoor, a woningcorporatie and a gemeente for every province of ``regions.csv``."""
    regions = read_table("regions.csv")
    share = region_probabilities()
    return Institutions(
        [Zorgkantoor(model, i, r["province"]) for i, r in enumerate(regions)],
        [Woningcorporatie(model, i, r["province"]) for i, r in enumerate(regions)],
        [Gemeente(model, i, r["province"], share[i]) for i, r in enumerate(regions)],
    )
