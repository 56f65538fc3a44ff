"""Scheiden wonen en zorg: verpleeghuis capacity held at a target, Wlz care at home in zorggeschikt.

Levers (``PolicyParams``):

* ``verpleeghuis_places_target``: verpleeghuis places that free up are closed (longest vacant first)
  until the national capacity is down to the target (0: no target); called by the ``wlz_admission``
  process before admission;
* ``wlz_at_home_in_zorggeschikt``: a person with a Wlz indication living in a zorggeschikte woning
  receives Wlz care there and does not register for a verpleeghuis place.
"""

from __future__ import annotations

import numpy as np

from sim.codes import VERPLEEGHUIS, ZORGGESCHIKT
from sim.outputs import declare
from sim.process import Context

INDICATORS = declare(
    ("verpleeghuis_places_closed", "places per year", "Verpleeghuis places closed", "flow"),
)


def close_places_above_target(ctx: Context) -> None:
    """Closes free verpleeghuis places while the capacity is above ``verpleeghuis_places_target``."""
    target = ctx.params.policy.verpleeghuis_places_target
    if target <= 0:
        return
    dw = ctx.dwellings
    places = np.flatnonzero(dw.active & (dw.type == VERPLEEGHUIS))
    excess = int(np.floor((dw.weight[places].sum() - target) / max(dw.weight[places[0]], 1e-9)
                          + 1e-9)) if len(places) else 0
    if excess <= 0:
        return
    free = places[dw.occupant[places] < 0]
    close = free[np.argsort(dw.vacant_since[free], kind="stable")[:excess]]
    if len(close):
        ctx.occupancy.close_places(close)
        ctx.record.flow("verpleeghuis_places_closed", float(dw.weight[close].sum()))


def may_register(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """True for the households whose Wlz indications may register for a verpleeghuis place."""
    if ctx.params.policy.wlz_at_home_in_zorggeschikt:
        return ctx.households.dwelling[rows] != ZORGGESCHIKT
    return np.ones(len(rows), bool)
