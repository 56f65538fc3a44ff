"""EMA Workbench adapter: the model as an ``ema_workbench`` model, built from the parameter schema.

:func:`ema_model` returns a model for ``ema_workbench.perform_experiments`` (exploratory modelling:
uncertainties X, levers L, outcomes M):

* **Uncertainties** are scalar numeric parameters of :mod:`sim.params`, named ``group.name`` as in
  ``doorstroom params``. A parameter declared as an integer becomes an ``IntegerParameter``, any other
  a ``RealParameter``, with the range the caller gives; without a range the parameter's bounds are the
  range, when both are finite (a parameter with an open bound needs a range). A range must lie within
  the bounds. Policy parameters (kind ``policy``) are levers, not uncertainties.
* **Levers** are the scenario files (a ``CategoricalParameter`` named :data:`SCENARIO_LEVER` whose
  categories are the scenario names, when there are two or more) and numeric policy parameters
  (kind ``policy``, ``RealParameter``/``IntegerParameter`` as above). A lever scenario may not itself
  set (from the start or in a dated change) a parameter that is varied.
* **Outcomes** are indicators of :data:`agents.schedule.REGISTRY` in one year, ``ScalarOutcome``
  named ``<indicator>_<year>``; with ``series=True`` also each indicator's yearly values, an
  ``ArrayOutcome`` named ``<indicator>``, and ``TIME`` (the years; ema_workbench's plots look for it).

**Names.** ema_workbench 3 wants names that are Python identifiers (a dotted name is deprecated), so
the EMA name of ``group.name`` is ``group__name`` (:func:`ema_name`, :func:`parameter_label`); the
model function still receives the dotted labels (each parameter's ``variable_name``).

**Seeds and common random numbers.** With one seed the model is a ``Model`` with the seed as a
``Constant``; with several it is a ``ReplicatorModel`` whose replications are the seeds
(``[{"seed": s}, ...]``), and every outcome is the mean over the seeds (over those where the
indicator is defined: a NaN, e.g. a median of no one, is left out; NaN when no seed defines it).
Every experiment runs with the same seeds. The model's random streams depend only on the seed
(:mod:`sim.streams`), so two experiments with the same seed share their randomness: a difference
between two lever scenarios, or between two points of the uncertainties, is a paired difference in
which most of the sampling noise of the synthetic population cancels (as in ``doorstroom compare``).
It also means that the seeds are not a random sample per experiment: the noise left in an outcome is
that of the same ``n`` seeds everywhere.

**Settings.** All runs use the given :class:`sim.params.RunSettings` (scale and years); the ``[run]``
table of a scenario file is not used, nor is the ``seed`` of the settings when ``seeds`` is given.

:func:`batch_outcomes` reads a finished ``doorstroom batch`` folder into the ``(x, y)`` pair of
scenario discovery (``ema_workbench.analysis.prim``): one row per point, the mean over the seeds of
one indicator in one year.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from agents.schedule import REGISTRY
from experiments.runs import run_one
from experiments.scenario import Scenario, find_scenario, load_scenario, scenario_from_dict
from experiments.stats import MAIN_INDICATORS
from sim.params import ParameterError, RunSettings, parameter_fields

with warnings.catch_warnings():
    # ema_workbench warns at import that ipyparallel is not installed (its IpyparallelEvaluator);
    # this adapter works with the sequential and multiprocessing evaluators, which do not need it.
    warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
    from ema_workbench import (
        ArrayOutcome,
        CategoricalParameter,
        Constant,
        IntegerParameter,
        Model,
        RealParameter,
        ReplicatorModel,
        ScalarOutcome,
    )

SCENARIO_LEVER = "policy_scenario"
"""EMA name of the lever over scenario files (``scenario`` and ``policy`` are columns EMA reserves)."""

SEPARATOR = "__"
"""Stands for the dot of ``group.name`` in EMA names (which must be Python identifiers)."""

Range = tuple[float, float] | None


@dataclass(frozen=True)
class Input:
    """One uncertainty or numeric lever, with its metadata from the schema.

    Attributes:
        label: ``group.name`` of the parameter.
        role: ``"uncertainty"`` or ``"lever"``.
        low: Lowest value sampled (unit of the parameter).
        high: Highest value sampled.
        integer: True for a parameter declared as an integer (an ``IntegerParameter``).
        default: The parameter's default.
        unit: The parameter's unit.
        kind: The parameter's provenance (:data:`sim.params.KINDS`).
        bounds: The parameter's admissible ``(low, high)`` (``None`` for an open side).
        source: The parameter's source.
    """

    label: str
    role: str
    low: float
    high: float
    integer: bool
    default: float
    unit: str
    kind: str
    bounds: tuple
    source: str

    @property
    def name(self) -> str:
        """The EMA name (see :func:`ema_name`)."""
        return ema_name(self.label)

    def value(self, sampled: Any) -> int | float:
        """A sampled value as the schema wants it (``int`` for an integer parameter).

        Raises:
            ParameterError: For a value that is not a number, or not a whole number for an integer.
        """
        if isinstance(sampled, bool) or not isinstance(sampled, int | float | np.number):
            raise ParameterError(f"{self.label} = {sampled!r}: expected a number ({self.unit})")
        if self.integer:
            if not float(sampled).is_integer():
                raise ParameterError(f"{self.label} = {sampled!r}: expected an integer ({self.unit})")
            return int(sampled)
        return float(sampled)


@dataclass(frozen=True)
class Output:
    """One outcome: an indicator in one year, or its yearly series (``year`` is ``None``).

    Attributes:
        indicator: Name in :data:`agents.schedule.REGISTRY`.
        year: The year of a scalar outcome; ``None`` for the series.
        unit: The indicator's unit.
        label: The indicator's label.
    """

    indicator: str
    year: int | None
    unit: str
    label: str

    @property
    def name(self) -> str:
        """The EMA name: ``<indicator>_<year>``, or ``<indicator>`` for the series."""
        return self.indicator if self.year is None else f"{self.indicator}_{self.year}"


def ema_name(label: str) -> str:
    """The EMA name of a parameter: ``group.name`` -> ``group__name``."""
    return label.replace(".", SEPARATOR)


def parameter_label(name: str) -> str:
    """The ``group.name`` of an EMA name made by :func:`ema_name` (other names unchanged)."""
    group, sep, rest = name.partition(SEPARATOR)
    return f"{group}.{rest}" if sep else name


def _input(label: Any, given: Any, role: str, schema: dict[str, Any]) -> Input:
    """Checks one uncertainty or numeric lever against the schema; see the module docstring."""
    what = "uncertainty" if role == "uncertainty" else "lever"
    f = schema.get(label) if isinstance(label, str) else None
    if f is None:
        close = difflib.get_close_matches(str(label), list(schema), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise ParameterError(f"{what} {label!r} is not a parameter; expected group.name as listed by "
                             f"`doorstroom params`{hint}")
    meta = f.metadata
    default = f.default
    if isinstance(default, bool) or not isinstance(default, int | float) or meta.get("choices"):
        raise ParameterError(f"{what} {label} (default {default!r}) is not a scalar number; only numeric "
                             "parameters can be sampled (set tuples, switches and choices in a scenario)")
    if role == "uncertainty" and meta["kind"] == "policy":
        raise ParameterError(f"{label} is a policy lever (kind 'policy'); pass it in levers, not in "
                             "uncertainties")
    if role == "lever" and meta["kind"] != "policy":
        raise ParameterError(f"lever {label} has kind {meta['kind']!r}; a numeric lever must be a policy "
                             "parameter (kind 'policy', see `doorstroom policies`); pass it in "
                             "uncertainties instead")
    bound_low, bound_high = meta["bounds"]
    unit = meta["unit"]
    if given is None:
        if bound_low is None or bound_high is None:
            raise ParameterError(f"{what} {label}: no range given and its bounds [{bound_low}, {bound_high}] "
                                 f"are open; give (low, high) in {unit}")
        given = (bound_low, bound_high)
    if (isinstance(given, str) or not isinstance(given, Sequence) or len(given) != 2
            or any(isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v) for v in given)):
        raise ParameterError(f"{what} {label}: range {given!r}; expected (low, high), two numbers in {unit}")
    low, high = given
    integer = isinstance(default, int)
    if integer and not (float(low).is_integer() and float(high).is_integer()):
        raise ParameterError(f"{what} {label}: range {given!r}; the parameter is an integer ({unit}), "
                             "expected two integers")
    if not low < high:
        raise ParameterError(f"{what} {label}: range {given!r}; expected low below high ({unit})")
    if (bound_low is not None and low < bound_low) or (bound_high is not None and high > bound_high):
        raise ParameterError(f"{what} {label}: range {given!r} is outside the parameter's bounds "
                             f"[{bound_low}, {bound_high}] ({unit})")
    cast = int if integer else float
    return Input(label, role, cast(low), cast(high), integer, default, unit, meta["kind"],
                 tuple(meta["bounds"]), meta["source"])


def _inputs(given: Mapping[str, Range] | Sequence[str] | None, role: str) -> tuple[Input, ...]:
    if given is None:
        return ()
    if isinstance(given, str):
        raise ParameterError(f"{role}s = {given!r}: expected a list of group.name or a mapping "
                             "group.name -> (low, high)")
    items = given.items() if isinstance(given, Mapping) else ((label, None) for label in given)
    schema = parameter_fields()
    out = [_input(label, rng, role, schema) for label, rng in items]
    labels = [i.label for i in out]
    if len(set(labels)) != len(labels):
        raise ParameterError(f"{role}s {labels}: a parameter is named twice")
    return tuple(out)


def resolve_scenario(entry: str | Path | Scenario | None) -> Scenario:
    """A scenario from a :class:`Scenario`, a file, or the name of a shipped scenario.

    Args:
        entry: A loaded scenario; a path to a scenario file; the stem of a file in
            ``experiments/scenarios`` (``"doorstroom"``); or ``None`` for the defaults.

    Raises:
        ParameterError: For a file that does not exist and is not a shipped scenario's name, or a
            bad file.
    """
    if entry is None or isinstance(entry, Scenario):
        return load_scenario(None) if entry is None else entry
    if not isinstance(entry, str | Path) or not str(entry):
        raise ParameterError(f"scenario {entry!r}: expected a Scenario, a scenario file or the name of a "
                             "shipped scenario")
    return find_scenario(entry)


def with_values(scenario: Scenario, values: Mapping[str, int | float]) -> Scenario:
    """The scenario with parameter values added to its changes, checked as a scenario file is.

    Args:
        scenario: The lever scenario.
        values: ``{"group.name": value}``.

    Raises:
        ParameterError: For an impossible value (alone, with the scenario's changes, or with its
            dated changes), naming the scenario.
    """
    changes = {g: dict(v) for g, v in scenario.changes.items()}
    for label, value in values.items():
        group, name = label.split(".")
        changes.setdefault(group, {})[name] = value
    data = {"scenario": {"name": scenario.name, "description": scenario.description}, **changes,
            "change": [{"year": year, **tables} for year, tables in scenario.dated]}
    checked = scenario_from_dict(data, source=scenario.path or scenario.name)
    return replace(checked, run=dict(scenario.run), path=scenario.path)


def _seed_mean(values) -> float | np.ndarray:
    """Mean over the seeds (axis 0) of the values that are not NaN; NaN where no seed has one."""
    arr = np.asarray(values, dtype=float)
    ok = ~np.isnan(arr)
    count = ok.sum(axis=0)
    total = np.where(ok, arr, 0.0).sum(axis=0)
    mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return float(mean) if mean.ndim == 0 else mean


def _first(values) -> np.ndarray:
    """The value of the first replication (for ``TIME``, the same in every replication)."""
    return np.asarray(values[0])


@dataclass(frozen=True)
class EmaRunner:
    """The function of the EMA model: one run per call, the outcomes as a dict (picklable).

    Attributes:
        scenarios: The lever scenarios by name (the first is used when there is no scenario lever).
        settings: Run settings (the seed comes with each call).
        inputs: The uncertainties and numeric levers.
        outputs: The outcomes.
    """

    scenarios: dict[str, Scenario]
    settings: RunSettings
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]

    def scenario_for(self, values: Mapping[str, Any]) -> Scenario:
        """The scenario of one experiment: its lever scenario with the sampled values.

        Args:
            values: The experiment as the model function receives it: ``group.name`` -> value, and
                :data:`SCENARIO_LEVER` -> scenario name when there is a scenario lever.

        Raises:
            ParameterError: For a missing or unknown value.
        """
        name = values.get(SCENARIO_LEVER, next(iter(self.scenarios)))
        if name not in self.scenarios:
            raise ParameterError(f"{SCENARIO_LEVER} = {name!r}; expected one of {list(self.scenarios)}")
        missing = [i.label for i in self.inputs if i.label not in values]
        if missing:
            raise ParameterError(f"experiment {dict(values)!r} gives no value for {missing}")
        return with_values(self.scenarios[name], {i.label: i.value(values[i.label]) for i in self.inputs})

    def __call__(self, seed: int, **values: Any) -> dict[str, float | np.ndarray]:
        """Runs one experiment with one seed; returns ``{outcome name: value}``."""
        scenario = self.scenario_for(values)
        columns = run_one(scenario, replace(self.settings, seed=int(seed)))
        return outcomes_of(columns, self.outputs, self.settings)


def outcomes_of(columns: Mapping[str, np.ndarray], outputs: Sequence[Output],
                settings: RunSettings) -> dict[str, float | np.ndarray]:
    """The outcomes of one run from its tidy indicator columns (:func:`experiments.runs.run_one`).

    Returns:
        ``{name: value}``: a float for an indicator in a year, an array over the years
        ``start_year..end_year`` for a series (NaN for a year not recorded), and ``TIME`` (the years)
        when there is a series.

    Raises:
        ValueError: When the run did not record an indicator in the outcome's year.
    """
    years = np.arange(settings.start_year, settings.end_year + 1)
    out: dict[str, float | np.ndarray] = {}
    for o in outputs:
        rows = columns["indicator"] == o.indicator
        if o.year is None:
            series = np.full(len(years), np.nan)
            series[columns["year"][rows] - settings.start_year] = columns["value"][rows]
            out[o.name] = series
            out["TIME"] = years
            continue
        value = columns["value"][rows & (columns["year"] == o.year)]
        if len(value) != 1:
            raise ValueError(f"the run recorded {len(value)} values of {o.indicator} in {o.year}; "
                             "expected one")
        out[o.name] = float(value[0])
    return out


def ema_model(
    uncertainties: Mapping[str, Range] | Sequence[str],
    scenarios: Sequence[str | Path | Scenario] | None = None,
    levers: Mapping[str, Range] | Sequence[str] | None = None,
    indicators: Sequence[str] = MAIN_INDICATORS,
    year: int | None = None,
    settings: RunSettings | None = None,
    seeds: int | Sequence[int] | None = None,
    series: bool = False,
    name: str = "doorstroom",
) -> Model | ReplicatorModel:
    """The model as an EMA Workbench model, its inputs and outcomes generated from the schema.

    Args:
        uncertainties: ``{"group.name": (low, high) or None}``, or a list of ``group.name``; ``None``
            (or a name in a list) takes the parameter's bounds as the range, which both must be finite.
        scenarios: The lever scenarios (:func:`resolve_scenario`: loaded scenarios, files or names
            of shipped scenarios); two or more make the lever :data:`SCENARIO_LEVER`, one is used
            for every run; ``None`` gives the defaults (``baseline``).
        levers: Numeric policy levers, as ``uncertainties``.
        indicators: Indicators of :data:`agents.schedule.REGISTRY`; default the main ones
            (:data:`experiments.stats.MAIN_INDICATORS`).
        year: The year of the scalar outcomes; default ``settings.end_year``.
        settings: Scale and years of every run; default :class:`sim.params.RunSettings()`.
        seeds: ``n`` for the seeds ``1..n`` (as ``doorstroom compare``), or the seeds themselves;
            default the seed of ``settings``. More than one seed gives a ``ReplicatorModel`` whose
            outcomes are means over the seeds (module docstring).
        series: Also the yearly series of each indicator (``ArrayOutcome``) and ``TIME``.
        name: The EMA model's name (a Python identifier).

    Returns:
        The model; ``describe(model)`` lists its inputs and outcomes with units.

    Raises:
        ParameterError: Naming the value: an unknown parameter or indicator, a parameter that is
            not a scalar number or in the wrong role, a missing range for an open bound, a range
            outside the bounds or not increasing, a range end the scenario rejects, a scenario that
            sets a varied parameter, a year outside the settings, bad seeds.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ParameterError(f"model name {name!r}: expected a Python identifier (ema_workbench 3)")
    settings = RunSettings() if settings is None else settings
    if not isinstance(settings, RunSettings):
        raise ParameterError(f"settings = {settings!r}: expected a sim.params.RunSettings")
    inputs = _inputs(uncertainties, "uncertainty") + _inputs(levers, "lever")
    if not inputs:
        raise ParameterError("uncertainties and levers are both empty; expected at least one parameter")
    labels = [i.label for i in inputs]
    twice = sorted({x for x in labels if labels.count(x) > 1})
    if twice:
        raise ParameterError(f"{twice} given both as an uncertainty and as a lever")
    if isinstance(scenarios, str | Path | Scenario) or (scenarios is not None and not scenarios):
        raise ParameterError(f"scenarios = {scenarios!r}: expected a list of one or more scenarios")
    loaded = [resolve_scenario(s) for s in (scenarios if scenarios is not None else [None])]
    by_name: dict[str, Scenario] = {}
    for sc in loaded:
        if sc.name in by_name:
            raise ParameterError(f"two scenarios are named {sc.name!r} ({by_name[sc.name].path!r}, "
                                 f"{sc.path!r}); give each a distinct [scenario] name")
        clash = sorted(sc.fixed_parameters() & set(labels))
        if clash:
            raise ParameterError(f"scenario {sc.name!r} ({sc.path}) sets {clash}, which are varied; remove "
                                 "them from the scenario or from the uncertainties and levers")
        for i in inputs:
            for end in (i.low, i.high):
                with_values(sc, {i.label: end})  # each end of a range alone, with the scenario
        by_name[sc.name] = sc
    outputs = _outputs(indicators, settings.end_year if year is None else year, settings, series)
    seed_list = _seeds(seeds, settings)
    runner = EmaRunner(by_name, settings, inputs, outputs)
    if len(seed_list) == 1:
        model = Model(name, function=runner)
        model.constants = [Constant("seed", seed_list[0])]
        reduce = None
    else:
        model = ReplicatorModel(name, function=runner)
        model.replications = [{"seed": s} for s in seed_list]
        reduce = _seed_mean
    params = []
    for i in inputs:
        cls = IntegerParameter if i.integer else RealParameter
        params.append(cls(i.name, i.low, i.high, default=i.default, variable_name=i.label))
    model.uncertainties = [p for p, i in zip(params, inputs, strict=True) if i.role == "uncertainty"]
    model.levers = [p for p, i in zip(params, inputs, strict=True) if i.role == "lever"]
    if len(by_name) > 1:
        model.levers = [*model.levers, CategoricalParameter(SCENARIO_LEVER, list(by_name),
                                                            default=next(iter(by_name)))]
    outcomes = []
    for o in outputs:
        if o.year is None:
            outcomes.append(ArrayOutcome(o.name, function=reduce))
        else:
            outcomes.append(ScalarOutcome(o.name, function=reduce))
    if series:
        outcomes.append(ArrayOutcome("TIME", function=None if reduce is None else _first))
    model.outcomes = outcomes
    return model


def _outputs(indicators: Sequence[str], year: Any, settings: RunSettings, series: bool) -> tuple[Output, ...]:
    if isinstance(indicators, str) or not indicators:
        raise ParameterError(f"indicators = {indicators!r}: expected a list of one or more indicator names")
    unknown = [n for n in indicators if n not in REGISTRY]
    if unknown:
        close = {n: difflib.get_close_matches(str(n), list(REGISTRY), n=3) for n in unknown}
        raise ParameterError(f"unknown indicator(s) {unknown} (close names: {close}); expected names of "
                             "agents.schedule.REGISTRY")
    if len(set(indicators)) != len(indicators):
        raise ParameterError(f"indicators {list(indicators)}: an indicator is named twice")
    if (isinstance(year, bool) or not isinstance(year, int)
            or not settings.start_year <= year <= settings.end_year):
        raise ParameterError(f"year = {year!r}: expected an integer year of the runs, "
                             f"{settings.start_year} to {settings.end_year}")
    out = [Output(n, year, REGISTRY[n].unit, REGISTRY[n].label) for n in indicators]
    if series:
        out += [Output(n, None, REGISTRY[n].unit, REGISTRY[n].label) for n in indicators]
    return tuple(out)


def _seeds(seeds: int | Sequence[int] | None, settings: RunSettings) -> list[int]:
    if seeds is None:
        return [settings.seed]
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ParameterError(f"seeds = {seeds!r}: expected at least 1 (the seeds 1..n) or a list of "
                                 "seeds")
        return list(range(1, seeds + 1))
    if isinstance(seeds, str) or not isinstance(seeds, Sequence) or not seeds or any(
            isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds):
        raise ParameterError(f"seeds = {seeds!r}: expected n >= 1 or a list of non-negative integers")
    if len(set(seeds)) != len(seeds):
        raise ParameterError(f"seeds = {list(seeds)!r}: a seed is named twice")
    return list(seeds)


def describe(model: Model | ReplicatorModel) -> list[dict[str, Any]]:
    """The inputs and outcomes of a model made by :func:`ema_model`, one row each, with units.

    Rows have ``role`` (uncertainty, lever, outcome), ``name`` (EMA), ``label`` (``group.name``,
    the indicator, or the scenario lever), ``unit``, ``low``, ``high`` (the sampled range, or the
    categories and ``None``), ``bounds``, ``kind`` and ``source`` (the indicator's label for an outcome).

    Raises:
        ParameterError: When the model was not made by :func:`ema_model`.
    """
    runner = getattr(model, "function", None)
    if not isinstance(runner, EmaRunner):
        raise ParameterError(f"model {model!r} was not made by experiments.ema.ema_model")
    rows = [{"role": i.role, "name": i.name, "label": i.label, "unit": i.unit, "low": i.low, "high": i.high,
             "bounds": i.bounds, "kind": i.kind, "source": i.source} for i in runner.inputs]
    if len(runner.scenarios) > 1:
        files = "; ".join(s.path or "defaults" for s in runner.scenarios.values())
        rows.append({"role": "lever", "name": SCENARIO_LEVER, "label": "scenario file",
                     "unit": "scenario name", "low": list(runner.scenarios), "high": None, "bounds": None,
                     "kind": "policy", "source": files})
    rows += [{"role": "outcome", "name": o.name, "label": o.indicator, "unit": o.unit, "low": None,
              "high": None, "bounds": None, "kind": "indicator" if o.year is not None else "series",
              "source": o.label} for o in runner.outputs]
    return rows


def batch_outcomes(folder: str | Path, indicator: str, year: int,
                   scenario: str | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """One indicator in one year of a batch, per point: the ``(x, y)`` of scenario discovery.

    Reads ``results.parquet`` (``point``, ``scenario``, ``seed``, one column per uncertain parameter,
    ``year``, ``indicator``, ``value``) and ``design.csv`` (``point`` and the uncertain parameters) of
    a ``doorstroom batch`` folder.

    Args:
        folder: The batch folder.
        indicator: The indicator's name.
        year: The year.
        scenario: The lever scenario; may be left out when the batch has one.

    Returns:
        ``x``: the design's uncertain parameters, one row per point (index ``point``, columns
        ``group.name``); ``y``: the mean over the seeds of the indicator's value at each point (NaN
        values left out, NaN where no seed has one), aligned with ``x``.

    Raises:
        ParameterError: For a missing file, an indicator, year or scenario the results do not hold
            (listing those they do), or a point without results or with other seeds than the rest
            (an unfinished batch).
    """
    folder = Path(folder)
    results, design = folder / "results.parquet", folder / "design.csv"
    for path in (results, design):
        if not path.is_file():
            raise ParameterError(f"{str(path)!r} does not exist; expected a doorstroom batch folder with "
                                 "results.parquet and design.csv")
    keys = pq.read_table(results, columns=["scenario", "year", "indicator"]).to_pandas()
    scenarios = sorted(keys["scenario"].unique())
    if scenario is None:
        if len(scenarios) != 1:
            raise ParameterError(f"{folder}: the batch has the scenarios {scenarios}; give scenario=")
        scenario = scenarios[0]
    if scenario not in scenarios:
        raise ParameterError(f"scenario {scenario!r} is not in {results}; it has {scenarios}")
    if indicator not in set(keys["indicator"]):
        raise ParameterError(f"indicator {indicator!r} is not in {results}; it has "
                             f"{sorted(keys['indicator'].unique())}")
    years = sorted(int(y) for y in keys.loc[keys["indicator"] == indicator, "year"].unique())
    if isinstance(year, bool) or not isinstance(year, int) or year not in years:
        raise ParameterError(f"year = {year!r}: {indicator} is recorded in {results} for the years "
                             f"{years[0]} to {years[-1]}")
    table = pq.read_table(results, columns=["point", "seed", "value"],
                          filters=[("scenario", "=", scenario), ("indicator", "=", indicator),
                                   ("year", "=", year)]).to_pandas()
    x = pd.read_csv(design).set_index("point").sort_index()
    missing = sorted(set(x.index) - set(table["point"]))
    if missing:
        raise ParameterError(f"{len(missing)} of {len(x)} points of {design} have no result for "
                             f"{scenario} {indicator} {year} (first: {missing[:5]}); is the batch finished?")
    seed_sets = table.groupby("point")["seed"].apply(lambda s: tuple(sorted(s)))
    if seed_sets.nunique() != 1:
        counts = seed_sets.map(len)
        raise ParameterError(f"the points of {results} have results for different seeds ({counts.min()} to "
                             f"{counts.max()} per point for {scenario} {indicator} {year}); is the batch "
                             "finished?")
    y = table.groupby("point")["value"].mean().reindex(x.index)
    return x, y.to_numpy(dtype=float)
