"""Log of dwellings that become vacant (the start of a vacancy chain in the housing-market work)."""

from __future__ import annotations

import numpy as np

CAUSES = ("death", "institution", "emigration", "merger", "new_build", "transformation")
"""Start causes of a vacancy chain by CBS's register definitions (Dashboard Verhuisketens)."""


class VacancyLog:
    """Collects vacated dwellings as column chunks; cheap to append to at every step."""

    def __init__(self):
        self._chunks: list[dict[str, np.ndarray]] = []

    def record(self, *, step: int, year: int, dwelling, tenure, region, weight, cause: str) -> None:
        """Appends vacated dwellings (arrays of equal length) with one start cause."""
        if cause not in CAUSES:
            raise ValueError(f"unknown vacancy cause {cause!r}; expected one of {CAUSES}")
        k = len(dwelling)
        if k == 0:
            return
        self._chunks.append({
            "step": np.full(k, step, np.int32),
            "year": np.full(k, year, np.int16),
            "dwelling": np.asarray(dwelling, np.int8),
            "tenure": np.asarray(tenure, np.int8),
            "region": np.asarray(region, np.int8),
            "weight": np.asarray(weight, np.float32),
            "cause": np.full(k, CAUSES.index(cause), np.int8),
        })

    def columns(self) -> dict[str, np.ndarray]:
        """All records as columns."""
        names = ("step", "year", "dwelling", "tenure", "region", "weight", "cause")
        if not self._chunks:
            return {n: np.zeros(0) for n in names}
        return {n: np.concatenate([c[n] for c in self._chunks]) for n in names}

    def __len__(self) -> int:
        return sum(len(c["step"]) for c in self._chunks)
