"""``doorstroom validate``: the baseline against the published projections it should track.

``doorstroom validate [--scenario FILE] [--scale 0.01] [--seeds 3] [--end 2050] [--workers W] --out DIR``
runs the scenario (the baseline by default) with seeds ``1..N`` and compares, for every projection
point of ``sim/data/projections.csv`` (indicator, year, published value, tolerance, source), the
model's mean over the seeds with the published value. It prints a table (model mean and range over
the seeds, published value, relative gap, tolerance, whether the gap is within it, source) and
writes into DIR:

    .doorstroom          marker (kind "validate")
    validation.csv       the table, one row per projection point
    validate.json        settings, seeds, version, how many targets were met
    figures/<indicator>.png   the model's mean and range over the seeds by year, published points marked

Points of role ``target`` are the ones the baseline must meet; ``check`` points are reported as well.
A point the model misses is reported, never hidden; the command fails (exit 1) only with ``--strict``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from agents.schedule import REGISTRY
from experiments.folders import check_results_folder, folder_lock, marker_bytes, recover
from experiments.pool import run_parallel
from experiments.runner import git_revision, run_scenario, version
from experiments.scenario import Scenario, load_scenario
from experiments.writers import MARKER, atomic_write_bytes, replace_dir, short_revision, write_csv
from sim.chains import DISCARD
from sim.outputs import RESULTS_VERSION
from sim.params import ParameterError, RunSettings
from sim.population import read_table

COLUMNS = ("indicator", "year", "role", "published", "model_mean", "model_min", "model_max",
           "relative_gap", "tolerance", "within", "status", "source")


@dataclass(frozen=True)
class Point:
    """One published projection point (a row of ``sim/data/projections.csv``)."""

    indicator: str
    year: int
    value: float
    tolerance: float
    role: str
    status: str
    source: str


def projection_points() -> list[Point]:
    """The projection points, checked against the indicator registry.

    Raises:
        ValueError: For an unknown indicator or role, naming it.
    """
    points = []
    for row in read_table("projections.csv"):
        p = Point(str(row["indicator"]), int(row["year"]), float(row["value"]),
                  float(row["tolerance"]), str(row["role"]), str(row["status"]), str(row["source"]))
        if p.indicator not in REGISTRY:
            raise ValueError(f"projections.csv: unknown indicator {p.indicator!r}")
        if p.role not in ("target", "check"):
            raise ValueError(f"projections.csv: role {p.role!r} of {p.indicator} {p.year}: expected "
                             "target or check")
        points.append(p)
    return points


@dataclass(frozen=True)
class SeedRun:
    """One seed of the validation: the scenario and its settings."""

    scenario: Scenario
    settings: RunSettings


def run_seed(task: SeedRun) -> dict[tuple[int, str], float]:
    """Runs one seed; returns its indicators ``{(year, indicator): value}``."""
    model, _ = run_scenario(task.scenario, task.settings, chain_sink=DISCARD)  # indicators only
    return {(y, n): v for y, n, v in model.records}


def compare_points(points: list[Point], runs: list[dict]) -> list[dict]:
    """One row of ``validation.csv`` per point: the model's mean and range over the seeds, the gap."""
    rows = []
    for p in points:
        values = np.array([r.get((p.year, p.indicator), np.nan) for r in runs], float)
        finite = values[np.isfinite(values)]
        mean = float(finite.mean()) if len(finite) else math.nan
        gap = (mean - p.value) / p.value if p.value and math.isfinite(mean) else math.nan
        rows.append({"indicator": p.indicator, "year": p.year, "role": p.role, "published": p.value,
                     "model_mean": mean,
                     "model_min": float(finite.min()) if len(finite) else math.nan,
                     "model_max": float(finite.max()) if len(finite) else math.nan,
                     "relative_gap": gap, "tolerance": p.tolerance,
                     "within": bool(math.isfinite(gap) and abs(gap) <= p.tolerance),
                     "status": p.status, "source": p.source})
    return rows


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def table(rows: list[dict]) -> str:
    """The rows as a text table."""
    head = ("indicator", "year", "model mean [range]", "published", "gap", "tolerance", "")
    body = []
    for r in rows:
        mark = "ok" if r["within"] else ("MISSED" if r["role"] == "target" else "outside")
        gap = f"{r['relative_gap']:+.1%}" if math.isfinite(r["relative_gap"]) else "n/a"
        body.append((r["indicator"], str(r["year"]),
                     f"{_fmt(r['model_mean'])} [{_fmt(r['model_min'])}, {_fmt(r['model_max'])}]",
                     _fmt(r["published"]), gap, f"{r['tolerance']:.0%}", f"{mark} ({r['role']})"))
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(len(head))]
    lines = ["  ".join(x[i].ljust(widths[i]) if i in (0, 6) else x[i].rjust(widths[i])
                       for i in range(len(head))) for x in (head, *body)]
    return "\n".join(lines)


def write_figures(folder: Path, points: list[Point], runs: list[dict], caption: str) -> list[str]:
    """One PNG per indicator: the model's mean and range over the seeds, published points marked."""
    target = folder / "figures"
    tmp = Path(tempfile.mkdtemp(prefix=f".figures.tmp-{os.getpid()}-", dir=folder))
    tmp.chmod(0o755)
    written = []
    try:
        for name in sorted({p.indicator for p in points}):
            years = sorted({y for r in runs for (y, n) in r if n == name})
            values = np.array([[r.get((y, name), np.nan) for y in years] for r in runs], float)
            fig = Figure(figsize=(8, 4.8), dpi=120)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            ind = REGISTRY[name]
            ax.set_title(f"{ind.label}: model and published projections", fontsize=11)
            ax.set_xlabel("year")
            ax.set_ylabel(ind.unit)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(True, alpha=0.3)
            ax.plot(years, np.nanmean(values, axis=0), color="C0", lw=1.8,
                    label=f"model, mean over {len(runs)} seed(s)")
            if len(runs) > 1:
                ax.fill_between(years, np.nanmin(values, axis=0), np.nanmax(values, axis=0),
                                color="C0", alpha=0.2, lw=0, label="model, range over the seeds")
            for p in (p for p in points if p.indicator == name):
                ax.errorbar([p.year], [p.value], yerr=[[p.value * p.tolerance], [p.value * p.tolerance]],
                            fmt="o" if p.role == "target" else "s", color="C3" if p.role == "target"
                            else "0.4", capsize=4, label=f"published ({p.role}, ± tolerance)")
            handles, labels = ax.get_legend_handles_labels()
            unique = dict(zip(labels, handles, strict=True))
            ax.legend(unique.values(), unique.keys(), fontsize=8, frameon=False, loc="best")
            if max(abs(v) for v in ax.get_ylim()) >= 10_000:
                ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
            fig.text(0.01, 0.01, caption, fontsize=7, color="0.35", ha="left", va="bottom")
            fig.tight_layout(rect=(0, 0.04, 1, 1))
            fig.savefig(tmp / f"{name}.png", dpi=120)
            written.append(f"{name}.png")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def validate(scenario_file: str | None, settings: RunSettings, seeds: int, out: str | Path,
             workers: int, log: Callable[[str], None]) -> list[dict]:
    """Runs the validation (see the module docstring) and returns its rows.

    Raises:
        ParameterError: On bad input, before any run starts.
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ParameterError(f"--seeds {seeds!r}: expected an integer of at least 1")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"--workers {workers!r}: expected an integer of at least 1")
    scenario = load_scenario(scenario_file)
    points = [p for p in projection_points() if settings.start_year <= p.year <= settings.end_year]
    if not points:
        raise ParameterError(f"no projection point lies in {settings.start_year}-{settings.end_year}")
    out = check_results_folder(out, "validate")
    t0 = time.perf_counter()
    with folder_lock(out):
        for line in recover(out):
            log(f"doorstroom validate: {line}")
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out / MARKER, marker_bytes("validate"))
        log(f"doorstroom validate: scenario {scenario.name!r}, seeds 1-{seeds}, scale {settings.scale}, "
            f"{settings.start_year}-{settings.end_year}; {len(points)} projection points")
        tasks = [SeedRun(scenario, replace(settings, seed=s)) for s in range(1, seeds + 1)]
        results: dict[int, dict] = {}

        def done(task: SeedRun, records: dict) -> None:
            results[task.settings.seed] = records
            log(f"  seed {task.settings.seed} done ({len(results)}/{seeds}, "
                f"{time.perf_counter() - t0:.0f} s)")

        if min(workers, seeds) == 1:
            for task in tasks:
                done(task, run_seed(task))
        else:
            run_parallel(tasks, run_seed, min(workers, seeds), done,
                         describe=lambda t: f"seed {t.settings.seed}", preload=["experiments.runner"])
        runs = [results[s] for s in sorted(results)]
        rows = compare_points(points, runs)
        write_csv(out / "validation.csv", COLUMNS, rows)
        caption = (f"{scenario.name}, scale {settings.scale:g}, {seeds} seed(s); doorstroom "
                   f"{version()}, results version {RESULTS_VERSION}, git {short_revision(git_revision())}")
        figures = write_figures(out, points, runs, caption)
        targets = [r for r in rows if r["role"] == "target"]
        info = {"command": "doorstroom validate", "scenario": scenario.name,
                "settings": asdict(settings) | {"seed": list(range(1, seeds + 1))},
                "results_version": RESULTS_VERSION, "doorstroom_version": version(),
                "git_revision": git_revision(), "targets": len(targets),
                "targets_met": sum(r["within"] for r in targets),
                "missed": [f"{r['indicator']} {r['year']}" for r in targets if not r["within"]],
                "figures": figures, "wall_seconds": round(time.perf_counter() - t0, 1)}
        atomic_write_bytes(out / "validate.json", (json.dumps(info, indent=2) + "\n").encode())
    return rows


def cmd_validate(args) -> int:
    """Runs ``doorstroom validate`` from parsed arguments; prints the table."""
    settings = RunSettings(scale=args.scale, seed=1, end_year=args.end_year)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    rows = validate(args.scenario, settings, args.seeds, args.out, args.workers, log)
    print(table(rows))
    targets = [r for r in rows if r["role"] == "target"]
    met = sum(r["within"] for r in targets)
    print(f"{met} of {len(targets)} targets within their tolerance; validation.csv and figures/ in "
          f"{args.out}")
    return 1 if args.strict and met < len(targets) else 0
