"""The doorstroom model: the engine with the population, the stock, the institutions and the schedule.

:class:`DoorstroomModel` is a :class:`mesa.Model` (through :class:`sim.engine.Engine`): build it with
parameters and run settings, then :meth:`~sim.engine.Engine.run` it. It builds the population of
1 January 2025 (``sim.population``), its dwelling stock (``sim.dwellings``), one zorgkantoor,
woningcorporatie and gemeente per province (``agents.institutions``), and steps the processes of
``agents.schedule.SCHEDULE`` in order.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from agents.institutions import make_institutions
from agents.schedule import SCHEDULE
from sim.dwellings import build_stock
from sim.engine import Engine
from sim.households import Households
from sim.params import Parameters, RunSettings
from sim.population import build_population
from sim.process import Process


class DoorstroomModel(Engine):
    """Households ageing, dying, developing care needs and moving, at any scale.

    Args:
        params: Model parameters (defaults if ``None``).
        settings: Run settings: scale, seed, horizon, steps per year (defaults if ``None``).
        households: A prepared population; built from the embedded tables if ``None``.
        debug: Check invariants after every step.
        processes: The schedule (:data:`agents.schedule.SCHEDULE` if ``None``).
    """

    def __init__(self, params: Parameters | None = None, settings: RunSettings | None = None,
                 households: Households | None = None, debug: bool = False,
                 processes: Sequence[Process] | None = None):
        super().__init__(SCHEDULE if processes is None else processes, params, settings, debug)
        t0 = time.perf_counter()
        households = households or build_population(self.settings.scale, self.settings.seed,
                                                    self.params)
        self.timings["build_population"] = time.perf_counter() - t0
        dwellings = build_stock(households, self.params, self.streams.generator("stock"),
                                self.settings.scale)
        self.start(households, dwellings, make_institutions(self))

    @property
    def intercepts(self):
        """The intention intercepts per age group solved at the start (``(a_definite, a_maybe)``)."""
        return self.contexts["intention"].memory["intercepts"]

    @property
    def zorgkantoren(self):
        """The zorgkantoor agents, one per province."""
        return self.institutions.zorgkantoren

    @property
    def corporaties(self):
        """The woningcorporatie agents, one per province."""
        return self.institutions.corporaties

    @property
    def gemeenten(self):
        """The gemeente agents, one per province."""
        return self.institutions.gemeenten
