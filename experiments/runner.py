"""One run: build the model with a scenario, step it to the end, and describe it in a manifest.

Also the checks on the output folder before any work starts.

The tables (``indicators``, ``chains``, ``links``, ``flows``) and ``manifest.json`` are written by
:func:`experiments.writers.write_results`.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import numpy as np

from agents.model import DoorstroomModel
from experiments.folders import check_results_folder, folder_lock, recover
from experiments.scenario import Scenario, load_scenario
from experiments.writers import ChainSink, write_results
from sim.outputs import RESULTS_VERSION
from sim.params import RunSettings

SUMMARY = (
    "persons_65plus", "persons_75plus", "persons_90plus", "households_total",
    "share_75plus_independent", "dementia_persons", "persons_wlz", "verpleeghuis_residents",
    "verpleeghuis_waiting", "deaths", "widowhoods", "move_rate_65_74", "move_rate_75plus",
    "limitation_not_stepfree", "vacancy_rate", "chains_started", "chain_links_mean",
    "starters_housed",
)


def git_revision() -> str:
    """The git revision of the source tree, or ``"unknown"`` outside a checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if rev.returncode != 0:
        return "unknown"
    return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def version() -> str:
    """The installed doorstroom version."""
    try:
        return metadata.version("doorstroom")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def schedule_dated_changes(model: DoorstroomModel, scenario: Scenario) -> None:
    """Schedules the scenario's dated changes that fall within the model's horizon (Mesa events)."""
    for year, changes in scenario.dated:
        if year <= model.settings.end_year:
            model.schedule_parameter_change(year, changes)


def run_scenario(
    scenario: Scenario,
    settings: RunSettings,
    progress: Callable[[int, int], None] | None = None,
    debug: bool = False,
    chain_sink=None,
) -> tuple[DoorstroomModel, dict]:
    """Builds and runs the model; returns it with the run's manifest (not yet written).

    ``chain_sink`` (:class:`experiments.writers.ChainSink`) receives the vacancy chains and links at
    every year's end, so that the model does not keep them all (memory bounded over the horizon).
    """
    t0 = time.perf_counter()
    model = DoorstroomModel(scenario.parameters(), settings, debug=debug)
    model.chain_sink = chain_sink
    schedule_dated_changes(model, scenario)
    t_build = time.perf_counter() - t0
    model.run(progress)
    t_run = time.perf_counter() - t0 - t_build
    manifest = {
        "doorstroom_version": version(),
        "results_version": RESULTS_VERSION,
        "git_revision": git_revision(),
        "scenario": {"name": scenario.name, "description": scenario.description,
                     "file": scenario.path, "changes": scenario.changes,
                     "dated_changes": [{"year": y, **c} for y, c in scenario.dated]},
        "settings": asdict(settings),
        "parameters": model.params.to_dict(),
        "households_simulated": int(model.households.appended),
        "timings_seconds": {
            "build": round(t_build, 4),
            "run": round(t_run, 4),
            "per_simulated_year": round(t_run / max(1, model.total_steps
                                                    // settings.steps_per_year), 4),
            "processes": {k: round(v, 4) for k, v in model.timings.items()},
        },
        "numeric_warnings": dict(model.numeric_warnings),
        "environment": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "numpy": np.__version__,
            "mesa": metadata.version("mesa"),
        },
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": sys.argv,
    }
    return model, manifest


def _settings(args, scenario) -> RunSettings:
    values = {**asdict(RunSettings()), **scenario.run}
    for key in ("scale", "seed", "start_year", "end_year", "steps_per_year"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    return RunSettings(**values)


def cmd_run(args) -> int:
    """Runs one scenario (``doorstroom run``)."""
    scenario = load_scenario(args.scenario)
    settings = _settings(args, scenario)
    out = check_results_folder(args.out, "run")
    with folder_lock(out):
        for line in recover(out):
            print(f"doorstroom: {line}", file=sys.stderr)
        check_results_folder(out, "run")
        return _run_into(args, scenario, settings, out)


def _run_into(args, scenario: Scenario, settings: RunSettings, out: Path) -> int:
    t0 = time.perf_counter()
    print(f"doorstroom: scenario {scenario.name!r}, scale {settings.scale}, seed {settings.seed}, "
          f"{settings.start_year}-{settings.end_year}, {settings.steps_per_year} steps/year",
          file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            year = 2025 + done - 1
            print(f"  year {year} done ({done}/{total}), {time.perf_counter() - t0:6.1f} s",
                  file=sys.stderr, flush=True)

    sink = ChainSink.beside(out)
    try:
        model, manifest = run_scenario(scenario, settings, progress, debug=args.debug, chain_sink=sink)
        write_results(model, manifest, out, sink)
    finally:
        sink.discard()
    print(summary_table(model.records, settings))
    print(f"results written to {out}/ (indicators, chains, links and flows as Parquet; "
          f"manifest.json) in {time.perf_counter() - t0:.1f} s")
    return 0


def summary_table(records, settings: RunSettings) -> str:
    """A short text table of the main indicators at the first, middle and last year."""
    values = {(y, n): v for y, n, v in records}
    years = sorted({y for y, _, _ in records})
    if not years:
        return "(no years recorded)"
    pick = sorted({years[0], years[len(years) // 2], years[-1]})
    lines = [f"{'indicator':30s}" + "".join(f"{y:>14d}" for y in pick)]
    for name in SUMMARY:
        cells = []
        for y in pick:
            v = values.get((y, name))
            cells.append(f"{'':>14s}" if v is None else
                         (f"{v:14.3f}" if abs(v) < 10 else f"{v:14,.0f}"))
        lines.append(f"{name:30s}" + "".join(cells))
    return "\n".join(lines)
