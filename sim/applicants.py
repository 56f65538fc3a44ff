"""Households to be: starters and immigrants searching for a first dwelling here.

An applicant is one person (a starter leaving the parental home, or an immigrant household) held in
:class:`Applicants` until it gets a dwelling (then it becomes a household; its move ends the vacancy
chain with cause ``starter`` or ``immigrant``), lives with a hospita host as a lodger, or gives up.
"""

from __future__ import annotations

import numpy as np

from sim.columns import ColumnTable

STARTER, IMMIGRANT = 1, 2
"""Applicant kinds (the same codes as the chain book's mover kinds)."""


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
    }

    def compact(self) -> None:
        """Drops the rows of applicants who were housed or gave up (ids are person ids, not rows)."""
        keep = np.flatnonzero(self.active)
        for name, col in self._cols.items():
            col[: len(keep)] = col[keep]
            col[len(keep): self.n] = self.COLUMNS[name][2]
        self.n = len(keep)

    def waiting_weight(self) -> float:
        """Weighted number of applicants searching now."""
        return float(self.weight[self.active].sum())
