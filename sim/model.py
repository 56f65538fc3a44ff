"""The doorstroom model: a Mesa model owning household arrays and stepping named phases in order.

One step is ``1 / steps_per_year`` years (a month by default). The step runs the phases of
:attr:`DoorstroomModel.phases` in order; stocks are recorded at 1 January of every year before its first
step, flows are summed over the year. Random draws come from named streams (``sim.streams``), so a
process's draws do not depend on other processes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import mesa
import numpy as np

from agents import care, demography, housing, institutions, market, policies, turnover
from agents.institutions import Zorgkantoor
from sim import outputs
from sim.chains import ChainBook
from sim.clock import POPULATION_YEAR, CalendarClock
from sim.dwellings import build_stock
from sim.params import ParameterError, Parameters, RunSettings
from sim.population import (
    DWELLING_TYPES,
    HEAVY,
    VERPLEEGHUIS,
    Households,
    build_population,
    read_table,
)
from sim.streams import RandomStreams


@dataclass(frozen=True)
class Phase:
    """One named process of the step: a function of the model."""

    name: str
    run: Callable[[DoorstroomModel], None]


class DoorstroomModel(CalendarClock, mesa.Model):
    """Households ageing, dying and developing care needs, at any scale.

    Args:
        params: Model parameters (defaults if ``None``).
        settings: Run settings: scale, seed, horizon, steps per year.
        households: A prepared population; built from the embedded tables if ``None``.
        debug: Check invariants after every step.
    """

    def __init__(
        self,
        params: Parameters | None = None,
        settings: RunSettings | None = None,
        households: Households | None = None,
        debug: bool = False,
    ):
        settings = settings or RunSettings()
        super().__init__(rng=settings.seed)
        self.params = params or Parameters()
        self.settings = settings
        self.debug = debug
        self.streams = RandomStreams(settings.seed)
        t0 = time.perf_counter()
        self.households = households or build_population(settings.scale, settings.seed,
                                                         self.params)
        self.timings: dict[str, float] = defaultdict(float)
        self.timings["build_population"] = time.perf_counter() - t0
        self.mortality_norm = demography.mortality_normalisation(self.households, self.params)
        self.dwellings = build_stock(self.households, self.params,
                                     self.streams.generator("stock"), settings.scale)
        self.chains = ChainBook()
        self.records: list[tuple[int, str, float]] = []
        self._flows: dict[str, float] = defaultdict(float)
        self._means: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        dw = self.dwellings
        housing.start_chains(self, np.flatnonzero(dw.active & (dw.occupant < 0)
                                                  & ~dw.is_institution()), "initial")
        self._initial_waiting_list()
        regions = read_table("regions.csv")
        self.zorgkantoren = [Zorgkantoor(self, region=i, name=r["province"])
                             for i, r in enumerate(regions)]
        self.corporaties = [market.Woningcorporatie(self, region=i, name=r["province"])
                            for i, r in enumerate(regions)]
        self.gemeenten = policies.make_gemeenten(self, regions)
        self.flow_matrix: dict[int, np.ndarray] = {}
        self.applicants = turnover.Applicants(capacity=1024)
        self.carry: dict[str, float] = {}
        self._next_pid = int(self.households.pid.max()) + 1 if self.households.n else 0
        self.ledger: dict[str, int] = defaultdict(int)
        self._initial_counts = (int(self.households.active.sum()), int(self.dwellings.active.sum()))
        self.intercepts = None
        market.adapt_initial_stock(self)
        market.draw_intentions(self)
        self._pending_changes: dict[float, list[dict]] = {}
        self.phases: tuple[Phase, ...] = (
            Phase("ageing", demography.ageing_phase),
            Phase("mortality", demography.mortality_phase),
            Phase("care", care.care_phase),
            Phase("wlz_admission", institutions.admission_phase),
            Phase("family", turnover.family_phase),
            Phase("union", turnover.union_phase),
            Phase("sharing", policies.sharing_phase),
            Phase("migration", turnover.migration_phase),
            Phase("building", turnover.building_phase),
            Phase("adaptation", market.adaptation_phase),
            Phase("search", market.search_phase),
            Phase("allocation", market.allocation_phase),
            Phase("intention", market.intention_phase),
            Phase("policy", policies.policy_phase),
            Phase("accounting", policies.accounting_phase),
        )
        self.total_steps = (settings.end_year - POPULATION_YEAR + 1) * settings.steps_per_year
        self.running = True

    def _initial_waiting_list(self) -> None:
        """Puts a share of the 2025 Wlz indications at home on the waiting list (up to a year)."""
        hh = self.households
        at_home = hh.active & (hh.dwelling != VERPLEEGHUIS)
        rows, slots = np.nonzero((hh.care == HEAVY) & hh.present & at_home[:, None])
        rng = self.streams.generator("admission")
        join = rng.random(len(rows)) < self.params.wlz.initial_waiting_share
        months = rng.integers(0, 12, len(rows))
        hh.wlz_wait_since[rows[join], slots[join]] = (
            -months[join] * self.settings.steps_per_year // 12
        )

    # --- dated changes (Mesa events) ---------------------------------------------------------
    def time_of_year_start(self, year: int) -> float:
        """Mesa time at which 1 January of ``year`` begins (after the last step of the year before)."""
        return float((year - POPULATION_YEAR) * self.settings.steps_per_year)

    def schedule_parameter_change(self, year: int, changes: dict[str, dict]) -> None:
        """Changes parameters from 1 January of ``year`` on, through a Mesa event.

        Args:
            year: First year with the new values (after 2025 and not after the end year).
            changes: ``{group: {name: value}}`` as in a scenario file; validated now.

        Raises:
            ParameterError: For a bad year, an unknown name or an impossible value.
        """
        if not POPULATION_YEAR < year <= self.settings.end_year:
            raise ParameterError(
                f"change year {year!r}: expected a year after {POPULATION_YEAR} and up to "
                f"end_year = {self.settings.end_year}"
            )
        merged = self.params.to_dict()
        for group, values in changes.items():
            merged.setdefault(group, {}).update(values)
        Parameters.from_dict(merged)  # validate now, before any work
        at = self.time_of_year_start(year)
        first = at not in self._pending_changes
        self._pending_changes.setdefault(at, []).append(changes)
        if first:
            self.schedule_event(self._apply_pending_changes, at=at)

    def _apply_pending_changes(self) -> None:
        merged = self.params.to_dict()
        for changes in self._pending_changes.pop(self.time, []):
            for group, values in changes.items():
                merged[group].update(values)
        self.params = Parameters.from_dict(merged)

    # --- flows and records -----------------------------------------------------------------
    def add_flow(self, name: str, value: float) -> None:
        """Adds to a flow indicator of the current year (national scale)."""
        if name not in outputs.REGISTRY:
            raise KeyError(f"flow {name!r} is not declared in sim.outputs.REGISTRY")
        self._flows[name] += float(value)

    def new_pids(self, k: int) -> np.ndarray:
        """Reserves ``k`` new person ids."""
        ids = np.arange(self._next_pid, self._next_pid + k, dtype=np.int32)
        self._next_pid += k
        return ids

    def record_flows(self, from_type, to_type, households, persons) -> None:
        """Adds moves to the type-to-type table of the current year (``-1``: no previous dwelling)."""
        n = len(DWELLING_TYPES) + 1
        mat = self.flow_matrix.setdefault(self.year, np.zeros((2, n, n)))
        fi = np.where(np.asarray(from_type) < 0, n - 1, from_type)
        np.add.at(mat[0], (fi, to_type), households)
        np.add.at(mat[1], (fi, to_type), persons)

    def flow_columns(self) -> dict[str, np.ndarray]:
        """The type-to-type moves as tidy columns (national scale)."""
        names = (*DWELLING_TYPES, "none")
        cols = {"year": [], "from_type": [], "to_type": [], "households": [], "persons": []}
        for year in sorted(self.flow_matrix):
            if year < self.settings.start_year:
                continue
            mat = self.flow_matrix[year]
            for i, j in zip(*np.nonzero(mat[0]), strict=True):
                cols["year"].append(year)
                cols["from_type"].append(names[i])
                cols["to_type"].append(names[j])
                cols["households"].append(mat[0, i, j])
                cols["persons"].append(mat[1, i, j])
        return {k: np.asarray(v) for k, v in cols.items()}

    def add_mean(self, name: str, values: np.ndarray, weights: np.ndarray) -> None:
        """Adds observations to an indicator that is a weighted mean over the year's events."""
        if outputs.REGISTRY.get(name, None) is None or outputs.REGISTRY[name].kind != "mean":
            raise KeyError(f"mean {name!r} is not declared as kind 'mean' in sim.outputs.REGISTRY")
        acc = self._means[name]
        acc[0] += float(np.dot(values, weights))
        acc[1] += float(np.sum(weights))

    def _recording(self) -> bool:
        return self.year >= self.settings.start_year

    def step(self) -> None:
        """Advances one step: records stocks on 1 January, runs the phases, closes the year."""
        spy = self.settings.steps_per_year
        if self.step_index % spy == 0 and self._recording():
            ap = self.applicants
            waiting = float(ap.weight[ap.active].sum())
            for name, value in outputs.stocks(self.households, waiting).items():
                self.records.append((self.year, name, value))
            for name, value in outputs.housing_stocks(self).items():
                self.records.append((self.year, name, value))
        for phase in self.phases:
            t0 = time.perf_counter()
            phase.run(self)
            self.timings[phase.name] += time.perf_counter() - t0
        if self.debug:
            self.check_invariants()
        if (self.step_index + 1) % spy == 0:
            if self._recording():
                self._record_year_end()
            self._flows.clear()
            self._means.clear()
            self.applicants.compact()
        if self.steps >= self.total_steps:
            self.running = False
            self.chains.close(year=self.year)

    def _record_year_end(self) -> None:
        for name in outputs.FLOWS:
            self.records.append((self.year, name, self._flows.get(name, 0.0)))
        for name in outputs.MEANS:
            total, weight = self._means.get(name, (0.0, 0.0))
            self.records.append((self.year, name, total / weight if weight > 0 else float("nan")))
        stock = {n: v for y, n, v in self.records if y == self.year}
        for name, (flow, base) in outputs.RATES.items():
            denom = stock.get(base, 0.0)
            self.records.append((self.year, name, self._flows.get(flow, 0.0) / denom
                                 if denom > 0 else float("nan")))
        summary = self.chains.year_summary(self.year)
        self.records.append((self.year, "chain_links_mean", summary["chain_links_mean"]))

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Runs to the end year; ``progress(year_done, n_years)`` is called after each year."""
        spy = self.settings.steps_per_year
        n_years = self.total_steps // spy
        while self.running:
            self.step()
            if progress is not None and self.steps % spy == 0:
                progress(self.steps // spy, n_years)

    def indicator_columns(self) -> dict[str, np.ndarray]:
        """The recorded indicators as tidy columns ``year``, ``indicator``, ``value``."""
        years, names, values = zip(*self.records, strict=True) if self.records else ((), (), ())
        return {
            "year": np.asarray(years, np.int32),
            "indicator": np.asarray(names, dtype=object),
            "value": np.asarray(values, np.float64),
        }

    # --- invariants --------------------------------------------------------------------------
    def check_invariants(self) -> None:
        """Raises AssertionError when households, dwellings and chains are inconsistent."""
        hh, dw = self.households, self.dwellings
        act = hh.active
        assert not (hh.present[~act]).any(), "an inactive household still has an adult"
        assert hh.present[act, 0].all(), "an active household has no adult in its first slot"
        assert ((hh.care >= 0) & (hh.care <= 4)).all(), "care state outside 0..4"
        assert not (hh.dementia & ~hh.present).any(), "dementia flag on an empty slot"
        ids = hh.dwelling_id[act]
        assert (ids >= 0).all(), "an active household without a dwelling"
        assert len(np.unique(ids)) == len(ids), "two households hold the same dwelling"
        assert (dw.occupant[ids] == np.flatnonzero(act)).all(), (
            "a household's dwelling does not name it as occupant"
        )
        assert not (hh.dwelling_id[~act] >= 0).any(), "an ended household still holds a dwelling"
        occ = np.flatnonzero(dw.occupant >= 0)
        assert (hh.dwelling_id[dw.occupant[occ]] == occ).all(), (
            "a dwelling's occupant lives elsewhere"
        )
        assert (hh.dwelling[act] == dw.type[ids]).all(), "household dwelling type out of date"
        vacant_private = dw.active & (dw.occupant < 0) & ~dw.is_institution()
        assert (dw.chain[vacant_private] >= 0).all(), "a vacant dwelling carries no chain"
        self.chains.check()
        created, ended = self.ledger["households_created"], self.ledger["households_ended"]
        assert int(act.sum()) == self._initial_counts[0] + created - ended, (
            "households do not reconcile with those created and ended"
        )
        built, gone = self.ledger["dwellings_built"], self.ledger["dwellings_demolished"]
        gone += self.ledger["places_closed"]
        assert int(dw.active.sum()) == self._initial_counts[1] + built - gone, (
            "dwellings do not reconcile with construction and demolition"
        )
        assert not (dw.occupant[~dw.active] >= 0).any(), "a demolished dwelling is occupied"
