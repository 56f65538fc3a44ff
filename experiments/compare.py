"""Paired multi-seed comparison of policy scenarios with a baseline (``doorstroom compare``).

``doorstroom compare BASE.toml POLICY.toml [POLICY2.toml ...] --seeds N [--scale X] [--start Y]
[--end Y] [--steps-per-year K] [--workers W] --out DIR``

**Common random numbers.** Every scenario is run with the same seeds ``1..N``. The model's random
streams depend only on the seed, so the baseline and a policy run with the same seed share their
randomness, and the difference *policy minus baseline* of one seed is a paired difference. Its mean
over the seeds and a 95% interval (Student t with ``n - 1`` degrees of freedom) measure the effect of
the policy with much less noise than two independent sets of runs would.

**Settings.** The first scenario is the baseline. Scale, years and steps per year are the same for all
runs: a command-line option wins, then the baseline file's ``[run]`` table, then the defaults of
:class:`sim.params.RunSettings`. A policy file whose ``[run]`` table sets another value for a setting
not given on the command line is refused (paired runs need the same settings). The ``seed`` of any
``[run]`` table is ignored: the seeds are ``1..N``.

**Work.** Each (scenario, seed) run is a pure function of the scenario and the settings
(:func:`experiments.runs.run_one`) returning the tidy indicator columns ``year``, ``indicator``,
``value``; no model is kept after its run. With more than one worker each run is a worker process
(:mod:`experiments.pool`); results do not depend on the number of workers because every run writes its
own file and the tables are built from the files in scenario and seed order. One line per finished
run (with elapsed time and an estimate of the time left) goes to stderr.

**Layout of DIR**::

    .doorstroom                    marker: a doorstroom compare folder (kind, format version)
    compare.json                   settings of the command ("status": "running", then "complete")
    runs/<scenario>/seed_<n>.parquet   tidy indicators of one run (year, indicator, value)
    differences.csv                paired differences, policy minus baseline, per indicator and year
    summary.csv                    mean and 2.5/97.5 percentiles across seeds, per scenario
    figures/<indicator>_levels.png       baseline and policies over time (mean and band)
    figures/<indicator>_difference.png   paired mean difference and its 95% interval over time

**Resuming.** Every run file is written atomically (temporary file in the same folder, then
``os.replace``) and carries its identity in its Parquet metadata (:func:`experiments.runs.run_meta`):
the scenario name, the SHA-256 of the resolved parameters (defaults plus the scenario's changes, so an
edited default is caught too), the SHA-256 of the dated changes, the seed, the scale, the years, the
steps per year and the model's results version (the SHA-256 of the scenario file is kept for the
record). A rerun of the same command reuses the runs whose file is present and matches; an interrupted
batch therefore resumes where it stopped, and adding seeds or policies reuses the runs already there. A
present run file that does *not* match (an edited scenario, other settings, another results version)
or cannot be read is recomputed, with one line saying why.

**Safety.** The folder must be new, empty or an earlier comparison (its ``.doorstroom`` marker); a
second command on the same folder stops at once (a lock beside it); SIGINT and SIGTERM stop the command
promptly, keeping the finished runs; what a killed command left behind is cleaned or rolled back by the
next one (:mod:`experiments.folders`). The CSV files and the figures folder are rewritten (atomically)
by every invocation.

The work is split by job: :mod:`experiments.runs` (planning, resuming, the process pool),
:mod:`experiments.stats` (paired statistics and the headline), :mod:`experiments.figures` and
:mod:`experiments.writers`.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from experiments.figures import unchanged_indicators, write_figures
from experiments.folders import MARKER as FOLDER_MARKER
from experiments.folders import check_results_folder, folder_lock, marker_bytes, recover
from experiments.pool import start_server
from experiments.runs import MARKER, PRELOAD, SETTING_KEYS, Plan, execute, plan_comparison
from experiments.stats import (
    DIFFERENCE_COLUMNS,
    SUMMARY_COLUMNS,
    difference_rows,
    headline,
    load_runs,
    main_indicators,
    summary_rows,
    t_factor,
)
from experiments.writers import atomic_write_bytes, write_csv

WIDE_BELOW_SEEDS = 5
"""With fewer seeds a warning says that the 95% intervals are wide."""


def _write_info(plan: Plan, **extra) -> None:
    info = {**plan.info, **extra}
    atomic_write_bytes(plan.out / MARKER, (json.dumps(info, indent=2, default=str) + "\n").encode())


def compare(
    scenario_files: Sequence[str],
    seeds: int,
    out: str | Path,
    options: dict | None = None,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[Plan, str]:
    """Runs a whole comparison: check, compute missing runs, write tables and figures.

    Args:
        scenario_files: Baseline first, then the policies.
        seeds: Number of seeds.
        out: Output folder.
        options: Command-line run settings (``scale``, ``start_year``, ``end_year``,
            ``steps_per_year``; ``None`` where not given).
        workers: Worker processes (default ``min(2, os.cpu_count())``).
        log: Receives progress and warning lines (default: stderr).

    Returns:
        The plan and the headline table.

    Raises:
        ParameterError: On bad input, before any run starts (see :func:`plan_comparison`).
    """
    if log is None:
        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    check_results_folder(out, "compare")
    if workers is None or workers > 1:
        start_server(PRELOAD)  # the workers' server imports the model while the runs are planned
    with folder_lock(out):
        for line in recover(out):
            log(f"doorstroom compare: {line}")
        plan = plan_comparison(scenario_files, seeds, out, options, workers)
        return _compare(plan, log, t0)


def _compare(plan: Plan, log: Callable[[str], None], t0: float) -> tuple[Plan, str]:
    s = plan.settings
    log(f"doorstroom compare: baseline {plan.scenarios[0].name!r} vs "
        f"{', '.join(repr(sc.name) for sc in plan.scenarios[1:])}; seeds 1-{plan.seeds}, scale "
        f"{s.scale}, {s.start_year}-{s.end_year}, {s.steps_per_year} steps/year; "
        f"{len(plan.tasks) - len(plan.present)} of {len(plan.tasks)} runs to compute")
    if plan.seeds == 1:
        log("warning: with one seed there is no spread across seeds: the 95% intervals are NaN "
            "(use --seeds 2 or more)")
    elif plan.seeds < WIDE_BELOW_SEEDS:
        log(f"warning: with {plan.seeds} seeds the 95% intervals are wide (each is "
            f"{t_factor(plan.seeds):.1f} standard errors on either side, against "
            f"{t_factor(10):.2f} with 10 seeds); use --seeds 10 or more before drawing conclusions")
    plan.out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(plan.out / FOLDER_MARKER, marker_bytes("compare"))
    _write_info(plan)
    computed = execute(plan, log)
    data = load_runs(plan)
    write_csv(plan.out / "differences.csv", DIFFERENCE_COLUMNS, difference_rows(plan, data))
    write_csv(plan.out / "summary.csv", SUMMARY_COLUMNS, summary_rows(plan, data))
    indicators = main_indicators(data)
    figures = write_figures(plan, data, indicators)
    unchanged = unchanged_indicators(plan, data, indicators)
    if unchanged:
        log(f"no policy changes these indicators in any year or seed (no difference figure): "
            f"{', '.join(unchanged)}")
    table = headline(plan, data, indicators)
    _write_info(plan, status="complete", runs_computed=computed,
                runs_reused=len(plan.present), figures=figures, unchanged_indicators=unchanged,
                finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                wall_seconds=round(time.perf_counter() - t0, 2))
    return plan, table


def cmd_compare(args) -> int:
    """Runs ``doorstroom compare`` from parsed arguments; prints the headline table."""
    t0 = time.perf_counter()
    options = {k: getattr(args, k, None) for k in SETTING_KEYS}
    plan, table = compare(args.scenarios, args.seeds, args.out, options, args.workers)
    print(table)
    print(f"results written to {plan.out}/ (differences.csv, summary.csv, figures/, runs/, "
          f"{MARKER}) in {time.perf_counter() - t0:.1f} s")
    return 0
