"""Conversion of annual rates to per-step probabilities: the one place where this happens.

All behavioural rates are given per year (hazards, events per person-year). A step lasts
``1 / steps_per_year`` years. Under a constant hazard within the step, the probability of at least one
event in the step is ``1 - exp(-rate * dt)``.
"""

from __future__ import annotations

import numpy as np


def step_probability(rate_per_year, steps_per_year: int) -> np.ndarray:
    """Returns the probability of an event within one step for an annual hazard.

    Args:
        rate_per_year: Hazard per year (scalar or array), >= 0.
        steps_per_year: Steps per year (12 for monthly steps).

    Returns:
        ``1 - exp(-rate_per_year / steps_per_year)``, same shape as the input.
    """
    return -np.expm1(-np.asarray(rate_per_year, dtype=np.float64) / steps_per_year)


def annual_probability_to_rate(p_per_year) -> np.ndarray:
    """Converts an annual probability (for example a life-table q) to a constant hazard per year."""
    p = np.asarray(p_per_year, dtype=np.float64)
    return -np.log1p(-np.clip(p, 0.0, 1.0 - 1e-12))


def loglinear_rate(age_years, rate_at80_per_year, slope_per_year_of_age) -> np.ndarray:
    """Returns ``rate_at80 * exp(slope * (age - 80))``, the age profile used for care hazards."""
    age = np.asarray(age_years, dtype=np.float64)
    return rate_at80_per_year * np.exp(slope_per_year_of_age * (age - 80.0))
