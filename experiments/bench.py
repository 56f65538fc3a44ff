"""Benchmark of the array engine: speed and memory per scale, and the speed ratio to the reference.

``doorstroom bench`` measures two things:

1. **Scales.** For each scale of ``--scales`` a fresh child process (``python -m experiments.bench
   --one-scale SCALE --years N``) builds the model and runs ``N`` simulated years (default the full
   2025-2050 horizon). The child reports the build time and the seconds of every simulated year;
   the parent reads the child's peak resident set size from the operating system when it ends
   (``os.wait4``), so each figure belongs to that scale alone and includes the interpreter and its
   imports (reported separately as the baseline).
2. **Reference ratio.** In this process, one population of ``--reference-households`` households is
   built for :class:`agents.model.DoorstroomModel`, and :class:`agents.reference.ReferenceModel` (one
   Mesa agent per household) starts from a copy of that model's state. The two engines then
   step alternately, one step each, ``--reference-steps`` times, so that machine noise hits both;
   the medians of the seconds per step give the ratio reference / array.

Output: a readable table on stdout, then one line of JSON (the last line) for machines. Progress
lines go to stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import mesa
import numpy as np

from agents.model import DoorstroomModel
from agents.reference import PHASES, ReferenceModel
from sim.chains import DISCARD
from sim.params import ParameterError, Parameters, RunSettings
from sim.population import build_population

HORIZON = (2025, 2050)
"""First and last year of the full horizon (the population is that of 1 January 2025)."""

RESULT_MARKER = "BENCH-RESULT "
"""Prefix of the child process's result line on its stdout."""

TARGET_RATIO = 300.0
"""The reference model should be at least this many times slower per household-step than the array
engine, at 100,000 households (the speed issue's figure; the foundation asked 30)."""

PROBE_SCALE = 0.001
"""Scale of the small population used to estimate the national number of households."""

PER_YEAR_PROGRESS_HOUSEHOLDS = 500_000
"""From this many households on, the child prints a progress line after every simulated year."""

ROOT = Path(__file__).resolve().parents[1]


# --- checking the options -----------------------------------------------------------------------
def parse_scales(text: str) -> list[float]:
    """Parses a comma-separated list of scales.

    Args:
        text: For example ``"0.01,1.0"``.

    Returns:
        The scales, in the order given.

    Raises:
        ParameterError: For an empty list, a non-numeric entry or a scale outside (0, 1], naming
            the entry.
    """
    if text is None or not str(text).strip():
        raise ParameterError("--scales is empty: expected comma-separated numbers in (0, 1], "
                             "e.g. 0.01,1.0")
    scales = []
    for entry in str(text).split(","):
        item = entry.strip()
        try:
            value = float(item)
        except ValueError:
            raise ParameterError(
                f"--scales entry {item!r} (in {text!r}) is not a number; expected "
                "comma-separated numbers in (0, 1], e.g. 0.01,1.0"
            ) from None
        if not 0 < value <= 1:  # also rejects nan
            raise ParameterError(
                f"--scales entry {item!r} (in {text!r}) is outside (0, 1]: a scale is the sample "
                "fraction of the national population"
            )
        scales.append(value)
    return scales


def check_args(args) -> tuple[list[float], int]:
    """Checks all benchmark options before any work starts.

    Args:
        args: The parsed ``bench`` options (``scales``, ``years``, ``reference_households``,
            ``reference_steps``).

    Returns:
        The scales and the number of simulated years per scale.

    Raises:
        ParameterError: Naming the option and the bad value.
    """
    scales = parse_scales(args.scales)
    full = HORIZON[1] - HORIZON[0] + 1
    years = full if args.years is None else args.years
    max_years = 2100 - HORIZON[0] + 1
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= max_years:
        raise ParameterError(f"--years {years!r}: expected an integer from 1 to {max_years} "
                             f"(default {full}, the years {HORIZON[0]}-{HORIZON[1]})")
    rh = args.reference_households
    if isinstance(rh, bool) or not isinstance(rh, int) or rh < 1:
        raise ParameterError(f"--reference-households {rh!r}: expected a positive integer")
    rs = args.reference_steps
    if isinstance(rs, bool) or not isinstance(rs, int) or rs < 1:
        raise ParameterError(f"--reference-steps {rs!r}: expected a positive integer")
    return scales, years


def _settings(scale: float, years: int, seed: int = 1) -> RunSettings:
    return RunSettings(scale=scale, seed=seed, start_year=HORIZON[0],
                       end_year=HORIZON[0] + years - 1, steps_per_year=12)


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _maxrss_mib(ru_maxrss: int) -> float:
    """Converts ``ru_maxrss`` to MiB (kilobytes on Linux, bytes on macOS)."""
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


# --- one scale, in a child process ----------------------------------------------------------------
def run_one_scale(scale: float, years: int, seed: int = 1) -> dict:
    """Builds the model at one scale and runs it; meant to run alone in a fresh process.

    Args:
        scale: Sample fraction in (0, 1].
        years: Simulated years from 1 January 2025.
        seed: Root seed.

    Returns:
        ``scale``, ``years``, ``households``, ``build_s`` (model construction, population
        included), ``population_s`` (the population alone), ``year_s`` (seconds of each simulated
        year), ``array_mib`` (bytes of the household arrays), ``baseline_rss_mib`` (peak RSS
        after imports, before the build) and ``self_peak_rss_mib`` (peak RSS seen by the process
        itself at the end).
    """
    baseline = _maxrss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    settings = _settings(scale, years, seed)
    t0 = time.perf_counter()
    model = DoorstroomModel(Parameters(), settings)
    model.chain_sink = DISCARD  # as a run that writes its chains as it goes: a year of them in memory
    build_s = time.perf_counter() - t0
    build_peak = _maxrss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    peak = {"process": "build", "year": HORIZON[0], "step": -1, "rss_mib": build_peak}

    def watch_peak(process: str) -> None:
        # the process whose run last raised the peak RSS (ru_maxrss only ever grows)
        rss = _maxrss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        if rss > peak["rss_mib"]:
            peak.update(process=process, year=model.year, step=model.step_index, rss_mib=rss)

    model.after_process = watch_peak
    n_households = int(model.households.active.sum())
    per_year = n_households >= PER_YEAR_PROGRESS_HOUSEHOLDS
    _log(f"scale {scale}: {n_households:,} households built in {build_s:.2f} s; "
         f"running {years} year(s)")
    spy = settings.steps_per_year
    year_s = []
    t_run = time.perf_counter()
    for y in range(years):
        t = time.perf_counter()
        for _ in range(spy):
            model.step()
        year_s.append(time.perf_counter() - t)
        if per_year:
            _log(f"scale {scale}: year {HORIZON[0] + y} done ({y + 1}/{years}) in "
                 f"{year_s[-1]:.2f} s, {time.perf_counter() - t_run:.1f} s so far")
    _log(f"scale {scale}: {years} year(s) in {time.perf_counter() - t_run:.1f} s")
    phases = {name: model.timings[name] / years for name in model.stepping}
    return {
        "scale": scale,
        "years": years,
        "households": n_households,
        "build_s": build_s,
        "phase_s_per_year": phases,
        "memory_mib": memory_by_group(model),
        "population_s": float(model.timings["build_population"]),
        "year_s": year_s,
        "array_mib": model.households.nbytes() / 2**20,
        "baseline_rss_mib": baseline,
        "self_peak_rss_mib": _maxrss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "build_peak_rss_mib": build_peak,
        "peak_set_by": peak,
    }


def memory_by_group(model) -> dict[str, float]:
    """MiB held by each group of state arrays.

    Households, dwellings, applicants, the chains in memory, and what processes keep (the kin network,
    the thinning's flags and candidate steps).
    """
    out = {"households": model.households.nbytes(), "dwellings": model.dwellings.nbytes(),
           "applicants": model.applicants.nbytes(), "chains": model.chains.nbytes()}
    for name, ctx in model.contexts.items():
        for key, value in ctx.memory.items():
            if hasattr(value, "nbytes") and callable(value.nbytes):
                out[f"{name}.{key}"] = value.nbytes()
    return {k: v / 2**20 for k, v in out.items()}


def measure_scale(scale: float, years: int) -> dict:
    """Runs :func:`run_one_scale` in a fresh child process and adds its peak RSS.

    Args:
        scale: Sample fraction in (0, 1].
        years: Simulated years.

    Returns:
        The child's result with ``peak_rss_mib`` (the child's peak resident set size as reported
        by the operating system) and the summary of ``year_s``: ``sec_per_year_median``,
        ``sec_per_year_min`` and ``sec_per_year_max``.

    Raises:
        RuntimeError: If the child fails or reports no result.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "experiments.bench", "--one-scale", repr(scale),
           "--years", str(years)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None, env=env, text=True)
    try:
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in out.splitlines() if line.startswith(RESULT_MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark child for scale {scale} failed (exit code "
                           f"{proc.returncode}); command: {' '.join(cmd)}")
    result = json.loads(lines[-1][len(RESULT_MARKER):])
    result["peak_rss_mib"] = _maxrss_mib(usage.ru_maxrss)
    ys = result["year_s"]
    result["sec_per_year_median"] = statistics.median(ys)
    result["sec_per_year_min"] = min(ys)
    result["sec_per_year_max"] = max(ys)
    return result


# --- side by side with the reference model ------------------------------------------------------
def national_households(seed: int = 1) -> float:
    """Estimates the number of households at scale 1 from a small population."""
    return build_population(PROBE_SCALE, seed).n / PROBE_SCALE


def compare_reference(n_households: int, steps: int, seed: int = 1) -> dict:
    """Times the array engine and the reference model step by step on the same population.

    Builds one population of about ``n_households`` households, the array model on it and the
    reference model from the array model's start (:meth:`ReferenceModel.from_array_model`), and
    alternates one timed step of the array engine with one of the reference model, ``steps`` times.

    Args:
        n_households: Requested number of households.
        steps: Number of steps timed for each engine.
        seed: Root seed.

    Returns:
        Sizes, construction times, the seconds of every step, their medians, the medians per
        household-step and ``ratio`` (reference / array median seconds per step).
    """
    national = national_households(seed)
    scale = min(n_households / national, 1.0)
    # the timed steps stay within the horizon, however many there are
    years = max(1, -(-steps // 12))
    settings = _settings(scale, years, seed)
    params = Parameters()
    t0 = time.perf_counter()
    population = build_population(scale, seed, params)
    population_s = time.perf_counter() - t0
    actual = int(population.active.sum())
    _log(f"reference comparison: {actual:,} households (requested {n_households:,}, "
         f"scale {scale:.6g}) built in {population_s:.2f} s")

    t0 = time.perf_counter()
    array_model = DoorstroomModel(params, settings, households=population)
    # like for like: the array engine runs only the processes the reference model implements
    array_model.restrict_to(PHASES)
    array_build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    reference_model = ReferenceModel.from_array_model(array_model)
    reference_build_s = time.perf_counter() - t0
    _log(f"reference comparison: array model built in {array_build_s:.2f} s, reference model "
         f"in {reference_build_s:.2f} s; timing {steps} step(s) of each, alternately")
    del population

    array_s, reference_s = [], []
    for r in range(steps):
        gc.collect()
        t = time.perf_counter()
        array_model.step()
        array_s.append(time.perf_counter() - t)
        gc.collect()
        t = time.perf_counter()
        reference_model.step()
        reference_s.append(time.perf_counter() - t)
        _log(f"reference comparison: step {r + 1}/{steps}: array {array_s[-1]:.4f} s, "
             f"reference {reference_s[-1]:.3f} s")

    array_med = statistics.median(array_s)
    reference_med = statistics.median(reference_s)
    return {
        "households_requested": n_households,
        "households": actual,
        "scale": scale,
        "steps": steps,
        "population_s": population_s,
        "array_build_s": array_build_s,
        "reference_build_s": reference_build_s,
        "array_step_s": array_s,
        "reference_step_s": reference_s,
        "array_s_per_step_median": array_med,
        "reference_s_per_step_median": reference_med,
        "array_s_per_household_step": array_med / actual,
        "reference_s_per_household_step": reference_med / actual,
        "ratio": reference_med / array_med,
        "target_ratio": TARGET_RATIO,
        "meets_target": reference_med / array_med >= TARGET_RATIO,
        "array_phases": list(array_model.stepping),
    }


# --- report ------------------------------------------------------------------------------------
def _machine() -> dict:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }


def format_report(scale_results: list[dict], reference: dict) -> str:
    """The human-readable tables of the benchmark.

    Args:
        scale_results: Results of :func:`measure_scale`, one per scale.
        reference: Result of :func:`compare_reference`.

    Returns:
        Text for stdout.
    """
    lines = ["Array engine by scale (each scale in a fresh process; seconds per simulated year "
             "= 12 monthly steps)",
             f"{'scale':>8} {'households':>12} {'years':>6} {'build s':>9} {'s/year med':>11} "
             f"{'min':>9} {'max':>9} {'peak RSS MiB':>13} {'baseline':>9} {'arrays':>8}"]
    for r in scale_results:
        lines.append(
            f"{r['scale']:>8g} {r['households']:>12,} {r['years']:>6} {r['build_s']:>9.2f} "
            f"{r['sec_per_year_median']:>11.3f} {r['sec_per_year_min']:>9.3f} "
            f"{r['sec_per_year_max']:>9.3f} {r['peak_rss_mib']:>13.1f} "
            f"{r['baseline_rss_mib']:>9.1f} {r['array_mib']:>8.1f}"
        )
    lines.append("  (baseline: peak RSS of the child after its imports, before the build; "
                 "arrays: MiB of household columns)")
    for r in scale_results:
        if "peak_set_by" in r:
            p = r["peak_set_by"]
            where = ("the build" if p["process"] == "build"
                     else f"process {p['process']!r} at step {p['step']} ({p['year']})")
            lines.append(f"  scale {r['scale']:g}: peak RSS {p['rss_mib']:,.1f} MiB last raised by {where}; "
                         f"the build's peak {r['build_peak_rss_mib']:,.1f} MiB")
    lines += ["", "Seconds per simulated year by phase (the processes of agents/schedule.py), and MiB by "
              "array group at the end"]
    names = list(scale_results[0].get("phase_s_per_year", {})) if scale_results else []
    lines.append(f"{'phase':>28} " + " ".join(f"{'scale ' + format(r['scale'], 'g'):>14}"
                                              for r in scale_results))
    for name in sorted(names, key=lambda n: -scale_results[-1]["phase_s_per_year"].get(n, 0.0)):
        lines.append(f"{name:>28} " + " ".join(f"{r['phase_s_per_year'].get(name, 0.0):>14.3f}"
                                               for r in scale_results))
    groups = list(scale_results[0].get("memory_mib", {})) if scale_results else []
    for name in groups:
        lines.append(f"{name + ' MiB':>28} " + " ".join(f"{r['memory_mib'].get(name, 0.0):>14.1f}"
                                                       for r in scale_results))
    ref = reference
    lines += [
        "",
        f"Reference comparison: {ref['households']:,} households (requested "
        f"{ref['households_requested']:,}), {ref['steps']} step(s) each, alternating",
        f"{'engine':>10} {'build s':>9} {'s/step median':>14} {'us/household-step':>18}",
        f"{'array':>10} {ref['array_build_s']:>9.3f} {ref['array_s_per_step_median']:>14.4f} "
        f"{ref['array_s_per_household_step'] * 1e6:>18.4f}",
        f"{'reference':>10} {ref['reference_build_s']:>9.3f} "
        f"{ref['reference_s_per_step_median']:>14.4f} "
        f"{ref['reference_s_per_household_step'] * 1e6:>18.4f}",
        f"ratio reference / array: {ref['ratio']:.1f}x (target at least {ref['target_ratio']:g}x: "
        f"{'met' if ref['meets_target'] else 'NOT met'})",
        "  (population build, shared, not in either build time: "
        f"{ref['population_s']:.3f} s; array phases timed: {', '.join(ref['array_phases'])})",
    ]
    return "\n".join(lines)


def main(args) -> int:
    """Runs the benchmark (``doorstroom bench``) and prints its tables and a JSON line.

    Args:
        args: Parsed options with ``scales`` (comma-separated string), ``years`` (int or ``None``
            for 2025-2050), ``reference_households`` and ``reference_steps``.

    Returns:
        0 on success.

    Raises:
        ParameterError: For a bad option, naming the value (before any work starts).
    """
    scales, years = check_args(args)
    t0 = time.perf_counter()
    scale_results = []
    for scale in scales:
        _log(f"scale {scale}: starting a child process for {years} year(s)")
        scale_results.append(measure_scale(scale, years))
    reference = compare_reference(args.reference_households, args.reference_steps)
    print(format_report(scale_results, reference))
    print(json.dumps({
        "benchmark": "doorstroom",
        "scales": scale_results,
        "reference": reference,
        "machine": _machine(),
        "wall_s": time.perf_counter() - t0,
    }), flush=True)
    return 0


def _child_main(argv: list[str] | None = None) -> int:
    """Internal mode: ``python -m experiments.bench --one-scale SCALE --years N``."""
    parser = argparse.ArgumentParser(prog="python -m experiments.bench",
                                     description="internal: benchmark one scale (used by "
                                     "doorstroom bench)")
    parser.add_argument("--one-scale", required=True, help="scale in (0, 1]")
    parser.add_argument("--years", type=int, required=True, help="simulated years")
    parser.add_argument("--seed", type=int, default=1, help="root seed")
    ns = parser.parse_args(argv)
    try:
        (scale,) = parse_scales(ns.one_scale)
        if ns.years < 1:
            raise ParameterError(f"--years {ns.years!r}: expected a positive integer")
        result = run_one_scale(scale, ns.years, ns.seed)
    except ParameterError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
