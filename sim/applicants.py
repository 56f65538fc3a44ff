"""Households to be: starters, immigrants and separated partners searching for a dwelling.

An applicant is one person (a starter leaving the parental home, an immigrant household, or a partner
who moved out at a separation, with a share of the couple's own income) held in :class:`Applicants`
until it gets a dwelling (then it becomes a household; its move ends the vacancy chain with cause
``starter``, ``immigrant`` or, for a separated partner who left someone behind, ``stays_behind``), lives
with a hospita host as a lodger, or gives up. The person's care state, dementia and benefit go with it.
An immigrant household may bring a partner and minors: the partner ages and may die while the household
waits, but has no care state or births until housed.
"""

from __future__ import annotations

import numpy as np

from sim.columns import ColumnTable

STARTER, IMMIGRANT, SEPARATED = 1, 2, 3
"""Applicant kinds (the same codes as the chain book's mover kinds: a separated partner left someone
behind in the dwelling)."""


class Applicants(ColumnTable):
    """The applicants as a struct of arrays; rows are compacted once a year (ids are person ids)."""

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
        "care": (np.int8, False, 0),
        "dementia": (np.bool_, False, False),
        "benefit": (np.int8, False, 0),
        "children_nearby": (np.bool_, False, False),
        # dwelling type left (a separated partner), -1 for starters and immigrants
        "from_type": (np.int8, False, -1),
        # an immigrant couple's second adult (-1: none), and minors arriving with the household
        "partner_pid": (np.int32, False, -1),
        "partner_age_months": (np.int16, False, 0),
        "partner_sex": (np.int8, False, 0),
        "n_children": (np.int16, False, 0),
        # own yearly income taken along (EUR of 2025; a separated partner's share), -1: not set
        "income_eur_year": (np.float32, False, -1.0),
    }

    def compact(self) -> None:
        """Drops the rows of applicants who were housed or gave up (ids are person ids, not rows)."""
        keep = np.flatnonzero(self.active)
        for name, col in self._cols.items():
            col[: len(keep)] = col[keep]
            col[len(keep): self.n] = self.COLUMNS[name][2]
        self.n = len(keep)

    def waiting_weight(self) -> float:
        """Weighted number of applicants (households to be) searching now."""
        return float(self.weight[self.active].sum())

    def persons(self, idx) -> np.ndarray:
        """Persons in each applicant household ``idx``: the applicant, a partner, minors."""
        return 1 + (self.partner_pid[idx] >= 0) + self.n_children[idx].astype(np.int64)

    def waiting_persons(self) -> float:
        """Weighted number of persons in the applicant households searching now."""
        live = np.flatnonzero(self.active)
        return float(np.sum(self.weight[live] * self.persons(live)))
