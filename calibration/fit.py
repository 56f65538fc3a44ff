"""The method of simulated moments: free parameters fitted so the model's moments meet the targets.

The objective is the sum of squared standardised gaps ``(model - target) / se`` over the targets used
for the fit. Every evaluation runs the model at the same seeds (common random numbers), and survey
moments are the expectations of the model's answers (:mod:`calibration.frame`), so the objective is
smooth enough in the parameters for a gradient method: ``scipy.optimize.least_squares`` (trust region
reflective, which keeps the parameters within their bounds), with a Jacobian by finite differences
whose evaluations run in parallel (:func:`experiments.pool.run_parallel`). scipy is already a
dependency and least squares is the form the objective has; a global or Bayesian search (optuna,
pyabc) would need hundreds of evaluations more for a smooth, nearly quadratic objective.

Every evaluation is stored atomically under ``evals/`` in the output folder, keyed by the parameter
values, the settings and the targets. The optimiser's path is deterministic, so a calibration that is
stopped and started again replays its finished evaluations from the store and ends where an
uninterrupted one ends.

Uncertainty: the covariance of the estimate is the sandwich ``(J'J)^-1 J' R J (J'J)^-1`` of the
Jacobian ``J`` of the standardised gaps at the optimum and the correlation ``R`` of the data's errors
(survey moments of one file share households: a household in the 55+ owners is also in the 65-74;
published figures are taken as independent, ``R = I``, which gives the curvature ``(J'J)^-1``). This is
the usual MSM covariance for weights ``1/se^2``. The model's moments of a survey have sampling noise
of their own (one simulated population); ``R`` is widened by ``1 + n_data / n_model`` for them.

A parameter whose standard error exceeds half its bounds' width, or whose column of ``J`` is near
zero, is reported as not identified by the targets; its variance inflation ``se^2 |J_j|^2`` (its
variance against that of the parameter fitted alone) above :data:`WEAK_VIF` says its effect on the
moments is nearly that of other parameters: weakly identified.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from agents.model import DoorstroomModel
from calibration.frame import link_frame, model_frame, moved_since, person_frame
from calibration.targets import RunView, Target, model_value
from experiments.pool import run_parallel
from experiments.writers import atomic_write_bytes
from sim.outputs import RESULTS_VERSION
from sim.params import GROUPS, Parameters, RunSettings

POPULATION_YEAR = 2025
WEAK_VIF = 10.0
"""Variance inflation above which a parameter is reported as weakly identified (a common rule of thumb
for collinearity)."""
_LABEL = re.compile(r"^([a-z_]+)\.([a-z_0-9]+)(?:\[(\d+)\])?$")


class CalibrationError(ValueError):
    """A calibration set-up is not usable (free parameters, targets, settings)."""


@dataclass(frozen=True)
class FreeParameter:
    """One free number: a parameter, or one element of a tuple parameter, within bounds."""

    group: str
    name: str
    index: int | None
    low: float
    high: float
    start: float

    @property
    def label(self) -> str:
        """``group.name`` or ``group.name[index]``."""
        return f"{self.group}.{self.name}" + ("" if self.index is None else f"[{self.index}]")


def free_parameter(spec: dict, base: Parameters) -> FreeParameter:
    """A free parameter from its specification ``{parameter, bounds?, start?}``.

    Bounds default to the parameter schema's; the start to the parameter's value in ``base``.

    Raises:
        CalibrationError: For an unknown parameter or index, or a parameter without finite bounds.
    """
    label = spec.get("parameter", "")
    m = _LABEL.match(str(label))
    if not m:
        raise CalibrationError(f"free parameter {label!r}: expected 'group.name' or 'group.name[i]'")
    group, name, idx = m.group(1), m.group(2), m.group(3)
    by_group = {g.group_name(): g for g in GROUPS}
    if group not in by_group:
        raise CalibrationError(f"free parameter {label!r}: no group {group!r}; groups: {sorted(by_group)}")
    fields = {f.name: f for f in dataclasses.fields(by_group[group])}
    if name not in fields:
        raise CalibrationError(f"free parameter {label!r}: {group} has no parameter {name!r}")
    value = getattr(getattr(base, group), name)
    index = None if idx is None else int(idx)
    if isinstance(value, tuple) != (index is not None) or (index is not None and index >= len(value)):
        raise CalibrationError(f"free parameter {label!r}: {group}.{name} = {value!r}; give an index "
                               "for a tuple (within its length) and none for a number")
    current = value[index] if index is not None else value
    if isinstance(current, bool) or not isinstance(current, float):
        raise CalibrationError(f"free parameter {label!r}: value {current!r} is not a real number "
                               "(whole-number and yes/no parameters cannot be fitted)")
    schema = fields[name].metadata.get("bounds", (None, None))
    bounds = spec.get("bounds", schema)
    if not isinstance(bounds, list | tuple) or len(bounds) != 2:
        raise CalibrationError(f"free parameter {label!r}: bounds {bounds!r}; expected [low, high]")
    low, high = bounds
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise CalibrationError(f"free parameter {label!r}: bounds {[low, high]}; a free parameter "
                               "needs finite bounds, low < high (give 'bounds' in the calibration file)")
    start = float(spec.get("start", current))
    if not low <= start <= high:
        raise CalibrationError(f"free parameter {label!r}: start {start} outside its bounds {[low, high]}")
    return FreeParameter(group, name, index, float(low), float(high), start)


def overrides(free: list[FreeParameter], theta, base: Parameters) -> dict:
    """``{group: {name: value}}`` of ``base`` with the free numbers set to ``theta``."""
    data = base.to_dict()
    for p, x in zip(free, theta, strict=True):
        if p.index is None:
            data[p.group][p.name] = float(x)
        else:
            data[p.group][p.name][p.index] = float(x)
    return data


@dataclass(frozen=True)
class Evaluation:
    """One model run for the fit: parameters, settings and the targets whose values it computes."""

    params: dict
    scale: float
    seed: int
    targets: tuple[Target, ...]


def run_evaluation(ev: Evaluation) -> dict[str, float]:
    """Runs the model for an evaluation and returns each target's model value (a worker's task).

    Survey frames of year ``Y`` are taken on 1 January ``Y`` (after the last step of ``Y - 1``;
    ``2025``: the population as built); indicators are read for their year.
    """
    follow = {(t.year, t.horizon_years) for t in ev.targets if t.statistic == "realisation"}
    frame_years = {t.year for t in ev.targets if t.statistic == "survey_share"} | {y for y, _ in follow}
    person_years = {t.year for t in ev.targets if t.statistic == "person_share"}
    ind_years = {t.year for t in ev.targets
                 if t.statistic not in ("survey_share", "realisation", "person_share")}
    end = max([POPULATION_YEAR, *ind_years, *(y - 1 for y in frame_years | person_years),
               *(y + h - 1 for y, h in follow)])
    model = DoorstroomModel(Parameters.from_dict(ev.params),
                            RunSettings(scale=ev.scale, seed=ev.seed, end_year=end))
    frames, moved, persons = {}, {}, {}
    if POPULATION_YEAR in frame_years:
        frames[POPULATION_YEAR] = model_frame(model)
    if POPULATION_YEAR in person_years:
        persons[POPULATION_YEAR] = person_frame(model)
    spy = model.settings.steps_per_year
    while model.running:
        model.step()
        steps_done = model.step_index + 1
        if steps_done % spy == 0:
            year = POPULATION_YEAR + steps_done // spy  # 1 January of this year
            for y, h in follow:
                if y + h == year:
                    moved[(y, h)] = moved_since(model, frames[y], h * spy)
            if year in frame_years:
                frames[year] = model_frame(model)
            if year in person_years:
                persons[year] = person_frame(model)
    indicators = {(y, n): v for y, n, v in model.records}
    links = link_frame(model) if any(t.statistic == "link_share" for t in ev.targets) else None
    view = RunView(indicators, frames, moved, links, persons)
    return {t.name: model_value(view, t) for t in ev.targets}


class Calibration:
    """A fit of free parameters to targets, with its store of evaluations (see the module docstring).

    Args:
        targets: All targets; those with ``use == "fit"`` enter the objective.
        free: The free parameters.
        base: Parameter values of everything not free.
        scale: Sample fraction of every evaluation.
        seeds: Seeds of every evaluation (model values are their mean).
        out: Folder of the calibration (``evals/`` is the store).
        workers: Worker processes.
        fd_step: Finite-difference step as a share of each parameter's bounds' width.
        log: Called with a line of progress.
        correlation: Correlations of the data's errors between targets, ``{(name, name): r}``
            (survey moments of one file: :func:`calibration.woon.survey_correlation`); others are
            taken as independent.
        simulation_ratio: By target name, households behind the data's moment over households
            behind the model's (all seeds); the standard errors count the model's sampling noise
            with it. Missing: 0 (a register figure against a model moment of many households).
    """

    def __init__(self, targets: list[Target], free: list[FreeParameter], base: Parameters, scale: float,
                 seeds: list[int], out: Path, workers: int = 2, fd_step: float = 0.01,
                 log: Callable[[str], None] = print,
                 correlation: dict[tuple[str, str], float] | None = None,
                 simulation_ratio: dict[str, float] | None = None):
        self.targets, self.free, self.base = list(targets), list(free), base
        self.fit_targets = [t for t in self.targets if t.use == "fit"]
        if len(self.fit_targets) < len(self.free):
            raise CalibrationError(f"{len(self.fit_targets)} targets to fit {len(self.free)} free "
                                   "parameters: expected at least as many targets as parameters")
        self.scale, self.seeds, self.out = scale, list(seeds), Path(out)
        self.workers, self.fd_step, self.log = workers, fd_step, log
        self.correlation = dict(correlation or {})
        self.simulation_ratio = dict(simulation_ratio or {})
        self.store = self.out / "evals"
        self.trace: list[dict] = []
        self.evaluations = {"run": 0, "stored": 0}
        self._memo: dict[str, dict[str, float]] = {}
        # the key of an evaluation: what decides its model values. The free numbers' values in ``base``
        # are left out (each evaluation sets them), so a calibration whose fitted values became the
        # base (the baseline's) finds its evaluations again; a target's note changes no value.
        fixed = base.to_dict()
        for p in self.free:
            if p.index is None:
                fixed[p.group][p.name] = None
            else:
                fixed[p.group][p.name][p.index] = None
        self._fingerprint = json.dumps({
            "targets": [{k: v for k, v in dataclasses.asdict(t).items() if k != "note"}
                        for t in self.targets],
            "scale": scale, "seeds": self.seeds, "base": fixed, "free": [p.label for p in self.free],
            "results": RESULTS_VERSION,
        }, sort_keys=True, default=str)

    # --- evaluations ------------------------------------------------------------------------
    def _key(self, theta) -> str:
        text = self._fingerprint + json.dumps([float(x).hex() for x in theta])
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def values(self, thetas: list[np.ndarray]) -> list[dict[str, float]]:
        """Model values of every target at each parameter vector (stored ones read, others run)."""
        keys = [self._key(t) for t in thetas]
        todo = {}
        for key, theta in zip(keys, thetas, strict=True):
            if key in self._memo or key in todo:
                continue
            path = self.store / f"{key}.json"
            if path.is_file():
                self._memo[key] = json.loads(path.read_text())["values"]
                self.evaluations["stored"] += 1
            else:
                todo[key] = theta
        tasks = [(key, seed, Evaluation(overrides(self.free, theta, self.base), self.scale, seed,
                                        tuple(self.targets)))
                 for key, theta in todo.items() for seed in self.seeds]
        results: dict[str, list[dict]] = {k: [] for k in todo}

        def done(task, result) -> None:
            key = task[0]
            results[key].append(result)
            if len(results[key]) == len(self.seeds):
                mean = {n: float(np.mean([r[n] for r in results[key]])) for n in results[key][0]}
                record = {"theta": [float(x) for x in todo[key]],
                          "free": [p.label for p in self.free], "values": mean}
                atomic_write_bytes(self.store / f"{key}.json", json.dumps(record).encode())
                self._memo[key] = mean
                self.evaluations["run"] += 1

        if tasks:
            t0 = time.perf_counter()
            run_parallel(tasks, _task, self.workers, done, describe=lambda t: f"evaluation {t[0]}")
            self.log(f"  {len(todo)} evaluation(s) run in {time.perf_counter() - t0:.1f} s "
                     f"({self.evaluations['run']} run, {self.evaluations['stored']} from the store)")
        return [self._memo[k] for k in keys]

    def gaps(self, values: dict[str, float], targets: list[Target] | None = None) -> np.ndarray:
        """Standardised gaps ``(model - target) / se`` of the fit targets (or ``targets``)."""
        ts = self.fit_targets if targets is None else targets
        return np.array([(values[t.name] - t.value) / t.se for t in ts])

    # --- the fit ------------------------------------------------------------------------------
    def _steps(self, theta) -> np.ndarray:
        lo = np.array([p.low for p in self.free])
        hi = np.array([p.high for p in self.free])
        h = self.fd_step * (hi - lo)
        return np.where(theta + h > hi, -h, h)  # step backwards at the upper bound

    def _fun(self, theta) -> np.ndarray:
        r = self.gaps(self.values([np.asarray(theta, float)])[0])
        self.trace.append({"evaluation": len(self.trace) + 1, "objective": float(r @ r),
                           **{p.label: float(x) for p, x in zip(self.free, theta, strict=True)}})
        self.log(f"objective {r @ r:12.4f} at " + ", ".join(
            f"{p.label}={x:.4g}" for p, x in zip(self.free, theta, strict=True)))
        return r

    def _correlation(self) -> np.ndarray:
        """Correlation of the data's errors over the targets fitted (identity where none is known)."""
        names = [t.name for t in self.fit_targets]
        r = np.eye(len(names))
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                if i != j:
                    r[i, j] = self.correlation.get((a, b), self.correlation.get((b, a), 0.0))
        # the model's moments carry their own sampling noise, independent of the data's and alike in
        # structure: (1 + n_data / n_model) times the data's (the usual MSM factor)
        inflate = np.sqrt(1.0 + np.array([self.simulation_ratio.get(n, 0.0) for n in names]))
        return r * np.outer(inflate, inflate)

    def jacobian(self, theta) -> np.ndarray:
        """Forward-difference Jacobian of the standardised gaps (its evaluations in parallel)."""
        theta = np.asarray(theta, float)
        h = self._steps(theta)
        points = [theta] + [theta + np.eye(len(theta))[j] * h[j] for j in range(len(theta))]
        vals = self.values(points)
        r0 = self.gaps(vals[0])
        return np.column_stack([(self.gaps(v) - r0) / h[j] for j, v in enumerate(vals[1:])])

    def fit(self, max_evaluations: int = 40) -> dict:
        """Fits the free parameters; returns estimates, standard errors and the targets' gaps."""
        x0 = np.array([p.start for p in self.free])
        lo = np.array([p.low for p in self.free])
        hi = np.array([p.high for p in self.free])
        res = least_squares(self._fun, x0, jac=self.jacobian, bounds=(lo, hi), method="trf",
                            x_scale="jac", max_nfev=max_evaluations, xtol=1e-6, ftol=1e-8)
        jac = self.jacobian(res.x)
        bread = np.linalg.pinv(jac.T @ jac)
        # sandwich: the data's gaps are correlated where survey moments share households (R)
        cov = bread @ jac.T @ self._correlation() @ jac @ bread
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        col = np.linalg.norm(jac, axis=0)
        params = []
        for j, p in enumerate(self.free):
            identified = bool(col[j] > 1e-8 and se[j] < 0.5 * (p.high - p.low))
            # variance inflation: the variance against that of the parameter fitted alone (1/|J_j|^2),
            # both for independent moments (a measure of collinearity)
            vif = float(bread[j, j] * col[j] ** 2)
            params.append({"parameter": p.label, "start": p.start, "estimate": float(res.x[j]),
                           "se": float(se[j]), "vif": vif, "low": p.low, "high": p.high,
                           "at_bound": bool(np.isclose(res.x[j], p.low) or np.isclose(res.x[j], p.high)),
                           "identified": identified})
        values = self.values([res.x])[0]
        rows = [{"target": t.name, "group": t.group, "use": t.use, "data": t.value, "se": t.se,
                 "model": values[t.name], "gap_se": (values[t.name] - t.value) / t.se,
                 "source": t.source, "note": t.note or ""} for t in self.targets]
        r = self.gaps(values)
        return {"parameters": params, "targets": rows, "objective": float(r @ r),
                "degrees_of_freedom": len(self.fit_targets) - len(self.free),
                "converged": bool(res.status > 0), "message": str(res.message),
                "optimiser_evaluations": int(res.nfev), "evaluations": dict(self.evaluations),
                "trace": self.trace}


def _task(task) -> dict[str, float]:
    return run_evaluation(task[2])
