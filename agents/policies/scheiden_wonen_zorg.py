"""Scheiden wonen en zorg: verpleeghuis capacity held at a target, Wlz care at home in zorggeschikt.

Levers (``PolicyParams``):

* ``verpleeghuis_places_target``: a cap below the baseline's capacity path (``wlz.capacity_path_*``,
  current policy: back to 130,000 places after 2026): places that free up are closed, longest vacant
  first, until the capacity is down to the cap (0: no cap); read by the ``wlz_admission`` process;
* ``wlz_at_home_in_zorggeschikt``: a person with a Wlz indication living in a zorggeschikte woning
  receives Wlz care there and does not register for a verpleeghuis place.
"""

from __future__ import annotations

import numpy as np

from sim.codes import ZORGGESCHIKT
from sim.process import Context


def capacity_cap(ctx: Context) -> float | None:
    """The lever's cap on verpleeghuis places (national), or ``None`` without one."""
    target = ctx.params.policy.verpleeghuis_places_target
    return target if target > 0 else None


def may_register(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """True for the households whose Wlz indications may register for a verpleeghuis place."""
    if ctx.params.policy.wlz_at_home_in_zorggeschikt:
        return ctx.households.dwelling[rows] != ZORGGESCHIKT
    return np.ones(len(rows), bool)
