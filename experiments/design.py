"""Design files of ``doorstroom batch``: uncertain parameters, levers, seeds and a sampler.

A design file (TOML) says which parameters are uncertain and how they vary, which scenario files are
the levers, how many seeds each point runs with, and how the points are drawn::

    [design]
    name = "sobol_market"
    description = "What drives older households' moves in the first years"
    sampler = "sobol"          # grid | list | lhs | sobol | morris
    samples = 256              # lhs: points; sobol: base samples N; morris: trajectories
    sample_seed = 1            # seed of the sampler (lhs, sobol's scrambling, morris)
    second_order = false       # sobol only: also second-order indices (N * (2D + 2) points)
    levels = 4                 # morris only: levels of the grid
    seeds = 2                  # every point runs with seeds 1..seeds (common random numbers)
    scenarios = ["baseline"]   # levers: scenario files, relative to this file, or names of the
                               # scenarios shipped in experiments/scenarios/

    [run]                      # settings shared by all runs (command-line options win)
    scale = 0.002
    end_year = 2027

    [[uncertainty]]
    name = "moving.accept_probability"   # group.name, as in `doorstroom params`
    low = 0.5
    high = 0.95
    # distribution = "uniform" (low, high; the default) | "loguniform" (low, high)
    #   | "triangular" (low, high, peak) | "normal" (mean, sd) | "truncnormal" (low, high, mean, sd)
    # grid sampler: values = [0.5, 0.75, 0.95] instead

    [[point]]                  # list sampler only: one table per point
    "moving.accept_probability" = 0.6

**Samplers** are SALib's (``SALib.sample``): Latin hypercube (``latin``), Sobol' sequences with
Saltelli's scheme (``sobol``: N * (D + 2) points, or N * (2D + 2) with second order) and Morris
trajectories (``morris``: N * (D + 1) points). Non-uniform distributions go through SALib's ``dists``.
``grid`` is the Cartesian product of each uncertainty's ``values``; ``list`` takes the points as
written. A parameter declared as an integer takes the sampled value rounded to the nearest integer.

**Checks**, all before any run: every name is a scalar numeric parameter of the schema (not a tuple,
a choice or a switch); a range lies within the parameter's bounds; every point gives a valid
parameter set (a normal distribution can leave the bounds: the point and value are named); a lever
scenario may not itself set a parameter the design varies.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from SALib.sample import latin, morris, sobol

from calibration.tomlfile import read_toml
from experiments.runs import check_name
from experiments.scenario import Scenario, find_scenario
from sim.params import ParameterError, Parameters, parameter_fields

SAMPLERS = ("grid", "list", "lhs", "sobol", "morris")
"""The samplers a design may name."""

DISTRIBUTIONS = {
    "uniform": ("unif", ("low", "high")),
    "loguniform": ("logunif", ("low", "high")),
    "triangular": ("triang", ("low", "high", "peak")),
    "normal": ("norm", ("mean", "sd")),
    "truncnormal": ("truncnorm", ("low", "high", "mean", "sd")),
}
"""Distribution of an uncertainty -> (SALib's name, the keys it needs in the design file)."""

DESIGN_KEYS = ("name", "description", "sampler", "samples", "sample_seed", "second_order", "levels",
               "seeds", "scenarios")
UNCERTAINTY_KEYS = ("name", "distribution", "low", "high", "peak", "mean", "sd", "values")


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain parameter of a design.

    Attributes:
        name: ``group.name`` of the parameter.
        distribution: A key of :data:`DISTRIBUTIONS` (``"grid"`` or ``"list"`` for those samplers).
        bounds: The distribution's numbers in SALib's order (see :data:`DISTRIBUTIONS`).
        values: The grid's values (grid sampler only).
        unit: The parameter's unit (from the schema).
        kind: The parameter's provenance (from the schema).
        integer: True when the parameter is an integer (sampled values are rounded).
    """

    name: str
    distribution: str
    bounds: tuple[float, ...]
    values: tuple[float, ...] = ()
    given: tuple[tuple[str, float], ...] = ()
    unit: str = ""
    kind: str = ""
    integer: bool = False

    @property
    def group(self) -> str:
        """The parameter's group."""
        return self.name.split(".")[0]

    @property
    def param(self) -> str:
        """The parameter's name within its group."""
        return self.name.split(".")[1]


@dataclass(frozen=True)
class Design:
    """A checked design: what varies, how, and the points drawn.

    Attributes:
        path: The design file.
        name: The design's name.
        description: One line on what it is for.
        sampler: One of :data:`SAMPLERS`.
        samples: The sampler's size (see the module docstring; ``None`` for grid and list).
        sample_seed: Seed of the sampler.
        second_order: Sobol only: whether the points allow second-order indices.
        levels: Morris only: levels of the grid.
        seeds: Model seeds per point and lever (``1..seeds``).
        scenarios: The levers (scenario files), in the file's order.
        run: The ``[run]`` table (settings shared by all runs).
        uncertainties: The uncertain parameters, in the file's order.
        points: The points, one row per point, one column per uncertainty.
    """

    path: str
    name: str
    description: str
    sampler: str
    samples: int | None
    sample_seed: int
    second_order: bool
    levels: int
    seeds: int
    scenarios: tuple[Scenario, ...]
    run: dict
    uncertainties: tuple[Uncertainty, ...]
    points: np.ndarray

    @property
    def names(self) -> list[str]:
        """The uncertain parameters' names, in column order."""
        return [u.name for u in self.uncertainties]

    def problem(self) -> dict:
        """The SALib problem of the design (names, bounds, distributions)."""
        return salib_problem(self.uncertainties)

    def changes(self, point: int) -> dict[str, dict[str, Any]]:
        """The parameter changes of one point, ``{group: {name: value}}``."""
        out: dict[str, dict[str, Any]] = {}
        for u, value in zip(self.uncertainties, self.points[point], strict=True):
            out.setdefault(u.group, {})[u.param] = int(value) if u.integer else float(value)
        return out

    def scenario_at(self, scenario: Scenario, point: int) -> Scenario:
        """A lever scenario with the values of one point added to its changes."""
        merged = {g: dict(v) for g, v in scenario.changes.items()}
        for group, values in self.changes(point).items():
            merged.setdefault(group, {}).update(values)
        return replace(scenario, changes=merged)

    def to_json(self) -> dict:
        """The design as JSON (``design.json`` of a batch folder)."""
        return {
            "file": str(Path(self.path).resolve()),
            "name": self.name,
            "description": self.description,
            "sampler": self.sampler,
            "samples": self.samples,
            "sample_seed": self.sample_seed,
            "second_order": self.second_order,
            "levels": self.levels,
            "seeds": list(range(1, self.seeds + 1)),
            "scenarios": [{"name": sc.name, "file": sc.path, "description": sc.description}
                          for sc in self.scenarios],
            "run": self.run,
            "uncertainties": [{"name": u.name, "distribution": u.distribution, "bounds": list(u.bounds),
                               "values": list(u.values), "given": dict(u.given), "unit": u.unit,
                               "kind": u.kind, "integer": u.integer} for u in self.uncertainties],
            "problem": self.problem(),
            "points": len(self.points),
        }


def salib_problem(uncertainties) -> dict:
    """The SALib problem of a list of uncertainties (``num_vars``, ``names``, ``bounds``, ``dists``).

    For grid and list designs the bounds are the smallest and largest value and the distributions
    uniform (SALib's analyses of such designs need only the names and bounds).
    """
    bounds, dists = [], []
    for u in uncertainties:
        if u.distribution in DISTRIBUTIONS:
            bounds.append(list(u.bounds))
            dists.append(DISTRIBUTIONS[u.distribution][0])
        else:
            bounds.append([min(u.bounds), max(u.bounds)])
            dists.append("unif")
    return {"num_vars": len(uncertainties), "names": [u.name for u in uncertainties],
            "bounds": bounds, "dists": dists}


def _number(source: str, where: str, value: Any) -> float:
    """A number of the design file, or a ParameterError naming where it is."""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ParameterError(f"{source}: {where} = {value!r}: expected a number")
    return float(value)


def _int_key(source: str, table: dict, key: str, default: int | None, least: int) -> int | None:
    """An integer of ``[design]`` of at least ``least`` (``default`` when absent)."""
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ParameterError(f"{source}: [design] {key} = {value!r}: expected an integer of at least {least}")
    return value


def _only_keys(source: str, table: dict, keys, where: str) -> None:
    """Refuses keys of ``table`` that are not in ``keys``, naming them and the valid ones."""
    bad = sorted(set(table) - set(keys))
    if bad:
        raise ParameterError(f"{source}: unknown key(s) {bad} in {where}; valid: {list(keys)}")


def _inside(source: str, name: str, where: str, value: float, f) -> None:
    """Refuses a value outside the bounds of the parameter's field ``f``."""
    low_bound, high_bound = f.metadata["bounds"]
    if (low_bound is not None and value < low_bound) or (high_bound is not None and value > high_bound):
        raise ParameterError(f"{source}: {name} {where} = {value!r} is outside the parameter's bounds "
                             f"[{low_bound}, {high_bound}] ({f.metadata['unit']})")


def _uncertainty(source: str, entry: Any, sampler: str, schema: dict) -> Uncertainty:
    """Checks one ``[[uncertainty]]`` table against the schema and the sampler."""
    if not isinstance(entry, dict):
        raise ParameterError(f"{source}: every [[uncertainty]] must be a table, got {entry!r}")
    _only_keys(source, entry, UNCERTAINTY_KEYS, "[[uncertainty]]")
    name = entry.get("name")
    f = schema.get(name) if isinstance(name, str) else None
    if f is None:
        raise ParameterError(f"{source}: [[uncertainty]] name = {name!r} is not a parameter; expected "
                             "group.name as listed by `doorstroom params`")
    default = f.default
    if isinstance(default, bool) or not isinstance(default, int | float) or f.metadata.get("choices"):
        raise ParameterError(f"{source}: {name} (default {default!r}) is not a scalar number; a design can "
                             "vary numeric parameters only (set tuples and switches in a lever scenario)")
    integer = isinstance(default, int)
    meta = {"unit": f.metadata["unit"], "kind": f.metadata["kind"], "integer": integer}

    def inside(where: str, value: float) -> None:
        _inside(source, name, where, value, f)
        if integer and where != "mean" and not float(value).is_integer():
            raise ParameterError(f"{source}: {name} {where} = {value!r}: the parameter is an integer "
                                 f"({f.metadata['unit']}); expected a whole number")

    if sampler in ("grid", "list"):
        if sampler == "list":
            return Uncertainty(name, "list", (), (), **meta)
        values = entry.get("values")
        if not isinstance(values, list) or not values:
            raise ParameterError(f"{source}: {name}: the grid sampler needs values = [...] (one or more "
                                 f"numbers, {f.metadata['unit']})")
        vals = tuple(_number(source, f"{name} values", v) for v in values)
        for v in vals:
            inside("value", v)
        if len(set(vals)) != len(vals):
            raise ParameterError(f"{source}: {name} values = {values!r} repeat a value")
        return Uncertainty(name, "grid", (min(vals), max(vals)), vals, **meta)
    if "values" in entry:
        raise ParameterError(f"{source}: {name}: values = [...] is for the grid sampler; the {sampler} "
                             "sampler needs a distribution (low and high for the default uniform)")
    dist = entry.get("distribution", "uniform")
    if dist not in DISTRIBUTIONS:
        raise ParameterError(f"{source}: {name} distribution = {dist!r}; expected one of "
                             f"{list(DISTRIBUTIONS)}")
    keys = DISTRIBUTIONS[dist][1]
    missing = [k for k in keys if k not in entry]
    extra = sorted(set(entry) - {"name", "distribution", *keys})
    if missing or extra:
        raise ParameterError(f"{source}: {name}: a {dist} distribution needs {list(keys)}"
                             + (f"; missing {missing}" if missing else "")
                             + (f"; not used: {extra}" if extra else ""))
    numbers = {k: _number(source, f"{name} {k}", entry[k]) for k in keys}
    if "low" in numbers:
        if not numbers["low"] < numbers["high"]:
            raise ParameterError(f"{source}: {name}: low = {numbers['low']!r} must be below high = "
                                 f"{numbers['high']!r}")
        inside("low", numbers["low"])
        inside("high", numbers["high"])
    if dist == "loguniform" and numbers["low"] <= 0:
        raise ParameterError(f"{source}: {name}: a loguniform distribution needs low > 0, got "
                             f"{numbers['low']!r}")
    if "sd" in numbers and numbers["sd"] <= 0:
        raise ParameterError(f"{source}: {name}: sd = {numbers['sd']!r} must be above 0")
    if dist == "triangular":
        low, high, peak = numbers["low"], numbers["high"], numbers["peak"]
        if not low <= peak < high:  # SALib places the peak as a share of the width, below 1
            raise ParameterError(f"{source}: {name}: peak = {peak!r} must lie in [low, high) = "
                             f"[{low}, {high})")
        # SALib places the peak as a share of the width
        return Uncertainty(name, dist, (low, high, (peak - low) / (high - low)), given=tuple(numbers.items()),
                           **meta)
    return Uncertainty(name, dist, tuple(numbers[k] for k in keys), given=tuple(numbers.items()), **meta)


def _lever(source: str, folder: Path, entry: Any) -> Scenario:
    """A lever: a scenario file relative to the design's folder, or a shipped scenario's name."""
    try:
        return find_scenario(entry, folder)
    except ParameterError as exc:
        raise ParameterError(f"{source}: [design] scenarios: {exc}") from None


def draw_points(uncertainties: tuple[Uncertainty, ...], sampler: str, samples: int | None, seed: int,
                second_order: bool, levels: int, listed: list | None = None) -> np.ndarray:
    """The design's points (SALib's samplers; grid and list as given), integers rounded.

    Returns:
        An array of shape (points, uncertainties).
    """
    if sampler == "grid":
        points = np.array(list(itertools.product(*(u.values for u in uncertainties))), dtype=float)
    elif sampler == "list":
        points = np.array(listed, dtype=float).reshape(-1, len(uncertainties))
    else:
        problem = salib_problem(uncertainties)
        with warnings.catch_warnings():
            # SALib warns when N is not a power of 2 (the Sobol' sequence's balance); the design says
            # which N it wants
            warnings.simplefilter("ignore", UserWarning)
            if sampler == "lhs":
                points = latin.sample(problem, samples, seed=seed)
            elif sampler == "sobol":
                points = sobol.sample(problem, samples, calc_second_order=second_order, seed=seed)
            else:
                points = morris.sample(problem, samples, num_levels=levels, seed=seed)
    points = np.asarray(points, dtype=float)
    for j, u in enumerate(uncertainties):
        if u.integer:
            points[:, j] = np.rint(points[:, j])
    return points


def load_design(path: str | Path) -> Design:
    """Reads and checks a design file and draws its points.

    Raises:
        ParameterError: Naming the file and the value for anything wrong (see the module docstring).
    """
    source = str(path)
    data = read_toml(path, "design file", ParameterError)
    _only_keys(source, data, ("design", "run", "uncertainty", "point"), "the file")
    head = data.get("design")
    if not isinstance(head, dict):
        raise ParameterError(f"{source}: a [design] table is required (sampler, seeds, scenarios)")
    _only_keys(source, head, DESIGN_KEYS, "[design]")
    sampler = head.get("sampler")
    if sampler not in SAMPLERS:
        raise ParameterError(f"{source}: [design] sampler = {sampler!r}; expected one of {SAMPLERS}")
    needs_samples = sampler in ("lhs", "sobol", "morris")
    samples = _int_key(source, head, "samples", None, 2 if sampler == "morris" else 1)
    if needs_samples and samples is None:
        raise ParameterError(f"{source}: the {sampler} sampler needs [design] samples = N")
    if not needs_samples and samples is not None:
        raise ParameterError(f"{source}: [design] samples is for the lhs, sobol and morris samplers, not "
                             f"{sampler}")
    sample_seed = _int_key(source, head, "sample_seed", 1, 0)
    levels = _int_key(source, head, "levels", 4, 2)
    seeds = _int_key(source, head, "seeds", 1, 1)
    second_order = head.get("second_order", False)
    if not isinstance(second_order, bool):
        raise ParameterError(f"{source}: [design] second_order = {second_order!r}: expected true or false")
    levers = head.get("scenarios", ["baseline"])
    if not isinstance(levers, list) or not levers:
        raise ParameterError(f"{source}: [design] scenarios = {levers!r}: expected a list of one or more "
                             "scenario files")
    folder = Path(path).resolve().parent
    scenarios = tuple(_lever(source, folder, e) for e in levers)
    for sc in scenarios:
        try:
            check_name(sc)
        except ParameterError as exc:
            raise ParameterError(f"{source}: [design] scenarios: {exc}") from None
    names = [sc.name for sc in scenarios]
    if len(set(names)) != len(names):
        raise ParameterError(f"{source}: two levers have the same scenario name ({names}); give each a "
                             "distinct [scenario] name")
    entries = data.get("uncertainty", [])
    if not isinstance(entries, list) or not entries:
        raise ParameterError(f"{source}: at least one [[uncertainty]] is required")
    schema = parameter_fields()
    uncertainties = tuple(_uncertainty(source, e, sampler, schema) for e in entries)
    seen = [u.name for u in uncertainties]
    if len(set(seen)) != len(seen):
        raise ParameterError(f"{source}: a parameter is named twice among the uncertainties ({seen})")
    for sc in scenarios:
        clash = sorted(sc.fixed_parameters() & set(seen))
        if clash:
            raise ParameterError(f"{source}: lever {sc.path!r} sets {clash}, which the design varies; "
                                 "remove them from the scenario or from the uncertainties")
    listed = None
    if sampler == "list":
        listed = _listed_points(source, data.get("point"), seen)
        uncertainties = tuple(replace(u, bounds=(min(col), max(col)), values=tuple(col))
                              for u, col in zip(uncertainties, zip(*listed, strict=True), strict=True))
        for u in uncertainties:
            for v in u.values:
                _inside(source, u.name, "value", v, schema[u.name])
    elif "point" in data:
        raise ParameterError(f"{source}: [[point]] tables are for the list sampler, not {sampler}")
    run = data.get("run", {})
    if not isinstance(run, dict):
        raise ParameterError(f"{source}: [run] must be a table")
    if sampler == "morris" and any(u.distribution != "uniform" for u in uncertainties):
        raise ParameterError(f"{source}: the morris sampler needs uniform distributions (its levels are "
                             "a grid over low..high)")
    try:
        points = draw_points(uncertainties, sampler, samples, sample_seed, second_order, levels, listed)
    except ValueError as exc:
        raise ParameterError(f"{source}: the {sampler} sampler refused the design: {exc}") from None
    design = Design(source, str(head.get("name", Path(path).stem)), str(head.get("description", "")),
                    sampler, samples, sample_seed, second_order, levels, seeds, scenarios, dict(run),
                    uncertainties, points)
    for i in range(len(points)):
        for sc in scenarios:
            try:
                Parameters.from_dict(design.scenario_at(sc, i).changes)
            except ParameterError as exc:
                values = dict(zip(seen, points[i].tolist(), strict=True))
                raise ParameterError(f"{source}: point {i} ({values}) with lever {sc.name!r}: "
                                     f"{exc}") from None
    return design


def _listed_points(source: str, entries: Any, names: list[str]) -> list[list[float]]:
    """The points of a list design, each with exactly the uncertain parameters."""
    if not isinstance(entries, list) or not entries:
        raise ParameterError(f"{source}: the list sampler needs one or more [[point]] tables")
    rows = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != set(names):
            got = sorted(entry) if isinstance(entry, dict) else entry
            raise ParameterError(f"{source}: [[point]] {i} gives {got}; expected exactly the uncertainties "
                                 f"{names}")
        rows.append([_number(source, f"[[point]] {i} {n}", entry[n]) for n in names])
    return rows
