"""Processes as declared units, and the narrow context each one receives.

A :class:`Process` is one step of the model's monthly script. It declares what it touches:

* ``reads``: the parameter groups it reads (``ctx.params.<group>``; any other group raises);
* ``streams``: the named random streams it draws from (``ctx.streams``; any other name raises);
* ``records``: the indicators it records (``ctx.record``; any other indicator raises), declared
  with unit and label next to the process;
* ``setup``: optional work done once when the model is built (at step index -1, so its draws are
  the set-up draws of its streams), in the order of the schedule.

The process receives a :class:`Context`: the state arrays (households, dwellings, applicants), the
occupancy module (the only writer of who lives where), the institutions, its parameters, its streams,
its recorder, the clock and a private ``memory`` for state it keeps between steps. It never sees the
model. Adding a process is one new module that defines a :class:`Process` plus one line in the
schedule (``agents/schedule.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.outputs import Indicator

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine import Engine


@dataclass(frozen=True)
class Process:
    """One named process of the step, with what it reads, draws and records.

    Attributes:
        name: Unique name (used in timings and error messages).
        run: The process: a function of its :class:`Context`, called once per step.
        reads: Parameter groups it reads (``sim.params`` group names).
        streams: Named random streams it draws from.
        records: Indicators it records (flows summed over the year, or means).
        setup: Optional function of the context called once when the model is built (in schedule
            order, except that a set-up runs after those of the processes named in ``setup_after``).
        setup_after: Processes whose set-up this one's needs (e.g. the kin network before the carers).
    """

    name: str
    run: Callable[[Context], None]
    reads: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()
    records: tuple[Indicator, ...] = ()
    setup: Callable[[Context], None] | None = None
    setup_after: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """First line of the process function's docstring."""
        return (self.run.__doc__ or "").strip().splitlines()[0] if self.run.__doc__ else ""


class UndeclaredError(KeyError):
    """A process used a parameter group, stream or indicator it did not declare."""

    def __str__(self) -> str:
        return str(self.args[0])


class ParamsView:
    """Read access to the parameter groups a process declared (the values in force now)."""

    def __init__(self, engine: Engine, process: str, groups: tuple[str, ...]):
        self._engine = engine
        self._process = process
        self._groups = frozenset(groups)

    def __getattr__(self, group: str):
        if group.startswith("_"):
            raise AttributeError(group)
        if group not in self._groups:
            raise UndeclaredError(
                f"process {self._process!r} reads parameter group {group!r} but declares only "
                f"{sorted(self._groups)}; add it to the process's reads")
        return getattr(self._engine.params, group)


class StreamView:
    """The named random streams a process declared, at the current step unless told otherwise.

    Wraps :class:`sim.streams.RandomStreams`; ``step`` defaults to the current step index (-1
    during set-up).
    """

    def __init__(self, engine: Engine, process: str, names: tuple[str, ...]):
        self._engine = engine
        self._streams = engine.streams
        self._process = process
        self._names = frozenset(names)

    def _check(self, name: str) -> None:
        if name not in self._names:
            raise UndeclaredError(
                f"process {self._process!r} draws from stream {name!r} but declares only "
                f"{sorted(self._names)}; add it to the process's streams")

    def _step(self, step: int | None) -> int:
        return self._engine.step_index if step is None else step

    def generator(self, name: str, key: str | None = None, step: int | None = None
                  ) -> np.random.Generator:
        """The generator of stream ``name`` (sub-stream ``key``) at ``step``."""
        self._check(name)
        return self._streams.generator(name, self._step(step), key)

    def for_ids(self, name: str, ids: np.ndarray, key: str | None = None,
                step: int | None = None) -> np.ndarray:
        """The draw of each id in sequential stream ``name``: for decisions most persons face.

        See :meth:`sim.streams.RandomStreams.for_ids`.
        """
        self._check(name)
        return self._streams.for_ids(name, self._step(step), ids, key)

    def for_few(self, name: str, ids: np.ndarray, key: str | None = None,
                step: int | None = None) -> np.ndarray:
        """The counter-based draw of each id in stream ``name``: for decisions few persons face.

        See :meth:`sim.streams.RandomStreams.for_few` (a cost per id asked).
        """
        self._check(name)
        return self._streams.for_few(name, self._step(step), ids, key)

    def counter(self, name: str, key: str | None = None, step: int | None = None):
        """:meth:`for_few` as a function of the ids, for one read in parts.

        See :meth:`sim.streams.RandomStreams.counter`.
        """
        self._check(name)
        return self._streams.counter(name, self._step(step), key)


class RecordView:
    """Records the indicators a process declared into the model's recorder."""

    def __init__(self, recorder: Recorder, process: str, names):
        self._recorder = recorder
        self._process = process
        self._names = frozenset(names)

    def _check(self, name: str) -> None:
        if name not in self._names:
            raise UndeclaredError(
                f"process {self._process!r} records {name!r} but declares only "
                f"{sorted(self._names)}; declare it in the process's records")

    def flow(self, name: str, value: float) -> None:
        """Adds to a flow indicator of the current year (national scale)."""
        self._check(name)
        self._recorder.flows[name] += float(value)

    def mean(self, name: str, values: np.ndarray, weights: np.ndarray) -> None:
        """Adds observations to an indicator that is a weighted mean over the year's events."""
        self._check(name)
        acc = self._recorder.means[name]
        acc[0] += float(np.dot(values, weights))
        acc[1] += float(np.sum(weights))


@dataclass
class Recorder:
    """The year's flows and means, and the records of all years.

    Attributes:
        registry: Every indicator of the model by name.
        flows: Flow indicator -> sum over the current year.
        means: Mean indicator -> ``[sum of weighted values, sum of weights]`` of the current year.
        records: ``(year, indicator, value)`` of the years recorded so far.
    """

    registry: dict[str, Indicator]
    flows: dict[str, float] = field(default_factory=dict)
    means: dict[str, list[float]] = field(default_factory=dict)
    records: list[tuple[int, str, float]] = field(default_factory=list)

    def __post_init__(self):
        self.clear()

    def clear(self) -> None:
        """Starts a new year."""
        self.flows = dict.fromkeys((n for n, i in self.registry.items() if i.kind == "flow"), 0.0)
        self.means = {n: [0.0, 0.0] for n, i in self.registry.items() if i.kind == "mean"}

    def view(self, process: str, names) -> RecordView:
        """A recorder restricted to ``names`` for the process ``process``."""
        return RecordView(self, process, names)


class Context:
    """What a process sees: state, occupancy, institutions, its parameters, streams and recorder.

    Attributes:
        name: The process's name.
        households: The household arrays (:class:`sim.households.Households`).
        dwellings: The dwelling arrays (:class:`sim.dwellings.Dwellings`).
        applicants: Starters and immigrants searching (:class:`sim.applicants.Applicants`).
        occupancy: The only writer of who lives where (:class:`sim.occupancy.Occupancy`).
        institutions: The institution agents of the model (zorgkantoren, corporaties, gemeenten).
        params: The declared parameter groups, values in force now.
        streams: The declared random streams.
        record: The declared indicators.
        memory: State the process keeps between steps (its own; empty at first).
    """

    def __init__(self, engine: Engine, process: Process):
        self._engine = engine
        self.name = process.name
        self.households = engine.households
        self.dwellings = engine.dwellings
        self.applicants = engine.applicants
        self.occupancy = engine.occupancy
        self.institutions = engine.institutions
        self.params = ParamsView(engine, process.name, process.reads)
        self.streams = StreamView(engine, process.name, process.streams)
        self.record = engine.recorder.view(process.name, [i.name for i in process.records])
        self.memory: dict[str, Any] = {}

    # --- the clock ---------------------------------------------------------------------------------
    @property
    def step(self) -> int:
        """Index of the current step (0 for the first; -1 during set-up)."""
        return self._engine.step_index

    @property
    def year(self) -> int:
        """Calendar year of the current step."""
        return self._engine.year

    @property
    def year_fraction(self) -> float:
        """Calendar time at the middle of the current step, in years."""
        return self._engine.year_fraction

    @property
    def month(self) -> int:
        """Months from January 2025 to the start of the current step (the clock of birth months)."""
        return max(self.step, 0) * 12 // self.steps_per_year

    @property
    def steps_per_year(self) -> int:
        """Steps per year (12 for monthly steps)."""
        return self._engine.settings.steps_per_year

    @property
    def scale(self) -> float:
        """Sample fraction of the national population."""
        return self._engine.settings.scale

    @property
    def first_step_of_year(self) -> bool:
        """True in the step that starts on 1 January."""
        return self.step % self.steps_per_year == 0

    @property
    def last_step_of_year(self) -> bool:
        """True in the step that ends on 31 December."""
        return (self.step + 1) % self.steps_per_year == 0

    def new_person_ids(self, k: int) -> np.ndarray:
        """Reserves ``k`` new person ids (for persons who arrive or leave home)."""
        return self._engine.new_person_ids(k)

    @property
    def pid_bound(self) -> int:
        """Every person id given out so far is below this number."""
        return self._engine.pid_bound

    def per_step(self, key: str, national_per_year: float) -> int:
        """Sample rows this step for a national yearly number, carrying fractions over to next step.

        Args:
            key: Name of the quantity (its own carry-over, kept in this process's memory).
            national_per_year: The national number per year.

        Returns:
            The whole number of sample rows for this step.
        """
        carry = self.memory.setdefault("carry", {})
        acc = carry.get(key, 0.0) + national_per_year * self.scale / self.steps_per_year
        k = int(np.floor(acc))
        carry[key] = acc - k
        return k
