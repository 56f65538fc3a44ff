"""The runs of a comparison: planning (what to compute, what to reuse), and executing them in a pool.

Each (scenario, seed) run is a pure function of the scenario and the settings (:func:`run_one`)
returning the tidy indicator columns; its file is written atomically with a description of the run in
its Parquet metadata (:func:`run_meta`), which a rerun compares to decide what it may reuse. See
:mod:`experiments.compare` for the command and the layout of its folder.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from experiments.runner import ensure_parent, run_scenario
from experiments.scenario import Scenario, load_scenario
from experiments.writers import META_KEY, write_run_file
from sim.params import ParameterError, RunSettings

MARKER = "compare.json"
"""File that identifies a folder as ``doorstroom compare`` output."""

FORMAT_VERSION = 1
"""Version of the run-file metadata; a file with another version is not reused."""

SETTING_KEYS = ("scale", "start_year", "end_year", "steps_per_year")
"""Run settings shared by all runs of a comparison (the seed varies)."""


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
    """

    scenarios: tuple[Scenario, ...]
    settings: RunSettings
    seeds: int
    workers: int
    out: Path
    tasks: tuple[RunTask, ...]
    present: frozenset[int]
    info: dict


def _sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def parameters_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's resolved parameters (defaults plus its changes), as canonical JSON."""
    text = json.dumps(scenario.parameters().to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def check_compare_dir(out: str | Path) -> Path:
    """Checks that ``out`` can hold comparison results, before any work is done.

    Accepted: a folder that does not exist yet (its parent is created), an empty folder, or a folder
    holding an earlier comparison (``compare.json``), whose finished runs may then be reused.

    Raises:
        ParameterError: If ``out`` is a file, a non-empty folder of something else, or not writable.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {str(out)!r} is a file; expected a folder for the comparison")
    if out.is_dir() and any(out.iterdir()):
        marker = out / MARKER
        if not marker.is_file():
            raise ParameterError(
                f"--out {str(out)!r} is a non-empty folder without doorstroom compare results "
                f"({MARKER}); refusing to write into it: choose a new or empty folder"
            )
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ParameterError(f"--out {str(out)!r}: {MARKER} cannot be read ({exc}); "
                                 "choose a new folder") from None
        if not isinstance(info, dict) or info.get("command") != "doorstroom compare":
            raise ParameterError(f"--out {str(out)!r}: {MARKER} was not written by doorstroom "
                                 "compare; choose a new or empty folder")
    parent = ensure_parent(out)
    target = out if out.is_dir() else parent
    if not os.access(target, os.W_OK):
        raise ParameterError(f"--out {str(out)!r}: folder {str(target)!r} is not writable")
    return out


def _check_name(scenario: Scenario) -> None:
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


def run_meta(scenario: Scenario, settings: RunSettings, params_sha: str, file_sha: str) -> dict:
    """The description of one run stored in its file and compared on a rerun."""
    return {
        "format": FORMAT_VERSION,
        "scenario": scenario.name,
        "parameters_sha256": params_sha,
        "scenario_file_sha256": file_sha,
        "seed": settings.seed,
        **{k: getattr(settings, k) for k in SETTING_KEYS},
    }


CHECKED_META = ("format", "scenario", "parameters_sha256", "seed", *SETTING_KEYS)
"""Metadata that must match for a run file to be reused (the file hash is kept for the record)."""


def read_run_meta(path: str | Path) -> dict | None:
    """The run description stored in a run file, or ``None`` if the file cannot be read."""
    try:
        meta = pq.read_schema(path).metadata or {}
        return json.loads(meta[META_KEY])
    except (OSError, KeyError, ValueError, TypeError):
        return None


def _mismatch(found: dict, wanted: dict) -> list[str]:
    return [f"{k} = {found.get(k)!r} (this command: {wanted[k]!r})"
            for k in CHECKED_META if found.get(k) != wanted[k]]


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
        The plan, with the runs already present in ``out``.

    Raises:
        ParameterError: Naming the bad value: a missing or invalid scenario file, fewer than two
            scenarios, two scenarios with the same name, ``seeds`` or ``workers`` below 1, a bad
            ``out``, or a run file in ``out`` made with other settings.
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
        _check_name(sc)
        if sc.name in seen:
            raise ParameterError(
                f"scenarios {seen[sc.name]!r} and {sc.path!r} have the same name {sc.name!r}; "
                "give each a distinct [scenario] name"
            )
        seen[sc.name] = sc.path
    settings = resolve_settings(scenarios, options or {})
    out = check_compare_dir(out)

    tasks, present, mismatches = [], set(), []
    for sc in scenarios:
        params_sha, file_sha = parameters_hash(sc), _sha256_file(sc.path)
        for seed in range(1, seeds + 1):
            s = replace(settings, seed=seed)
            path = out / "runs" / sc.name / f"seed_{seed}.parquet"
            meta = run_meta(sc, s, params_sha, file_sha)
            if path.exists():
                found = read_run_meta(path)
                if found is not None:
                    bad = _mismatch(found, meta)
                    if bad:
                        mismatches.append(f"{path}: {', '.join(bad)}")
                    else:
                        present.add(len(tasks))
            tasks.append(RunTask(sc, s, str(path), meta))
    if mismatches:
        more = f" (and {len(mismatches) - 3} more)" if len(mismatches) > 3 else ""
        raise ParameterError(
            f"--out {str(out)!r} holds runs made with other settings or parameters, which would be "
            f"mixed into this comparison: {'; '.join(mismatches[:3])}{more}. Use a new --out folder "
            "or delete those files to recompute them"
        )
    info = {
        "command": "doorstroom compare",
        "status": "running",
        "baseline": scenarios[0].name,
        "policies": [sc.name for sc in scenarios[1:]],
        "scenarios": [{"name": sc.name, "file": str(Path(sc.path).resolve()),
                       "file_sha256": _sha256_file(sc.path), "parameters_sha256": parameters_hash(sc),
                       "description": sc.description, "changes": sc.changes} for sc in scenarios],
        "seeds": list(range(1, seeds + 1)),
        "settings": {k: getattr(settings, k) for k in SETTING_KEYS},
        "workers": workers,
        "interval": "95% Student t interval of the paired per-seed differences (n - 1 df)",
        "argv": sys.argv,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return Plan(scenarios, settings, seeds, workers, out, tuple(tasks), frozenset(present), info)


def run_one(scenario: Scenario, settings: RunSettings) -> dict[str, np.ndarray]:
    """Runs one scenario with one seed; returns its tidy indicator columns.

    Args:
        scenario: The scenario.
        settings: Run settings, including the seed.

    Returns:
        ``{"year": int32 array, "indicator": object array, "value": float64 array}``.
    """
    # run_scenario asks git for the revision; do not let parallel `git status` calls take the
    # repository's index lock.
    os.environ.setdefault("GIT_OPTIONAL_LOCKS", "0")
    model, _manifest = run_scenario(scenario, settings)
    columns = model.indicator_columns()
    del model
    return columns


def compute_task(task: RunTask) -> float:
    """Computes one run and writes its file (the function given to the worker processes).

    Returns:
        The run's wall time in seconds.
    """
    t0 = time.perf_counter()
    columns = run_one(task.scenario, task.settings)
    write_run_file(task.path, columns, task.meta)
    return time.perf_counter() - t0


def _pool_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _fmt_seconds(s: float) -> str:
    s = max(0.0, s)
    if s < 90:
        return f"{s:.1f} s"
    if s < 5400:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def execute(plan: Plan, log: Callable[[str], None]) -> int:
    """Computes the runs of ``plan`` not yet present; logs one line per run.

    Args:
        plan: The checked plan.
        log: Receives the progress lines.

    Returns:
        The number of runs computed.
    """
    total = len(plan.tasks)
    done = 0
    for i, task in enumerate(plan.tasks):
        if i in plan.present:
            done += 1
            log(f"  [{done}/{total}] {task.scenario.name} seed {task.settings.seed}: skipped "
                f"(already in {task.path})")
    todo = [t for i, t in enumerate(plan.tasks) if i not in plan.present]
    if not todo:
        return 0
    for t in todo:  # remove temporary files left by an interrupted earlier write
        for stale in Path(t.path).parent.glob(f".{Path(t.path).name}.tmp-*"):
            stale.unlink(missing_ok=True)
    t0 = time.perf_counter()
    computed = 0

    def finished(task: RunTask, seconds: float) -> None:
        nonlocal done, computed
        done += 1
        computed += 1
        elapsed = time.perf_counter() - t0
        eta = elapsed / computed * (len(todo) - computed)
        log(f"  [{done}/{total}] {task.scenario.name} seed {task.settings.seed}: done in "
            f"{_fmt_seconds(seconds)} (elapsed {_fmt_seconds(elapsed)}, "
            f"ETA {_fmt_seconds(eta) if computed < len(todo) else '0 s'})")

    workers = min(plan.workers, len(todo))
    log(f"  computing {len(todo)} run(s) with {workers} worker(s)")
    if workers == 1:
        try:
            for task in todo:
                finished(task, compute_task(task))
        except BaseException as exc:
            log(f"  {'interrupted' if isinstance(exc, KeyboardInterrupt) else 'stopped by an error'}: "
                f"{done} of {total} runs are in {plan.out / 'runs'}; rerun the same command to resume")
            raise
        return computed
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())
    try:
        pending = {executor.submit(compute_task, t): t for t in todo}
        while pending:
            finished_now, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(finished_now, key=lambda f: todo.index(pending[f])):
                task = pending.pop(fut)
                finished(task, fut.result())
    except BaseException as exc:
        # Runs already under way finish and keep their files; queued ones are dropped.
        interrupted = isinstance(exc, KeyboardInterrupt)
        executor.shutdown(wait=not interrupted, cancel_futures=True)
        log(f"  {'interrupted' if interrupted else 'stopped by an error'}: {done} of {total} runs "
            f"are in {plan.out / 'runs'}; rerun the same command to resume")
        raise
    executor.shutdown(wait=True)
    return computed
