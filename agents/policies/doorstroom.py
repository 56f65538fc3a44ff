"""Doorstroom incentives: priority for older movers, keeping the rent, help with moving.

Levers (``PolicyParams``), all off in the baseline; "older" is ``moving.older_mover_age_years`` (65):

* ``older_mover_priority_all_types``: the woningcorporaties give older movers priority for every
  dwelling type, not only geclusterd and zorggeschikt (read by the ``allocation`` process);
* ``keep_rent_acceptance``: an older social tenant who keeps the old rent when moving (huurprijs
  meenemen) accepts a social-rent offer with this much higher probability (``allocation``);
* ``moving_help_search_factor``: help with moving (verhuiscoach, costs) multiplies the search-start
  hazards of older households (``search``).
"""

from __future__ import annotations

import numpy as np

from sim.codes import CARE_DWELLING_TYPES, is_one_of
from sim.process import Context
from sim.rates import step_probability


def search_start_probability(ctx: Context, p: np.ndarray, rate: np.ndarray,
                             older: np.ndarray) -> np.ndarray:
    """Per-step search-start probabilities with help with moving for older households.

    Args:
        ctx: Context of the search process.
        p: The probabilities without help.
        rate: The yearly hazards they come from.
        older: True for older households.
    """
    factor = ctx.params.policy.moving_help_search_factor
    if factor == 1.0:
        return p
    return np.where(older, step_probability(rate * factor, ctx.steps_per_year), p)


def older_priority_types(ctx: Context, search_type: np.ndarray) -> np.ndarray:
    """True where an older mover gets priority for the dwelling type sought."""
    if ctx.params.policy.older_mover_priority_all_types:
        return np.ones(len(search_type), bool)
    return is_one_of(search_type, CARE_DWELLING_TYPES)


def keep_rent_bonus(ctx: Context) -> float:
    """Added acceptance probability of a social-rent offer for an older social tenant."""
    return ctx.params.policy.keep_rent_acceptance
