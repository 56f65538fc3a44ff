"""The runs of a comparison: planning (what to compute, what to reuse), and executing them in a pool.

Each (scenario, seed) run is a pure function of the scenario and the settings (:func:`run_one`)
returning the tidy indicator columns; its file is written atomically with a description of the run in
its Parquet metadata (:func:`run_meta`), which a rerun compares to decide what it may reuse. See
:mod:`experiments.compare` for the command and the layout of its folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from experiments.folders import check_results_folder
from experiments.pool import MODEL_PRELOAD, Stopped, run_parallel
from experiments.runner import git_revision, run_scenario, version
from experiments.scenario import Scenario, load_scenario
from experiments.writers import META_KEY, write_run_file
from sim.chains import DISCARD, START_CAUSES
from sim.codes import DWELLING_TYPES
from sim.outputs import RESULTS_VERSION
from sim.params import ParameterError, RunSettings

MARKER = "compare.json"
"""The description of the comparison in its folder (settings, scenarios, status)."""

FORMAT_VERSION = 3
"""Version of the run files; a file with another version is recomputed (3: a comparison's runs carry
detail rows, see :func:`detail_columns`)."""

DETAIL_PREFIXES = ("flow.", "chain_links_mean.", "chains_ended.")
"""Rows of a comparison's run files beside the registry's indicators (:func:`detail_columns`)."""

SETTING_KEYS = ("scale", "start_year", "end_year", "steps_per_year")
"""Run settings shared by all runs of a comparison (the seed varies)."""

PRELOAD = MODEL_PRELOAD
"""What the forkserver of the local workers imports before the first run (the model)."""


@dataclass(frozen=True)
class RunTask:
    """One (scenario, seed) run: what to compute and where its file goes.

    Attributes:
        scenario: The loaded scenario.
        settings: Run settings including the seed.
        path: Destination of the run file (``DIR/runs/<scenario>/seed_<n>.parquet``).
        meta: Description stored in the file's metadata and checked on a rerun.
    """

    scenario: Scenario
    settings: RunSettings
    path: str
    meta: dict


@dataclass(frozen=True)
class Plan:
    """A checked comparison: scenarios, settings, seeds, output folder and the runs it needs.

    Attributes:
        scenarios: Baseline first, then the policies.
        settings: Shared settings (``seed`` is a placeholder; runs use ``1..seeds``).
        seeds: Number of seeds.
        workers: Number of worker processes.
        out: Output folder.
        tasks: All runs, in scenario then seed order.
        present: Indices into ``tasks`` of the runs whose file is present and matches.
        info: Content of ``compare.json``.
        stale: Index into ``tasks`` -> why a file present there is recomputed.
    """

    scenarios: tuple[Scenario, ...]
    settings: RunSettings
    seeds: int
    workers: int
    out: Path
    tasks: tuple[RunTask, ...]
    present: frozenset[int]
    info: dict
    stale: dict[int, str] = field(default_factory=dict)


def _sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _sha256_json(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def parameters_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's resolved parameters (defaults plus its changes), as canonical JSON."""
    return _sha256_json(scenario.parameters().to_dict())


def dated_changes(scenario: Scenario) -> list[dict]:
    """The scenario's dated changes as ``{"year": ..., group: {name: value}}``, in order."""
    return [{"year": year, **changes} for year, changes in scenario.dated]


def dated_changes_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's dated changes, as canonical JSON."""
    return _sha256_json(dated_changes(scenario))


def check_name(scenario: Scenario) -> None:
    """Refuses a scenario name that cannot be a folder name under runs/."""
    name = scenario.name
    if (not name or name in (".", "..") or name.startswith(".") or any(c in name for c in "/\\\0")
            or name != name.strip()):
        raise ParameterError(
            f"scenario {scenario.path!r}: name {name!r} cannot be used as a folder name under runs/ "
            "(no '/', '\\', leading '.' or surrounding spaces); change [scenario] name"
        )


def resolve_settings(scenarios: Sequence[Scenario], options: dict) -> RunSettings:
    """The settings shared by all runs (see the module docstring for the order of precedence).

    Args:
        scenarios: Baseline first.
        options: ``scale``, ``start_year``, ``end_year``, ``steps_per_year`` from the command line;
            ``None`` where not given.

    Raises:
        ParameterError: For an impossible value, or a policy whose ``[run]`` table disagrees with
            the shared settings on a setting not given on the command line.
    """
    given = {k: options[k] for k in SETTING_KEYS if options.get(k) is not None}
    values = asdict(RunSettings())
    values.update({k: v for k, v in scenarios[0].run.items() if k in SETTING_KEYS})
    values.update(given)
    for sc in scenarios[1:]:
        for key in SETTING_KEYS:
            if key in sc.run and key not in given and sc.run[key] != values[key]:
                flag = "--" + key.replace("_year", "").replace("_", "-")
                raise ParameterError(
                    f"scenario {sc.path!r} sets [run] {key} = {sc.run[key]!r} but the baseline "
                    f"{scenarios[0].path!r} gives {key} = {values[key]!r}; paired runs need the same "
                    f"settings: give {flag} on the command line or make the files agree"
                )
    values["seed"] = 1
    return RunSettings(**values)


def run_meta(scenario: Scenario, settings: RunSettings) -> dict:
    """The identity of one run, stored in its file and compared on a rerun.

    It covers everything that determines the run's result: the resolved parameters, every dated
    change, the run settings and seed, and the model's results version
    (:data:`sim.outputs.RESULTS_VERSION`, raised whenever results change on purpose). The hash of
    the scenario file is kept for the record (comments may change without changing a result).
    """
    return {
        "format": FORMAT_VERSION,
        "results_version": RESULTS_VERSION,
        "scenario": scenario.name,
        "parameters_sha256": parameters_hash(scenario),
        "dated_changes_sha256": dated_changes_hash(scenario),
        "scenario_file_sha256": _sha256_file(scenario.path) if scenario.path else None,
        "seed": settings.seed,
        **{k: getattr(settings, k) for k in SETTING_KEYS},
    }


CHECKED_META = {
    "format": "written by another version of compare",
    "details": "with other detail rows",
    "results_version": "made with another results version of the model",
    "scenario": "another scenario",
    "parameters_sha256": "the scenario's parameters changed",
    "dated_changes_sha256": "the scenario's dated changes changed",
    "seed": "another seed",
    **{k: f"another {k.replace('_', ' ')}" for k in SETTING_KEYS},
}
"""Metadata that must match for a run file to be reused, with the reason given when it does not."""


def read_run_meta(path: str | Path) -> dict | None:
    """The run description stored in a run file, or ``None`` if the file cannot be read whole."""
    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {})[META_KEY])
    except (OSError, KeyError, ValueError, TypeError):
        return None
    if set(table.column_names) != {"year", "indicator", "value"} or not isinstance(meta, dict):
        return None
    return meta


def mismatch(found: dict, wanted: dict) -> list[str]:
    """Why a stored run cannot be reused: one phrase per part of its identity that differs."""
    out = []
    for key, why in CHECKED_META.items():
        if found.get(key) != wanted.get(key):
            was = "" if key.endswith("sha256") else f" ({found.get(key)!r}, now {wanted.get(key)!r})"
            out.append(why + was)
    return out


def stored_run(path: Path, meta: dict) -> str | None:
    """Whether a stored run may be reused.

    Returns:
        ``None`` if there is no file, ``""`` if it matches ``meta``, else why it is recomputed.
    """
    if not path.exists():
        return None
    found = read_run_meta(path)
    return "the file cannot be read" if found is None else "; ".join(mismatch(found, meta))


def stored_runs(tasks: Sequence[RunTask]) -> tuple[frozenset[int], dict[int, str]]:
    """Which runs are stored and match (their indices), and why the other stored ones are recomputed."""
    present, stale = set(), {}
    for i, task in enumerate(tasks):
        why = stored_run(Path(task.path), task.meta)
        if why == "":
            present.add(i)
        elif why is not None:
            stale[i] = why
    return frozenset(present), stale


def plan_comparison(
    scenario_files: Sequence[str],
    seeds: int,
    out: str | Path,
    options: dict | None = None,
    workers: int | None = None,
) -> Plan:
    """Checks every input and lists the runs, before any run starts.

    Args:
        scenario_files: Baseline first, then at least one policy.
        seeds: Number of seeds (runs use seeds ``1..seeds``).
        out: Output folder.
        options: Command-line run settings (see :func:`resolve_settings`).
        workers: Worker processes; default ``min(2, os.cpu_count())``.

    Returns:
        The plan, with the runs already present in ``out`` that may be reused, and the reasons why
        the others present are recomputed.

    Raises:
        ParameterError: Naming the bad value: a missing or invalid scenario file, fewer than two
            scenarios, two scenarios with the same name, ``seeds`` or ``workers`` below 1, or a bad
            ``out``.
    """
    files = list(scenario_files)
    if len(files) < 2:
        raise ParameterError(
            f"compare needs a baseline and at least one policy scenario; got {len(files)}: {files}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ParameterError(f"--seeds {seeds!r}: expected an integer of at least 1")
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"--workers {workers!r}: expected an integer of at least 1")
    scenarios = tuple(load_scenario(f) for f in files)
    seen: dict[str, str] = {}
    for sc in scenarios:
        check_name(sc)
        if sc.name in seen:
            raise ParameterError(
                f"scenarios {seen[sc.name]!r} and {sc.path!r} have the same name {sc.name!r}; "
                "give each a distinct [scenario] name"
            )
        seen[sc.name] = sc.path
    settings = resolve_settings(scenarios, options or {})
    out = check_results_folder(out, "compare")
    tasks = []
    for sc in scenarios:
        for seed in range(1, seeds + 1):
            s = replace(settings, seed=seed)
            path = out / "runs" / sc.name / f"seed_{seed}.parquet"
            tasks.append(RunTask(sc, s, str(path), {**run_meta(sc, s), "details": True}))
    present, stale = stored_runs(tasks)
    return Plan(scenarios, settings, seeds, workers, out, tuple(tasks), present,
                compare_info(scenarios, settings, seeds, workers), stale)


def compare_info(scenarios: Sequence[Scenario], settings: RunSettings, seeds: int,
                 workers: int) -> dict:
    """The content of ``compare.json`` when the command starts."""
    return {
        "command": "doorstroom compare",
        "status": "running",
        "baseline": scenarios[0].name,
        "policies": [sc.name for sc in scenarios[1:]],
        "scenarios": [{"name": sc.name, "file": str(Path(sc.path).resolve()),
                       "file_sha256": _sha256_file(sc.path), "parameters_sha256": parameters_hash(sc),
                       "description": sc.description, "description_nl": sc.description_nl,
                       "changes": sc.changes,
                       "dated_changes": dated_changes(sc)} for sc in scenarios],
        "seeds": list(range(1, seeds + 1)),
        "settings": {k: getattr(settings, k) for k in SETTING_KEYS},
        "results_version": RESULTS_VERSION,
        "doorstroom_version": version(),
        "git_revision": git_revision(),
        "workers": workers,
        "interval": "95% Student t interval of the paired per-seed differences (n - 1 df)",
        "argv": sys.argv,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


class ChainTally:
    """A chain sink that keeps, per year and start cause, the chains that ended and their links.

    Given to the model in place of :data:`sim.chains.DISCARD`, it sums the weight (national scale)
    and the weighted number of links of the chains handed to it at each year's end, by the year the
    chain ended and the cause that started it; the links themselves are dropped, and so are chains
    still running at the end of the run (end cause ``open``), as in the indicator ``chain_links_mean``.
    """

    def __init__(self):
        self.weight: dict[tuple[int, str], float] = {}
        self.link_sums: dict[tuple[int, str], float] = {}

    def chains(self, columns: dict[str, np.ndarray]) -> None:
        """Adds ended chains (the columns of :meth:`sim.chains.ChainBook.chains_table`)."""
        ended = np.asarray(columns["end_cause"]) != "open"  # right-censored at the run's end: not ended
        w = np.asarray(columns["weight"], np.float64)[ended]
        n = np.asarray(columns["n_links"], np.float64)[ended]
        years, causes = np.asarray(columns["end_year"])[ended], np.asarray(columns["start_cause"])[ended]
        for year, cause, wi, ni in zip(years, causes, w, n, strict=True):
            key = (int(year), str(cause))
            self.weight[key] = self.weight.get(key, 0.0) + wi
            self.link_sums[key] = self.link_sums.get(key, 0.0) + wi * ni

    def links(self, columns: dict[str, np.ndarray]) -> None:
        """Drops the links."""


def detail_columns(model, tally: ChainTally) -> dict[str, np.ndarray]:
    """Rows a comparison keeps beside the indicators, in the same tidy form.

    ``flow.<from>.<to>``: households moving from one dwelling type (``none``: starters and
    immigrants) to another in the year, national scale, every pair of types; ``chain_links_mean.<cause>``
    and ``chains_ended.<cause>``: the weighted mean number of links and the number (national scale) of
    the vacancy chains that ended in the year, by the cause that started them (the mean is NaN where
    none ended). Over all causes the mean is the indicator ``chain_links_mean``.
    """
    start = model.settings.start_year
    names = (*DWELLING_TYPES, "none")
    years, rows, values = [], [], []
    for year in range(start, model.settings.end_year + 1):
        mat = model.flow_matrix.get(year)
        for i, src in enumerate(names):
            for j, dst in enumerate(DWELLING_TYPES):
                years.append(year)
                rows.append(f"flow.{src}.{dst}")
                values.append(0.0 if mat is None else float(mat[0, i, j]))
        for cause in START_CAUSES:
            w = tally.weight.get((year, cause), 0.0)
            years += [year, year]
            rows += [f"chain_links_mean.{cause}", f"chains_ended.{cause}"]
            values += [tally.link_sums[(year, cause)] / w if w > 0 else float("nan"), w]
    return {"year": np.asarray(years, np.int32), "indicator": np.asarray(rows, dtype=object),
            "value": np.asarray(values, np.float64)}


def run_one(scenario: Scenario, settings: RunSettings, details: bool = False) -> dict[str, np.ndarray]:
    """Runs one scenario with one seed; returns its tidy indicator columns.

    Args:
        scenario: The scenario.
        settings: Run settings, including the seed.
        details: Also the detail rows of :func:`detail_columns` (moves by dwelling type, chains by
            start cause), after the indicators.

    Returns:
        ``{"year": int32 array, "indicator": object array, "value": float64 array}``.
    """
    # run_scenario asks git for the revision; do not let parallel `git status` calls take the
    # repository's index lock.
    os.environ.setdefault("GIT_OPTIONAL_LOCKS", "0")
    tally = ChainTally() if details else DISCARD
    model, _manifest = run_scenario(scenario, settings, chain_sink=tally)
    columns = model.indicator_columns()
    if details:
        model.chains.spill(tally)  # the chains that ended in the last year
        extra = detail_columns(model, tally)
        columns = {k: np.concatenate([columns[k], extra[k]]) for k in columns}
    del model
    return columns


def compute_task(task: RunTask) -> float:
    """Computes one run and writes its file (the function given to the worker processes).

    Returns:
        The run's wall time in seconds.
    """
    t0 = time.perf_counter()
    columns = run_one(task.scenario, task.settings, details=task.meta.get("details", False))
    write_run_file(task.path, columns, task.meta)
    return time.perf_counter() - t0


def _fmt_seconds(s: float) -> str:
    s = max(0.0, s)
    if s < 90:
        return f"{s:.1f} s"
    if s < 5400:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def describe(task: RunTask) -> str:
    """A run as the log names it."""
    return f"{task.scenario.name} seed {task.settings.seed}"


def execute(plan: Plan, log: Callable[[str], None], describe: Callable[[RunTask], str] = describe,
            executor: Callable | None = None, seconds: list[float] | None = None) -> int:
    """Computes the runs of ``plan`` not yet present; logs one line per run.

    With one worker the runs go one by one in this process; with more, each run is a worker process
    (:func:`experiments.pool.run_parallel`), stopped at once on a signal or an error. Either way a
    run's file appears only when it is complete, so a stopped batch keeps its finished runs.

    Args:
        plan: The checked plan (any object with ``tasks``, ``present``, ``stale``, ``workers`` and
            ``out`` as :class:`Plan` has them).
        log: Receives the progress lines.
        describe: Names a run in the log.
        executor: Instead of the local processes: ``executor(todo, finished)`` computes the runs of
            ``todo``, writes their files and calls ``finished(task, seconds)`` as each ends (the Dask
            executor of :mod:`experiments.batch`).
        seconds: Receives each computed run's own wall time in seconds, when given.

    Returns:
        The number of runs computed.
    """
    total = len(plan.tasks)
    done = 0
    for i, task in enumerate(plan.tasks):
        if i in plan.present:
            done += 1
            log(f"  [{done}/{total}] {describe(task)}: skipped (already in {task.path})")
        elif i in plan.stale:
            log(f"  {describe(task)}: recomputing {task.path}: {plan.stale[i]}")
    todo = [t for i, t in enumerate(plan.tasks) if i not in plan.present]
    if not todo:
        return 0
    t0 = time.perf_counter()
    computed = 0

    def finished(task: RunTask, run_seconds: float) -> None:
        nonlocal done, computed
        if seconds is not None:
            seconds.append(run_seconds)
        done += 1
        computed += 1
        elapsed = time.perf_counter() - t0
        eta = elapsed / computed * (len(todo) - computed)
        log(f"  [{done}/{total}, {total - done} left] {describe(task)}: done in "
            f"{_fmt_seconds(run_seconds)} (elapsed {_fmt_seconds(elapsed)}, ETA "
            f"{_fmt_seconds(eta) if computed < len(todo) else '0 s'})")

    workers = min(plan.workers, len(todo))
    if executor is None:
        log(f"  computing {len(todo)} run(s) with {workers} worker(s)")
    try:
        if executor is not None:
            executor(todo, finished)
        elif workers == 1:
            for task in todo:
                finished(task, compute_task(task))
        else:
            run_parallel(todo, compute_task, workers, finished, describe=describe,
                         preload=PRELOAD)
    except BaseException as exc:
        why = f"stopped by {exc}" if isinstance(exc, Stopped) else "stopped by an error"
        log(f"  {why}: {done} of {total} runs are in {plan.out / 'runs'} (runs under way were "
            "discarded); rerun the same command to resume")
        raise
    return computed
