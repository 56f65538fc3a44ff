"""Helpers of the policy direction tests: runs paired by seed and their mean difference."""

import numpy as np
from conftest import SCENARIO_DIR as SCENARIOS

from experiments.runner import run_scenario
from experiments.scenario import load_scenario
from sim.params import RunSettings

SEEDS = (1, 2)
YEARS = range(2026, 2031)


def scenario_values(name: str, seed: int, scale: float = 0.004, end_year: int = 2030) -> dict:
    """Indicator values ``{(year, name): value}`` of a shipped scenario run with one seed."""
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    model, _ = run_scenario(scenario, RunSettings(scale=scale, seed=seed, end_year=end_year))
    return {(y, n): v for y, n, v in model.records}


def paired(runs: dict, policy: str, indicator: str) -> float:
    """Mean over seeds and years of policy minus baseline (same seed)."""
    diffs = [runs[(policy, s)][(y, indicator)] - runs[("baseline", s)][(y, indicator)]
             for s in SEEDS for y in YEARS]
    return float(np.mean(diffs))
