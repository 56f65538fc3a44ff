"""Stress test: many seeded ``--debug`` runs, half of them with random valid scenarios.

``python -m experiments.stress --runs 100 --scale 0.002 --end 2050 --workers 2`` runs seeds 1..N with
every invariant checked after every step (``--debug``: an invariant break or a floating-point error
stops the run with a named error); odd seeds run the baseline, even seeds a scenario drawn at random
from the policy levers and a few behavioural parameters within their bounds
(:func:`random_scenario`). It prints one line per run and the count of runs that ended cleanly, and
exits 1 if any did not. The same generator feeds the property-based test
(``tests/test_reliability.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from dataclasses import dataclass

import numpy as np

from experiments.pool import Stopped, WorkerError, run_parallel, stop_on_signals
from experiments.runner import run_scenario
from experiments.scenario import scenario_from_dict
from sim.params import RunSettings


def random_scenario(rng: np.random.Generator, name: str = "random") -> dict:
    """A random valid scenario (as a parsed TOML dict): policy levers, a dated change, some rates."""
    u = rng.random
    policy: dict = {}
    if u() < 0.5:
        first = int(rng.integers(2025, 2031))
        policy |= {"programme_nultreden_total": float(rng.integers(0, 300_000)),
                   "programme_geclusterd_total": float(rng.integers(0, 150_000)),
                   "programme_zorggeschikt_total": float(rng.integers(0, 80_000)),
                   "programme_first_year": first,
                   "programme_last_year": first + int(rng.integers(0, 10)),
                   "programme_social_share": float(u())}
    if u() < 0.5:
        policy |= {"logeerzorg_share": float(u()), "logeerzorg_burden_factor": float(u())}
    if u() < 0.4:
        policy |= {"verpleeghuis_places_target": float(rng.integers(110_000, 140_000)),
                   "wlz_at_home_in_zorggeschikt": bool(u() < 0.5)}
    if u() < 0.5:
        policy |= {"verzorgingshuis_places_total": float(rng.integers(1_000, 60_000)),
                   "verzorgingshuis_places_per_year": float(rng.integers(1_000, 20_000)),
                   "verzorgingshuis_first_year": int(rng.integers(2025, 2035)),
                   "verzorgingshuis_min_age_years": float(rng.uniform(55, 85)),
                   "verzorgingshuis_wlz_stay_share": float(u())}
    if u() < 0.5:
        policy |= {"kostendelersnorm": str(rng.choice(["current", "abolished", "exempt_older"])),
                   "sharing_per_year": float(rng.uniform(0, 0.2)),
                   "sharing_per_year_with_cut": float(rng.uniform(0, 0.05)),
                   "lodger_counts_for_kostendelersnorm": bool(u() < 0.5)}
    if u() < 0.5:
        policy |= {"hospitaverhuur": True, "hospita_tenants_allowed": bool(u() < 0.5),
                   "hospita_per_year": float(rng.uniform(0, 0.05)),
                   "hospita_contract_max_years": float(rng.uniform(0.2, 10))}
    out: dict = {"scenario": {"name": name, "description": "random valid scenario (stress test)"}}
    if policy:
        out["policy"] = policy
    out["care"] = {"heavy_rr_dementia": float(rng.uniform(1, 3)),
                   "dementia_onset_at80_per_year": float(rng.uniform(0.005, 0.03))}
    out["moving"] = {"search_start_definite_per_year": float(rng.uniform(0.2, 2)),
                     "accept_probability": float(rng.uniform(0.3, 1))}
    if u() < 0.5:
        out["change"] = [{"year": int(rng.integers(2026, 2036)),
                          "policy": {"older_mover_priority_all_types": bool(u() < 0.5),
                                     "keep_rent": bool(u() < 0.5),
                                     "moving_allowance_eur": float(rng.uniform(0, 10_000))}}]
    return out


@dataclass(frozen=True)
class StressRun:
    """One stress run: its seed, settings and scenario (``None``: the baseline)."""

    seed: int
    settings: RunSettings
    scenario: dict | None


def one_run(run: StressRun) -> float:
    """Runs one stress run with ``--debug``; returns its wall time (raises on any failure)."""
    t0 = time.perf_counter()
    data = run.scenario or {"scenario": {"name": "baseline"}}
    run_scenario(scenario_from_dict(data, source=f"stress seed {run.seed}"), run.settings, debug=True)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Runs the stress test and prints the count of runs that ended cleanly."""
    parser = argparse.ArgumentParser(prog="python -m experiments.stress", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="number of runs (seeds 1..N)")
    parser.add_argument("--scale", type=float, default=0.002, help="scale of every run")
    parser.add_argument("--end", type=int, default=2050, help="last year of every run")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(20261128)
    runs = [StressRun(seed, RunSettings(scale=args.scale, seed=seed, end_year=args.end),
                      random_scenario(rng, f"random_{seed}") if seed % 2 == 0 else None)
            for seed in range(1, args.runs + 1)]
    t0 = time.perf_counter()
    ok = []

    def done(run: StressRun, seconds: float) -> None:
        ok.append(run.seed)
        kind = "random scenario" if run.scenario else "baseline"
        print(f"seed {run.seed:4d} ({kind}): clean in {seconds:.1f} s "
              f"[{len(ok)}/{len(runs)}, {time.perf_counter() - t0:.0f} s]", flush=True)

    failed = []

    def fail(run: StressRun, error: WorkerError) -> None:
        failed.append(run.seed)
        print(f"FAILED: {error}", flush=True)

    with contextlib.suppress(Stopped), stop_on_signals():
        run_parallel(runs, one_run, args.workers, done, describe=lambda r: f"seed {r.seed}",
                     preload=["experiments.runner"], on_error=fail)
    print(f"{len(ok)} of {len(runs)} runs ended cleanly (--debug: invariants checked every step) in "
          f"{time.perf_counter() - t0:.0f} s with {args.workers} workers; {len(failed)} failed")
    return 0 if not failed and len(ok) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
