"""A parameter design run as a batch of runs (``doorstroom batch DESIGN.toml --out DIR``).

``doorstroom batch DESIGN.toml --out DIR [--workers W] [--scheduler ADDRESS|local] [--scale X]
[--start Y] [--end Y] [--steps-per-year K]``

The design file (:mod:`experiments.design`) names the uncertain parameters, the levers (scenario
files), the seeds and a sampler. Every (point, lever, seed) is one run: the lever's scenario with the
point's values added to its changes, run with that seed. Every point and every lever runs with the
same seeds ``1..seeds``, so their random streams are shared (common random numbers) and differences
between points are not blurred by different luck.

**Executors.** By default the runs go to local worker processes (:mod:`experiments.pool`, as for
``doorstroom compare``). ``--scheduler ADDRESS`` sends them to an existing Dask distributed cluster
(``tcp://host:8786``); ``--scheduler local`` starts a Dask ``LocalCluster`` of ``--workers``
processes on this machine. With Dask, each run's indicator columns come back to this process, which
writes the run's file, so the workers need the model installed but no shared folder. Results do not
depend on the executor or the number of workers: a run is a pure function of its scenario, point and
seed, each run has its own file, and the results table is assembled from the files in plan order.

**Layout of DIR**::

    .doorstroom                  marker: a doorstroom batch folder
    batch.json                   the command, settings, counts, status ("running", then "complete")
    design.json                  the design: sampler, SALib problem, uncertainties with units, levers
    design.csv                   one row per point: point, then one column per uncertain parameter
    runs/<lever>/point_<p>_seed_<s>.parquet   tidy indicators of one run (year, indicator, value)
    results.parquet              every run: point, scenario, seed, the point's parameter values,
                                 year, indicator, value (``pandas.read_parquet(DIR/"results.parquet")``)

**Resuming.** Run files are written atomically and carry their identity (resolved parameters, seed,
settings, results version) in their metadata, as in a comparison (:mod:`experiments.runs`). Rerunning
the same command reuses every run whose file matches and computes the rest; a run whose file does not
match (an edited design, another version of the model) is recomputed, with a line saying why. The
results table is rewritten at the end of every invocation that completes.

**Progress.** One line per finished run on stderr: runs done and left, elapsed time and an estimate of
the time left; at the end a summary (runs computed and reused, the runs' own time, the machinery's
share of the wall time).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.design import Design, load_design
from experiments.folders import MARKER as FOLDER_MARKER
from experiments.folders import check_results_folder, folder_lock, marker_bytes, recover
from experiments.pool import start_server
from experiments.runner import git_revision, version
from experiments.runs import PRELOAD, SETTING_KEYS, RunTask, execute, run_meta, stored_runs
from experiments.writers import atomic_write_bytes, write_csv
from sim.outputs import RESULTS_VERSION
from sim.params import ParameterError, RunSettings

MARKER = "batch.json"
"""The description of the batch in its folder."""



@dataclass(frozen=True)
class BatchPlan:
    """A checked batch: the design, the settings, the runs, and which are already present.

    Attributes:
        design: The checked design with its points.
        settings: Shared run settings (``seed`` is a placeholder).
        workers: Worker processes (local pool or Dask ``LocalCluster``).
        scheduler: Dask scheduler address, ``"local"``, or ``None`` for the local pool.
        out: Output folder.
        tasks: Every run, by point, then lever, then seed.
        points: The point of each task.
        present: Indices into ``tasks`` of runs whose file is present and matches.
        stale: Index into ``tasks`` -> why a file present there is recomputed.
        info: Content of ``batch.json`` when the command starts.
    """

    design: Design
    settings: RunSettings
    workers: int
    scheduler: str | None
    out: Path
    tasks: tuple[RunTask, ...]
    points: tuple[int, ...]
    present: frozenset[int]
    stale: dict[int, str] = field(default_factory=dict)
    info: dict = field(default_factory=dict)


def batch_settings(design: Design, options: dict) -> RunSettings:
    """The settings of every run: the defaults, then the design's ``[run]``, then the command line.

    Raises:
        ParameterError: For an impossible value, or a lever whose own ``[run]`` table disagrees on a
            setting that neither the design nor the command line gives.
    """
    values = asdict(RunSettings())
    bad = sorted(set(design.run) - set(SETTING_KEYS))
    if bad:
        raise ParameterError(f"{design.path}: unknown key(s) {bad} in [run]; valid: {list(SETTING_KEYS)} "
                             "(the seeds are [design] seeds)")
    values.update(design.run)
    given = {k: options[k] for k in SETTING_KEYS if options.get(k) is not None}
    values.update(given)
    for sc in design.scenarios:
        for key in SETTING_KEYS:
            if key in sc.run and key not in given and key not in design.run and sc.run[key] != values[key]:
                raise ParameterError(f"lever {sc.path!r} sets [run] {key} = {sc.run[key]!r}; a batch's "
                                     f"settings come from the design's [run] table: set {key} there")
    values["seed"] = 1
    try:
        return RunSettings(**values)
    except TypeError as exc:
        raise ParameterError(f"{design.path}: bad [run] table: {exc}") from None


def run_path(out: Path, lever: str, point: int, seed: int) -> Path:
    """Where the run of one lever, point and seed is stored."""
    return out / "runs" / lever / f"point_{point:06d}_seed_{seed}.parquet"


def plan_batch(design_file: str | Path, out: str | Path, options: dict | None = None,
               workers: int | None = None, scheduler: str | None = None) -> BatchPlan:
    """Checks the design and the folder and lists the runs, before any run starts.

    Raises:
        ParameterError: Naming the bad value (see :mod:`experiments.design`), a bad ``workers`` or
            ``out``.
    """
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"--workers {workers!r}: expected an integer of at least 1")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ParameterError(f"--scheduler {scheduler!r}: expected a Dask scheduler address "
                             "(tcp://host:8786) or 'local'")
    design = load_design(design_file)
    settings = batch_settings(design, options or {})
    out = check_results_folder(out, "batch")
    tasks, points = [], []
    for p in range(len(design.points)):
        for sc in design.scenarios:
            at = design.scenario_at(sc, p)
            for seed in range(1, design.seeds + 1):
                s = replace(settings, seed=seed)
                path = str(run_path(out, sc.name, p, seed))
                tasks.append(RunTask(at, s, path, {**run_meta(at, s), "point": p}))
                points.append(p)
    present, stale = stored_runs(tasks)
    info = {
        "command": "doorstroom batch",
        "status": "running",
        "design": design.name,
        "design_file": str(Path(design_file).resolve()),
        "sampler": design.sampler,
        "points": len(design.points),
        "levers": [sc.name for sc in design.scenarios],
        "seeds": list(range(1, design.seeds + 1)),
        "runs": len(tasks),
        "settings": {k: getattr(settings, k) for k in SETTING_KEYS},
        "executor": "local processes" if scheduler is None else f"dask ({scheduler})",
        "workers": workers,
        "results_version": RESULTS_VERSION,
        "doorstroom_version": version(),
        "git_revision": git_revision(),
        "argv": sys.argv,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return BatchPlan(design, settings, workers, scheduler, out, tuple(tasks), tuple(points), present, stale,
                     info)


def describe_run(task: RunTask) -> str:
    """A run of a batch as the log names it."""
    return f"point {task.meta['point']} {task.scenario.name} seed {task.settings.seed}"


def results_table(plan: BatchPlan) -> pa.Table:
    """Every run's indicators with its point, lever, seed and the point's parameter values."""
    names = plan.design.names
    parts = []
    for task, point in zip(plan.tasks, plan.points, strict=True):
        table = pq.read_table(task.path, columns=["year", "indicator", "value"])
        n = table.num_rows
        cols = {
            "point": pa.array(np.full(n, point, np.int32)),
            "scenario": pa.array([task.scenario.name] * n, pa.string()),
            "seed": pa.array(np.full(n, task.settings.seed, np.int32)),
        }
        for j, name in enumerate(names):
            cols[name] = pa.array(np.full(n, plan.design.points[point, j], np.float64))
        cols.update({"year": table["year"], "indicator": table["indicator"], "value": table["value"]})
        parts.append(pa.table(cols))
    return pa.concat_tables(parts)


def design_rows(design: Design) -> list[dict]:
    """The rows of ``design.csv``: point, then the parameter values."""
    return [{"point": i, **dict(zip(design.names, row.tolist(), strict=True))}
            for i, row in enumerate(design.points)]


def _write_info(plan: BatchPlan, **extra) -> None:
    """Writes ``batch.json``: the plan's description with ``extra`` (status, counts, timings)."""
    info = {**plan.info, **extra}
    atomic_write_bytes(plan.out / MARKER, (json.dumps(info, indent=2, default=str) + "\n").encode())


def batch(design_file: str | Path, out: str | Path, options: dict | None = None, workers: int | None = None,
          scheduler: str | None = None, log: Callable[[str], None] | None = None) -> BatchPlan:
    """Runs a whole batch: check, compute missing runs, write the results table.

    Args:
        design_file: The design (TOML).
        out: Output folder.
        options: Command-line run settings (``scale``, ``start_year``, ``end_year``,
            ``steps_per_year``; ``None`` where not given).
        workers: Worker processes (default ``min(2, os.cpu_count())``).
        scheduler: Dask scheduler address, ``"local"``, or ``None`` for local processes.
        log: Receives progress lines (default: stderr).

    Returns:
        The plan.

    Raises:
        ParameterError: On bad input, before any run starts.
    """
    if log is None:
        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    check_results_folder(out, "batch")
    if scheduler is None and (workers is None or workers > 1):
        start_server(PRELOAD)  # the workers' server imports the model while the design is checked
    with folder_lock(out):
        for line in recover(out):
            log(f"doorstroom batch: {line}")
        plan = plan_batch(design_file, out, options, workers, scheduler)
        dask_runs = None
        if scheduler is not None:
            # Dask is imported only by the batches that use it (it takes a third of a second); a
            # scheduler that does not answer is refused before the folder is written
            dask_runs = importlib.import_module("experiments.dask_runs")
            dask_runs.check_scheduler(scheduler)
        d, s = plan.design, plan.settings
        log(f"doorstroom batch: design {d.name!r} ({d.sampler}, {len(d.points)} points, "
            f"{len(d.uncertainties)} parameters) x levers {[sc.name for sc in d.scenarios]} x seeds "
            f"1-{d.seeds}; scale {s.scale}, {s.start_year}-{s.end_year}, {s.steps_per_year} steps/year; "
            f"{len(plan.tasks) - len(plan.present)} of {len(plan.tasks)} runs to compute")
        plan.out.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(plan.out / FOLDER_MARKER, marker_bytes("batch"))
        _write_info(plan)  # "running" first: a stop before the end never leaves a new design "complete"
        atomic_write_bytes(plan.out / "design.json",
                           (json.dumps(d.to_json(), indent=2, default=str) + "\n").encode())
        write_csv(plan.out / "design.csv", ["point", *d.names], design_rows(d))
        run_seconds: list[float] = []
        executor = None if dask_runs is None else dask_runs.dask_executor(scheduler, plan.workers, log)
        t_runs = time.perf_counter()
        computed = execute(plan, log, describe=describe_run, executor=executor, seconds=run_seconds)
        wall_runs = time.perf_counter() - t_runs
        table = results_table(plan)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic_write_bytes(plan.out / "results.parquet", sink.getvalue().to_pybytes())
        wall = time.perf_counter() - t0
        own = sum(run_seconds)
        # the local workers, or the Dask cluster's (the executor counts them)
        used = min(getattr(executor, "workers", None) or plan.workers, max(computed, 1))
        # the machinery's share: the wall time of the computing phase beyond the runs' own time spread
        # over the workers (process start, pickling, writing, waiting for the last run)
        overhead = 1 - own / (wall_runs * used) if computed and wall_runs > 0 else 0.0
        summary = {"runs_computed": computed, "runs_reused": len(plan.present), "rows": table.num_rows,
                   "wall_seconds": round(wall, 2), "runs_wall_seconds": round(wall_runs, 2),
                   "runs_own_seconds": round(own, 2), "machinery_share": round(overhead, 4)}
        _write_info(plan, status="complete", finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"), **summary)
        log(f"doorstroom batch: {computed} run(s) computed, {len(plan.present)} reused; the runs' own time "
            f"{own:.1f} s over {wall_runs:.1f} s of wall time with {used} worker(s) (machinery "
            f"{100 * overhead:.1f}%); {table.num_rows:,} rows in results.parquet; {wall:.1f} s in all")
    return plan


def cmd_batch(args) -> int:
    """Runs ``doorstroom batch`` from parsed arguments."""
    options = {k: getattr(args, k, None) for k in SETTING_KEYS}
    plan = batch(args.design, args.out, options, args.workers, args.scheduler)
    print(f"results written to {plan.out}/ (results.parquet, design.csv, design.json, runs/, {MARKER})")
    return 0
