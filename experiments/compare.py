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
(:func:`run_one`, which uses :func:`experiments.runner.run_scenario`) returning the tidy indicator
columns ``year``, ``indicator``, ``value``; no model is kept after its run. With more than one worker
the runs go to a process pool (forkserver start method where available, else spawn); results do not
depend on the number of workers because every run writes its own file and the tables are built from
the files in scenario and seed order. One line per finished run (with elapsed time and an estimate of
the time left) goes to stderr.

**Layout of DIR**::

    compare.json                   settings of the command ("status": "running", then "complete")
    runs/<scenario>/seed_<n>.parquet   tidy indicators of one run (year, indicator, value)
    differences.csv                paired differences, policy minus baseline, per indicator and year
    summary.csv                    mean and 2.5/97.5 percentiles across seeds, per scenario
    figures/<indicator>_levels.png       baseline and policies over time (mean and 95% band)
    figures/<indicator>_difference.png   paired mean difference and its 95% interval over time

**Resuming.** Every run file is written atomically (temporary file in the same folder, then
``os.replace``) and carries, in its Parquet metadata, the scenario name, the SHA-256 of the resolved
parameters (defaults plus the scenario's changes, so an edited default is caught too), the SHA-256 of
the scenario file (for the record), the seed, the scale, the years and the steps per year. A rerun
of the same command skips the runs whose file is present and matches; an interrupted batch therefore
resumes where it stopped. A present run file that does *not* match (another scale, other years,
changed parameters) stops the command with an error naming the file and the mismatch, before any run
starts: nothing is silently reused or silently overwritten; choose a new ``--out`` or delete the
stale files. Adding seeds or policies to an earlier command reuses the runs it already has. A run
file that cannot be read at all (not written by this command) is recomputed. Model code changes
that leave the parameters alone are not detected: use a fresh ``--out`` after changing the code.

The CSV files and the figures folder are rewritten (atomically) by every invocation. Two commands
must not work on the same ``--out`` at the same time.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import math
import multiprocessing
import os
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from experiments.runner import ensure_parent, replace_dir
from experiments.scenario import Scenario, load_scenario
from sim.params import ParameterError, RunSettings

MARKER = "compare.json"
"""File that identifies a folder as ``doorstroom compare`` output."""

FORMAT_VERSION = 1
"""Version of the run-file metadata; a file with another version is not reused."""

META_KEY = b"doorstroom_compare"
"""Key of the run description in the Parquet schema metadata of a run file."""

SETTING_KEYS = ("scale", "start_year", "end_year", "steps_per_year")
"""Run settings shared by all runs of a comparison (the seed varies)."""

MAIN_INDICATORS = (
    "verpleeghuis_waiting", "move_rate_65_74", "limitation_not_stepfree", "starters_housed",
    "chains_started", "vacancy_rate", "persons_wlz_at_home", "family_homes_freed",
)
"""Indicators in the figures and the headline table (when the results contain them)."""

OPTIONAL_MAIN = ("lodgers_housed", "shared_households", "verzorgingshuis_residents")
"""Further indicators shown when present, as is any indicator whose name ends in ``_eur``."""

DIFFERENCE_COLUMNS = (
    "policy", "indicator", "unit", "year", "baseline_mean", "policy_mean", "mean_difference",
    "ci_low", "ci_high", "n_seeds",
)
SUMMARY_COLUMNS = ("scenario", "indicator", "unit", "year", "mean", "p2_5", "p97_5", "n_seeds")


# --- the plan -----------------------------------------------------------------------------------
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
    import pyarrow.parquet as pq

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


# --- one run ------------------------------------------------------------------------------------
def run_one(scenario: Scenario, settings: RunSettings) -> dict[str, np.ndarray]:
    """Runs one scenario with one seed; returns its tidy indicator columns.

    Args:
        scenario: The scenario.
        settings: Run settings, including the seed.

    Returns:
        ``{"year": int32 array, "indicator": object array, "value": float64 array}``.
    """
    from experiments.runner import run_scenario

    # run_scenario asks git for the revision; do not let parallel `git status` calls take the
    # repository's index lock.
    os.environ.setdefault("GIT_OPTIONAL_LOCKS", "0")
    model, _manifest = run_scenario(scenario, settings)
    columns = model.indicator_columns()
    del model
    return columns


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run_file(path: str | Path, columns: dict[str, np.ndarray], meta: dict) -> None:
    """Writes a run's indicator columns as Parquet atomically, with ``meta`` in the schema metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "year": pa.array(np.asarray(columns["year"]), pa.int32()),
        "indicator": pa.array([str(x) for x in columns["indicator"]], pa.string()),
        "value": pa.array(np.asarray(columns["value"]), pa.float64()),
    }).replace_schema_metadata({META_KEY: json.dumps(meta, sort_keys=True).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    _atomic_write_bytes(Path(path), sink.getvalue().to_pybytes())


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


# --- statistics ---------------------------------------------------------------------------------
def load_runs(plan: Plan) -> dict[str, dict[tuple[str, int], np.ndarray]]:
    """Reads all run files: scenario -> (indicator, year) -> values by seed (NaN where missing)."""
    import pyarrow.parquet as pq

    data: dict[str, dict[tuple[str, int], np.ndarray]] = {}
    for task in plan.tasks:
        cols = pq.read_table(task.path).to_pydict()
        table = data.setdefault(task.scenario.name, {})
        k = task.settings.seed - 1
        for year, name, value in zip(cols["year"], cols["indicator"], cols["value"], strict=True):
            arr = table.get((name, year))
            if arr is None:
                arr = table[(name, year)] = np.full(plan.seeds, np.nan)
            arr[k] = np.nan if value is None else value
    return data


def indicator_order(names) -> list[str]:
    """Indicator names in registry order, then unknown names alphabetically."""
    from sim.outputs import REGISTRY

    names = set(names)
    return [n for n in REGISTRY if n in names] + sorted(names - set(REGISTRY))


def unit_and_label(name: str) -> tuple[str, str]:
    """The unit and label of an indicator from the registry (name and ``""`` if not declared)."""
    from sim.outputs import REGISTRY

    ind = REGISTRY.get(name)
    return (ind.unit, ind.label) if ind else ("", name)


@functools.cache
def _t_quantile(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom."""
    from scipy import stats

    return float(stats.t.ppf(0.975, df))


def paired_stats(base: np.ndarray, policy: np.ndarray) -> dict[str, float]:
    """Mean paired difference ``policy - base`` over the seeds where both are finite, with its 95% CI.

    Args:
        base: Baseline values by seed.
        policy: Policy values by seed (same seeds, same order).

    Returns:
        ``baseline_mean``, ``policy_mean``, ``mean_difference``, ``ci_low``, ``ci_high`` and
        ``n_seeds`` (the number of pairs used). The interval is NaN with fewer than two pairs.
    """
    ok = np.isfinite(base) & np.isfinite(policy)
    n = int(ok.sum())
    nan = float("nan")
    if n == 0:
        return dict(baseline_mean=nan, policy_mean=nan, mean_difference=nan, ci_low=nan,
                    ci_high=nan, n_seeds=0)
    d = policy[ok] - base[ok]
    mean = float(d.mean())
    if n < 2:
        low = high = nan
    else:
        half = _t_quantile(n - 1) * float(d.std(ddof=1)) / math.sqrt(n)
        low, high = mean - half, mean + half
    return dict(baseline_mean=float(base[ok].mean()), policy_mean=float(policy[ok].mean()),
                mean_difference=mean, ci_low=low, ci_high=high, n_seeds=n)


def spread(values: np.ndarray) -> dict[str, float]:
    """Mean and 2.5/97.5 percentiles of the finite values (NaN when there are none)."""
    v = values[np.isfinite(values)]
    if not len(v):
        return dict(mean=float("nan"), p2_5=float("nan"), p97_5=float("nan"), n_seeds=0)
    lo, hi = np.percentile(v, [2.5, 97.5])
    return dict(mean=float(v.mean()), p2_5=float(lo), p97_5=float(hi), n_seeds=len(v))


def difference_rows(plan: Plan, data) -> list[dict]:
    """The rows of ``differences.csv``: every policy, indicator and year present in both."""
    base_name = plan.scenarios[0].name
    base = data[base_name]
    rows = []
    for sc in plan.scenarios[1:]:
        pol = data[sc.name]
        keys = set(base) & set(pol)
        for name in indicator_order(k[0] for k in keys):
            unit = unit_and_label(name)[0]
            for year in sorted(y for n, y in keys if n == name):
                rows.append({"policy": sc.name, "indicator": name, "unit": unit, "year": year,
                             **paired_stats(base[(name, year)], pol[(name, year)])})
    return rows


def summary_rows(plan: Plan, data) -> list[dict]:
    """The rows of ``summary.csv``: every scenario, indicator and year."""
    rows = []
    for sc in plan.scenarios:
        table = data[sc.name]
        for name in indicator_order(k[0] for k in table):
            unit = unit_and_label(name)[0]
            for year in sorted(y for n, y in table if n == name):
                rows.append({"scenario": sc.name, "indicator": name, "unit": unit, "year": year,
                             **spread(table[(name, year)])})
    return rows


def write_csv(path: Path, columns: Sequence[str], rows: list[dict]) -> None:
    """Writes rows as CSV atomically (floats with full precision, NaN as ``nan``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _atomic_write_bytes(path, buf.getvalue().encode())


def main_indicators(data) -> list[str]:
    """The indicators for figures and the headline that the results contain."""
    names = set().union(*(set(n for n, _ in table) for table in data.values()))
    extra = [n for n in OPTIONAL_MAIN if n in names]
    extra += sorted(n for n in names if n.endswith("_eur") and n not in extra)
    return [n for n in (*MAIN_INDICATORS, *extra) if n in names]


# --- figures ------------------------------------------------------------------------------------
def write_figures(plan: Plan, data, indicators: Sequence[str]) -> list[str]:
    """Draws two PNG figures per indicator into ``DIR/figures`` (replaced as a whole).

    ``<indicator>_levels.png``: the mean over the seeds of the baseline and of each policy over time,
    with a band between the 2.5 and 97.5 percentiles across seeds. ``<indicator>_difference.png``:
    the paired mean difference of each policy with the baseline and its 95% interval.

    Returns:
        The file names written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    target = plan.out / "figures"
    tmp = Path(tempfile.mkdtemp(prefix=".figures.tmp-", dir=plan.out))
    tmp.chmod(0o755)
    names = [sc.name for sc in plan.scenarios]
    colors = {n: ("0.2" if i == 0 else f"C{(i - 1) % 10}") for i, n in enumerate(names)}
    written = []

    def new_axes(title: str, ylabel: str):
        fig = Figure(figsize=(8, 4.5), dpi=120)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_title("\n".join(textwrap.wrap(title, 70)), fontsize=11)
        ax.set_xlabel("year")
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        return fig, ax

    def save(fig, ax, fname: str, legend_title: str) -> None:
        low, high = ax.get_ylim()
        if max(abs(low), abs(high)) >= 10_000:
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.legend(fontsize=9, title=legend_title, title_fontsize=8, loc="best", frameon=False)
        fig.tight_layout()
        fig.savefig(tmp / fname, dpi=120)
        written.append(fname)

    seeds = f"{plan.seeds} seed{'s' if plan.seeds > 1 else ''}"
    band = "; band: 2.5-97.5 percentiles across seeds" if plan.seeds > 1 else ""
    band_ci = "; band: 95% interval" if plan.seeds > 1 else " (one seed: no interval)"
    try:
        for name in indicators:
            unit, label = unit_and_label(name)
            fig, ax = new_axes(label, unit or name)
            for sc in plan.scenarios:
                table = data[sc.name]
                years = sorted(y for n, y in table if n == name)
                if not years:
                    continue
                s = [spread(table[(name, y)]) for y in years]
                role = " (baseline)" if sc is plan.scenarios[0] else ""
                ax.plot(years, [r["mean"] for r in s], marker="o", ms=3, lw=1.8,
                        color=colors[sc.name], label=f"{sc.name}{role}")
                if plan.seeds > 1:
                    ax.fill_between(years, [r["p2_5"] for r in s], [r["p97_5"] for r in s],
                                    color=colors[sc.name], alpha=0.15, lw=0)
            save(fig, ax, f"{name}_levels.png", f"mean over {seeds}{band}")

            fig, ax = new_axes(f"{label}: policy minus baseline",
                               f"difference ({unit})" if unit else "difference")
            ax.axhline(0.0, color="0.4", lw=1, ls="--")
            base = data[names[0]]
            for sc in plan.scenarios[1:]:
                pol = data[sc.name]
                years = sorted(y for n, y in set(base) & set(pol) if n == name)
                if not years:
                    continue
                s = [paired_stats(base[(name, y)], pol[(name, y)]) for y in years]
                ax.plot(years, [r["mean_difference"] for r in s], marker="o", ms=3, lw=1.8,
                        color=colors[sc.name], label=f"{sc.name} - {names[0]}")
                ax.fill_between(years, [r["ci_low"] for r in s], [r["ci_high"] for r in s],
                                color=colors[sc.name], alpha=0.2, lw=0)
            save(fig, ax, f"{name}_difference.png",
                 f"mean paired difference over {seeds}{band_ci}")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


# --- headline -----------------------------------------------------------------------------------
def _num(v: float) -> str:
    if not math.isfinite(v):
        return "nan"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a == 0:
        return "0"
    return f"{v:.3g}" if a >= 0.001 else f"{v:.2e}"


def _cell(s: dict) -> str:
    if s["n_seeds"] == 0:
        return "n/a"
    mark = "*" if s["ci_low"] > 0 or s["ci_high"] < 0 else " "
    return f"{_num(s['mean_difference'])} [{_num(s['ci_low'])}, {_num(s['ci_high'])}]{mark}"


def headline(plan: Plan, data, indicators: Sequence[str]) -> str:
    """The headline table: per policy, the main indicators' mean paired difference and 95% interval.

    Two columns: the last year, and the average over all years (the average over the years of each
    seed's difference, then the mean and interval across seeds). ``*`` marks an interval that
    excludes zero.
    """
    base_name = plan.scenarios[0].name
    base = data[base_name]
    lines = []
    for sc in plan.scenarios[1:]:
        pol = data[sc.name]
        keys = set(base) & set(pol)
        years = sorted({y for _, y in keys})
        if not years:
            continue
        last = years[-1]
        rows = []
        for name in indicators:
            ys = sorted(y for n, y in keys if n == name)
            if not ys:
                continue
            at_last = paired_stats(base[(name, last)], pol[(name, last)]) if last in ys else None
            b = np.stack([base[(name, y)] for y in ys])
            p = np.stack([pol[(name, y)] for y in ys])
            both = np.isfinite(b) & np.isfinite(p)
            with np.errstate(invalid="ignore", divide="ignore"):
                b_avg = np.where(both.any(0), np.where(both, b, 0).sum(0) / both.sum(0), np.nan)
                p_avg = np.where(both.any(0), np.where(both, p, 0).sum(0) / both.sum(0), np.nan)
            avg = paired_stats(b_avg, p_avg)
            rows.append((name, unit_and_label(name)[0],
                         _cell(at_last) if at_last else "n/a", _cell(avg)))
        h = ("indicator", "unit", f"{last}: difference [95% CI]",
             f"{years[0]}-{last} mean: difference [95% CI]")
        widths = [max(len(h[i]), *(len(r[i]) for r in rows)) for i in range(4)]
        lines.append(f"{sc.name} minus {base_name} (paired by seed, {plan.seeds} seeds)")
        lines.append("  ".join(f"{h[i]:<{widths[i]}}" if i < 2 else f"{h[i]:>{widths[i]}}"
                               for i in range(4)))
        for r in rows:
            lines.append("  ".join(f"{r[i]:<{widths[i]}}" if i < 2 else f"{r[i]:>{widths[i]}}"
                                   for i in range(4)))
        lines.append("")
    lines.append("* the 95% interval excludes zero" if plan.seeds > 1
                 else "(one seed: no intervals)")
    return "\n".join(lines)


# --- the command --------------------------------------------------------------------------------
def _write_info(plan: Plan, **extra) -> None:
    info = {**plan.info, **extra}
    _atomic_write_bytes(plan.out / MARKER, (json.dumps(info, indent=2, default=str) + "\n").encode())


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
    plan = plan_comparison(scenario_files, seeds, out, options, workers)
    s = plan.settings
    log(f"doorstroom compare: baseline {plan.scenarios[0].name!r} vs "
        f"{', '.join(repr(sc.name) for sc in plan.scenarios[1:])}; seeds 1-{plan.seeds}, scale "
        f"{s.scale}, {s.start_year}-{s.end_year}, {s.steps_per_year} steps/year; "
        f"{len(plan.tasks) - len(plan.present)} of {len(plan.tasks)} runs to compute")
    if plan.seeds == 1:
        log("warning: with one seed there is no spread across seeds: the 95% intervals are NaN "
            "(use --seeds 2 or more)")
    plan.out.mkdir(parents=True, exist_ok=True)
    _write_info(plan)
    computed = execute(plan, log)
    data = load_runs(plan)
    write_csv(plan.out / "differences.csv", DIFFERENCE_COLUMNS, difference_rows(plan, data))
    write_csv(plan.out / "summary.csv", SUMMARY_COLUMNS, summary_rows(plan, data))
    indicators = main_indicators(data)
    figures = write_figures(plan, data, indicators)
    table = headline(plan, data, indicators)
    _write_info(plan, status="complete", runs_computed=computed,
                runs_reused=len(plan.present), figures=figures,
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
