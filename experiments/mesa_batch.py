"""The doorstroom model in the form ``mesa.batch_run`` builds: keyword arguments only, one row per year.

:class:`BatchModel` is a :class:`agents.model.DoorstroomModel` whose constructor takes only keyword
arguments, so that Mesa's batch runner can sweep them::

    import mesa
    from experiments.mesa_batch import BatchModel

    rows = mesa.batch_run(
        BatchModel,
        parameters={"scale": 0.002, "end_year": 2026, "moving__accept_probability": [0.2, 0.6]},
        rng=[1, 2],              # seeds (RunSettings.seed); `iterations=n` gives n fresh seeds
        max_steps=1000,          # model steps (months) from 1 January 2025; 1000 covers any horizon
        data_collection_period=1,  # 1: one row per simulated year; -1 (Mesa's default): last year only
        number_processes=1,
    )

The keyword arguments are:

* run settings ``scale``, ``start_year``, ``end_year``, ``steps_per_year`` (as in
  :class:`sim.params.RunSettings`; if not given, the scenario file's ``[run]`` value, else the default);
* ``scenario``: path of a scenario TOML file (``experiments/scenarios/``), the baseline if ``None``;
  its parameter changes and dated changes apply as in :func:`experiments.runner.run_scenario`;
* parameters as ``group__name`` (double underscore: a dot cannot be in a keyword), e.g.
  ``moving__accept_probability=0.6``, applied on top of the scenario's changes from the start (a dated
  change of the scenario to the same name still takes over from its year);
* ``rng`` (Mesa's name, which batch_run passes) or ``seed``: the integer root seed of the run
  (``RunSettings.seed``). ``None`` draws a fresh seed from the operating system's entropy, as Mesa
  does, so that ``batch_run(iterations=n)`` gives n different runs; the seed used is in the ``seed``
  column. The scenario file's ``[run] seed`` is not used: seeds are the batch runner's.

Data collection: ``self.datacollector`` collects once per simulated year, after the year's last step
(from ``start_year`` on), when the year's indicators are recorded. Each row of batch_run carries the
keyword arguments, ``year``, ``seed`` and one column per main indicator
(:func:`experiments.stats.main_indicators`, national scale, units in :data:`agents.schedule.REGISTRY`).
Mesa's ``Step`` column is the model time of the collection: steps (months) since 1 January 2025, e.g.
12.0 for the end of 2025. ``running`` becomes False after the last step of ``end_year``, so batch_run
stops there whatever ``max_steps`` is above ``(end_year - 2025 + 1) * steps_per_year``; a smaller
``max_steps`` cuts the run, and a year cut short gives no row.

Note: ``mesa.batch_run`` (3.5.1) calls ``multiprocessing.set_start_method("spawn", force=True)`` for
the whole process at every call, even with ``number_processes=1``. The project's own pools take an
explicit context (:func:`experiments.pool.context`) and are not affected, but code that relies on the
default start method is; restore it after batch_run where that matters. With ``number_processes > 1``
the workers are spawned, so the call must be under ``if __name__ == "__main__":`` in a script.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, fields
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from agents.model import DoorstroomModel
from agents.schedule import REGISTRY
from experiments.runner import schedule_dated_changes
from experiments.scenario import load_scenario
from experiments.stats import main_indicators
from sim.chains import DISCARD
from sim.params import GROUPS, ParameterError, Parameters, RunSettings

SEPARATOR = "__"
"""Between group and name in a parameter keyword (``moving__accept_probability``)."""

RUN_KEYWORDS = ("scale", "start_year", "end_year", "steps_per_year")
"""The run settings that are keyword arguments (the seed is ``rng``)."""

SEED_BITS = 63
"""Bits of a fresh seed drawn when ``rng`` is None (unit: bits). Assumption: the widest seed that
:class:`sim.streams.RandomStreams` accepts (``[0, 2**63)``) and that fits a signed 64-bit column."""

INDICATORS = tuple(main_indicators({"registry": dict.fromkeys((name, 0) for name in REGISTRY)}))
"""The main indicators of the default schedule, one reporter each (the rule of the comparisons)."""

_PARAMETER_NAMES = {g.group_name(): tuple(f.name for f in fields(g)) for g in GROUPS}


def year_value(model: BatchModel, name: str) -> float:
    """The value of indicator ``name`` in the year the model last closed (NaN if not recorded)."""
    return model.year_values.get(name, float("nan"))


def seed_of(model: BatchModel) -> int:
    """The root seed of the run (``RunSettings.seed``)."""
    return model.settings.seed


def parameter_changes(keywords: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Turns ``group__name=value`` keywords into ``{group: {name: value}}``.

    Numpy scalars (from ``np.linspace`` and the like) become Python numbers.

    Raises:
        ParameterError: Naming a keyword that is not a run setting, ``scenario``, ``rng`` or
            ``group__name`` of an existing parameter, with the valid form.
    """
    changes: dict[str, dict[str, Any]] = {}
    for key, value in keywords.items():
        group, sep, name = key.partition(SEPARATOR)
        if not sep or group not in _PARAMETER_NAMES:
            raise ParameterError(
                f"BatchModel: unknown keyword argument {key!r}; expected a run setting "
                f"({', '.join(RUN_KEYWORDS)}), scenario, rng (or seed), or a parameter as "
                f"group{SEPARATOR}name, e.g. moving{SEPARATOR}accept_probability "
                f"(groups: {', '.join(_PARAMETER_NAMES)})"
            )
        if name not in _PARAMETER_NAMES[group]:
            raise ParameterError(
                f"BatchModel: unknown parameter keyword {key!r}: [{group}] has no {name!r}; "
                f"valid: {', '.join(group + SEPARATOR + n for n in _PARAMETER_NAMES[group])}"
            )
        changes.setdefault(group, {})[name] = value.item() if isinstance(value, np.generic) else value
    return changes


def root_seed(rng: Any) -> int:
    """The run's root seed from Mesa's ``rng``: an integer as is, ``None`` a fresh one from entropy.

    Raises:
        ParameterError: For anything else (a numpy Generator, SeedSequence, a sequence, a float, a
            negative or too large integer): every random stream derives from one integer root seed.
    """
    if rng is None:
        return secrets.randbits(SEED_BITS)
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or not 0 <= rng < 2**SEED_BITS:
        raise ParameterError(
            f"BatchModel: rng = {rng!r}: expected an integer seed in [0, 2**{SEED_BITS}) "
            "(RunSettings.seed) or None for a fresh one; numpy Generators, SeedSequences and "
            "sequences are not accepted (all random streams derive from one integer root seed)"
        )
    return int(rng)


class BatchModel(DoorstroomModel):
    """The doorstroom model built from keyword arguments, with a Mesa DataCollector of one row per year.

    See the module docstring for the keywords, the rows and ``max_steps``.

    Args:
        scenario: Path of a scenario TOML file; the baseline if ``None``.
        scale: Sample fraction (``RunSettings.scale``).
        start_year: First recorded year.
        end_year: Last simulated year (inclusive).
        steps_per_year: Steps per year (12 = monthly).
        rng: Integer root seed; ``None`` for a fresh one.
        **parameters: Parameter values as ``group__name=value`` (``seed=`` is taken as ``rng``).

    Attributes:
        loaded_scenario: The scenario (:class:`experiments.scenario.Scenario`; Mesa's own
            ``self.scenario`` is another thing).
        year_values: Indicator values of the last year closed (name -> value).
        datacollector: Mesa's DataCollector with ``year``, ``seed`` and the :data:`INDICATORS`.

    Raises:
        ParameterError: For an unknown keyword, a bad seed, setting or parameter value, or an
            unreadable scenario file.
    """

    def __init__(self, *, scenario: str | Path | None = None, scale: float | None = None,
                 start_year: int | None = None, end_year: int | None = None,
                 steps_per_year: int | None = None, rng: Any = None, **parameters: Any):
        seed = parameters.pop("seed", None)
        if seed is not None and rng is not None:
            raise ParameterError("BatchModel: pass either rng or seed, not both")
        loaded = load_scenario(scenario)
        given = dict(scale=scale, start_year=start_year, end_year=end_year, steps_per_year=steps_per_year)
        settings = RunSettings(**{**asdict(RunSettings()), **loaded.run,
                                  **{k: v for k, v in given.items() if v is not None},
                                  "seed": root_seed(rng if seed is None else seed)})
        merged = {group: dict(values) for group, values in loaded.changes.items()}
        for group, values in parameter_changes(parameters).items():
            merged.setdefault(group, {}).update(values)
        super().__init__(Parameters.from_dict(merged), settings)
        self.loaded_scenario = loaded
        self.chain_sink = DISCARD  # the rows need the chains' yearly summary only
        schedule_dated_changes(self, loaded)
        self.year_values: dict[str, float] = {}
        self._records_seen = 0
        reporters = {"year": "year", "seed": seed_of}
        reporters |= {name: partial(year_value, name=name) for name in INDICATORS}
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    def step(self) -> None:
        """One step of the model; after a recorded year's last step, its indicators are collected."""
        super().step()
        if self.steps % self.settings.steps_per_year == 0 and self._recording():
            new = self.records[self._records_seen:]
            self._records_seen = len(self.records)
            self.year_values = {name: value for year, name, value in new if year == self.year}
            self.datacollector.collect(self)
