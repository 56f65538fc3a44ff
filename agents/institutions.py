"""Institutions as Mesa agents: a few per region, each owning its own bookkeeping."""

from __future__ import annotations

import mesa
import numpy as np


class Zorgkantoor(mesa.Agent):
    """The zorgkantoor of one region: receives Wlz indications.

    It keeps the register of indications issued during the run (household rows, in order of issue).
    Admission to verpleeghuis places as they free up is part of the housing-market work.

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
        self._register: list[np.ndarray] = []

    def register_indications(self, rows: np.ndarray) -> None:
        """Records new Wlz indications of the given household rows (weighted count kept)."""
        if len(rows) == 0:
            return
        self._register.append(np.asarray(rows))
        self.indications_issued += float(self.model.households.weight[rows].sum())

    @property
    def register(self) -> np.ndarray:
        """Household rows with an indication issued during the run, in order of issue."""
        return np.concatenate(self._register) if self._register else np.zeros(0, np.int64)
