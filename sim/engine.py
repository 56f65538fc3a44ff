"""The engine: a Mesa model that owns the state and steps a schedule of declared processes.

:class:`Engine` is a real :class:`mesa.Model` (Mesa's ``rng=`` seeding, clock and events: dated
parameter changes use ``schedule_event``). It owns the state as column arrays (households, dwellings,
applicants), the occupancy module (the only writer of who lives where, with the vacancy chains), the
random streams, the parameters in force and the recorder. It knows nothing of behaviour: the
processes (``sim.process.Process``) come from the schedule it is given, each with a narrow
:class:`sim.process.Context`.

One step is ``1 / steps_per_year`` years (a month by default). At the start of a year's first step the
census records the stocks of 1 January; then every process runs in schedule order; after the year's
last step its flows, means, rates and the mean chain length are recorded.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence

import mesa
import numpy as np

from sim import outputs
from sim.applicants import IMMIGRANT, Applicants
from sim.clock import POPULATION_YEAR, CalendarClock
from sim.dwellings import Dwellings
from sim.households import ADULT_AGE_YEARS, NO_CORESIDENT, Households, coresidents_tracked
from sim.invariants import require
from sim.occupancy import INDICATORS as OCCUPANCY_INDICATORS
from sim.occupancy import Occupancy
from sim.params import ParameterError, Parameters, RunSettings, check_changeable
from sim.process import Context, Process, Recorder
from sim.streams import SETUP_STREAMS, RandomStreams


class NumericalError(ArithmeticError):
    """A process met a floating-point error or numpy warning (raised with ``--debug``)."""


def check_schedule(processes: Sequence[Process]) -> tuple[Process, ...]:
    """Checks a schedule: processes with unique names that read only existing parameter groups.

    Raises:
        ValueError: Naming the duplicate name or unknown group.
    """
    processes = tuple(processes)
    groups = {f for f in Parameters.__dataclass_fields__}
    seen = set()
    for p in processes:
        if not isinstance(p, Process):
            raise ValueError(f"schedule entry {p!r} is not a sim.process.Process")
        if p.name in seen or p.name == "occupancy":
            raise ValueError(f"process name {p.name!r} is used twice (or is reserved)")
        seen.add(p.name)
        unknown = sorted(set(p.reads) - groups)
        if unknown:
            raise ValueError(f"process {p.name!r} reads unknown parameter group(s) {unknown}; "
                             f"groups: {sorted(groups)}")
    return processes


def setup_order(processes: Sequence[Process]) -> list[Process]:
    """The processes with a set-up, in the order their set-ups run.

    Schedule order, except that a process waits for the set-ups of the processes in its
    ``setup_after`` (processes without a set-up, or not in the schedule, are not waited for).

    Raises:
        ValueError: When the ``setup_after`` declarations form a cycle.
    """
    pending = [p for p in processes if p.setup is not None]
    names = {p.name for p in pending}
    done: set[str] = set()
    order: list[Process] = []
    while pending:
        ready = [p for p in pending if not (set(p.setup_after) & names) - done]
        if not ready:
            raise ValueError(f"the set-ups of {[p.name for p in pending]} wait for each other (setup_after)")
        first = ready[0]
        order.append(first)
        done.add(first.name)
        pending.remove(first)
    return order


def schedule_registry(processes: Sequence[Process]) -> dict[str, outputs.Indicator]:
    """Every indicator of a model with this schedule: the census, the occupancy's, the processes'."""
    return outputs.registry(outputs.CENSUS, OCCUPANCY_INDICATORS, *(p.records for p in processes))


class Engine(CalendarClock, mesa.Model):
    """The state, the clock, the schedule and the records of a run.

    A subclass builds the state and calls :meth:`start`; then :meth:`step` or :meth:`run` advance it.

    Args:
        processes: The schedule: processes in the order they run each step.
        params: Model parameters (defaults if ``None``).
        settings: Run settings: scale, seed, horizon, steps per year.
        debug: Check invariants after every step.
    """

    def __init__(self, processes: Sequence[Process], params: Parameters | None = None,
                 settings: RunSettings | None = None, debug: bool = False):
        settings = settings or RunSettings()
        super().__init__(rng=settings.seed)
        self.params = params or Parameters()
        self.settings = settings
        self.debug = debug
        self.processes = check_schedule(processes)
        self.registry = schedule_registry(self.processes)
        names = set(SETUP_STREAMS).union(*(p.streams for p in self.processes))
        self.streams = RandomStreams(settings.seed, names=names, log=debug)
        self.recorder = Recorder(self.registry)
        self.timings: dict[str, float] = defaultdict(float)
        self.numeric_warnings: Counter[str] = Counter()
        """Floating-point errors and numpy warnings met without ``--debug``, by process and kind."""
        self.chain_sink = None
        """Where the vacancy chains go at each year's end (``ChainBook.spill``); kept in memory if None."""
        self.after_process: Callable[[str], None] | None = None
        """Called with each process's name after it ran (measurement, e.g. where the peak memory is
        reached: ``doorstroom bench``); None for nothing."""
        self._process_now = ""
        self._pending_changes: dict[float, list[dict]] = {}
        self._census: dict[str, float] = {}
        self.total_steps = (settings.end_year - POPULATION_YEAR + 1) * settings.steps_per_year
        self.running = True

    def start(self, households: Households, dwellings: Dwellings, institutions) -> None:
        """Takes the built state, starts the occupancy and runs every process's set-up in order.

        Args:
            households: The population of 1 January 2025, linked to ``dwellings``.
            dwellings: The dwelling stock of 1 January 2025.
            institutions: The institution agents, handed to every process's context.
        """
        self.households = households
        self.dwellings = dwellings
        self.applicants = Applicants(capacity=1024)
        self.institutions = institutions
        names = [i.name for i in OCCUPANCY_INDICATORS]
        self.occupancy = Occupancy(households, dwellings, self.applicants, self,
                                   self.recorder.view("occupancy", names))
        self.occupancy.start_initial_chains()
        self.contexts = {p.name: Context(self, p) for p in self.processes}
        self._stepping = tuple((p, self.contexts[p.name]) for p in self.processes)
        self._next_pid = int(households.pid.max()) + 1 if households.n else 0
        for p in setup_order(self.processes):
            p.setup(self.contexts[p.name])

    def restrict_to(self, names: Sequence[str]) -> None:
        """Steps only the processes named (in schedule order) from now on; the set-up stays done.

        Raises:
            ValueError: For a name that is not in the schedule.
        """
        known = [p.name for p in self.processes]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"unknown process(es) {unknown}; the schedule has {known}")
        self._stepping = tuple((p, c) for p, c in self._stepping if p.name in names)

    @property
    def stepping(self) -> tuple[str, ...]:
        """Names of the processes that run each step, in order."""
        return tuple(p.name for p, _ in self._stepping)

    @property
    def pid_bound(self) -> int:
        """Every person id given out so far is below this number."""
        return self._next_pid

    def new_person_ids(self, k: int) -> np.ndarray:
        """Reserves ``k`` new person ids."""
        ids = np.arange(self._next_pid, self._next_pid + k, dtype=np.int32)
        self._next_pid += k
        return ids

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
        try:
            Parameters.from_dict(merged)  # validate now, before any work
            check_changeable(changes)
        except ParameterError as exc:
            raise ParameterError(f"change of {year}: {exc}") from None
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

    # --- stepping ----------------------------------------------------------------------------
    def _recording(self) -> bool:
        return self.year >= self.settings.start_year

    def step(self) -> None:
        """Advances one step: census on 1 January, the processes in order, closing of the year."""
        spy = self.settings.steps_per_year
        if self.step_index % spy == 0 and self._recording():
            self._take_census()
        with self._numerics():
            for process, ctx in self._stepping:
                t0 = time.perf_counter()
                self._process_now = process.name
                try:
                    process.run(ctx)
                except (FloatingPointError, RuntimeWarning) as exc:
                    raise NumericalError(f"process {process.name!r}, step {self.step_index} "
                                         f"({self.year}): {exc}") from exc
                self.timings[process.name] += time.perf_counter() - t0
                if self.after_process is not None:
                    self.after_process(process.name)
        if self.debug:
            self.check_invariants()
        if (self.step_index + 1) % spy == 0:
            if self._recording():
                self._record_year_end()
            self.recorder.clear()
            self.applicants.compact()
            self._compact_households()
            if self.chain_sink is not None and self.steps < self.total_steps:
                self.occupancy.chains.spill(self.chain_sink)
        if self.steps >= self.total_steps:
            self.running = False
            self.occupancy.chains.close(year=self.year)

    def _compact_households(self) -> None:
        """Drops the rows of the households that ended (memory bounded over the horizon).

        The rows that stay keep their order; the dwellings' links to household rows (the occupant,
        and the household a rent was set for) are renumbered, a link to a household that ended
        becoming -1.
        """
        hh, dw = self.households, self.dwellings
        moved = hh.compact()
        for col in (dw.occupant, dw.priced_for):
            linked = col >= 0
            col[linked] = moved[col[linked]]

    @contextlib.contextmanager
    def _numerics(self) -> Iterator[None]:
        """Floating-point errors (not underflow) and numpy warnings: errors with ``--debug``, else counted."""
        with warnings.catch_warnings():
            if self.debug:
                warnings.simplefilter("error", RuntimeWarning)
                with np.errstate(all="raise", under="ignore"):
                    yield
            else:
                warnings.simplefilter("always", RuntimeWarning)
                warnings.showwarning = self._count_warning
                with np.errstate(all="call", under="ignore", call=self._count_fp_error):
                    yield

    def _count_fp_error(self, kind: str, _flag: int) -> None:
        self.numeric_warnings[f"{self._process_now}: floating-point {kind}"] += 1

    def _count_warning(self, message, category, *_args, **_kwargs) -> None:
        self.numeric_warnings[f"{self._process_now}: {category.__name__}: {message}"] += 1

    def _take_census(self) -> None:
        census = outputs.stocks(self.households, self.applicants.waiting_persons())
        census |= outputs.housing_stocks(self.households, self.dwellings, self.applicants,
                                         self.step_index)
        self._census = census
        self.recorder.records.extend((self.year, name, value) for name, value in census.items())

    def _record_year_end(self) -> None:
        rec, year = self.recorder, self.year
        for name, ind in self.registry.items():
            if ind.kind == "flow":
                value = rec.flows[name]
            elif ind.kind == "mean":
                total, weight = rec.means[name]
                value = total / weight if weight > 0 else float("nan")
            elif ind.kind == "rate":
                flow, base = outputs.RATES[name]
                denom = self._census.get(base, 0.0)
                value = rec.flows[flow] / denom if denom > 0 else float("nan")
            elif ind.kind == "chain":
                value = self.occupancy.chains.year_summary(year)[name]
            else:
                continue
            rec.records.append((year, name, value))

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Runs to the end year; ``progress(year_done, n_years)`` is called after each year."""
        spy = self.settings.steps_per_year
        n_years = self.total_steps // spy
        while self.running:
            self.step()
            if progress is not None and self.steps % spy == 0:
                progress(self.steps // spy, n_years)

    # --- results -----------------------------------------------------------------------------
    @property
    def records(self) -> list[tuple[int, str, float]]:
        """``(year, indicator, value)`` of the years recorded so far (national scale)."""
        return self.recorder.records

    @property
    def chains(self):
        """The vacancy chains (:class:`sim.chains.ChainBook`)."""
        return self.occupancy.chains

    @property
    def flow_matrix(self) -> dict[int, np.ndarray]:
        """Year -> type-to-type moves (see :class:`sim.occupancy.Occupancy`)."""
        return self.occupancy.flow_matrix

    def indicator_columns(self) -> dict[str, np.ndarray]:
        """The recorded indicators as tidy columns ``year``, ``indicator``, ``value``."""
        years, names, values = zip(*self.records, strict=True) if self.records else ((), (), ())
        return {
            "year": np.asarray(years, np.int32),
            "indicator": np.asarray(names, dtype=object),
            "value": np.asarray(values, np.float64),
        }

    def flow_columns(self) -> dict[str, np.ndarray]:
        """The type-to-type moves of the recorded years as tidy columns (national scale)."""
        return self.occupancy.flow_columns(self.settings.start_year)

    # --- invariants --------------------------------------------------------------------------
    def check_invariants(self) -> None:
        """Raises :class:`sim.invariants.InvariantError` when the state is inconsistent.

        Checked: adults and their slots, care states, person ids held once (adults, lodgers,
        applicants and immigrants' partners), rents and values finite and not negative, co-residents'
        ages (adults, no more than counted), and
        everything :meth:`Occupancy.check`
        checks (links, chains, the ledger). Independent of ``python -O``.
        """
        hh = self.households
        act = hh.active
        require(not (hh.present[~act]).any(), "an inactive household still has an adult")
        require(hh.present[act, 0].all(), "an active household has no adult in its first slot")
        require(((hh.care >= 0) & (hh.care <= 4)).all(), "care state outside 0..4")
        require(not (hh.dementia & ~hh.present).any(), "dementia flag on an empty slot")
        require(bool((hh.pid[~hh.present] == -1).all()), "an empty slot holds a person id")
        require(bool((hh.care[~hh.present] == 0).all()), "a care state on an empty slot")
        ap = self.applicants
        live = ap.active[:ap.n]
        partnered = live & (ap.partner_pid[:ap.n] >= 0)
        require((ap.kind[:ap.n][partnered] == IMMIGRANT).all(),
                "an applicant other than an immigrant household has a partner")
        ids = np.concatenate([hh.pid[hh.present], hh.lodger_pid[act & (hh.lodger_pid >= 0)],
                              ap.pid[:ap.n][live], ap.partner_pid[:ap.n][partnered]])
        require(len(np.unique(ids)) == len(ids),
                "a person id is held twice (adults, lodgers, applicants and their partners)")
        require(bool((ids < self._next_pid).all()), "a person id not given out (at or above pid_bound)")
        dw = self.dwellings
        money = np.concatenate([dw.rent_eur_month[:dw.n], dw.market_rent_eur_month[:dw.n],
                                dw.value_eur[:dw.n]])
        require(bool(np.isfinite(money).all()), "a rent, market rent or value not finite")
        require(bool((money >= 0).all()), "a negative rent, market rent or value")
        income = hh.income_eur_year[act]
        require(bool(np.isfinite(income).all() and (income >= 0).all()), "an income negative or not finite")
        savings = hh.savings_eur[act]
        require(bool(np.isfinite(savings).all() and (savings >= 0).all()), "savings negative or not finite")
        tracked = coresidents_tracked(hh)
        require(bool((tracked <= hh.n_coresidents).all()),
                "a household follows the age of more co-residents than it has")
        require(bool((tracked[~act] == 0).all()), "an inactive household still has a co-resident's age")
        born = hh.coresident_birth_month[hh.coresident_birth_month != NO_CORESIDENT]
        require(bool((born <= max(self.step_index, 0) * 12 // self.settings.steps_per_year
                      - 12 * ADULT_AGE_YEARS).all()), "a co-resident younger than 18")
        self.occupancy.check()

