"""Logeerzorg: respite stays let partners keep caring at home, so admission comes later.

Levers (``PolicyParams``): ``logeerzorg_share`` of the persons with a new Wlz indication who live with
a partner use respite stays and register for a verpleeghuis place only ``logeerzorg_delay_months``
later (stream ``logeerzorg``, by person id). Called by the ``wlz_admission`` process at registration.
"""

from __future__ import annotations

import numpy as np

from sim.households import partner_of, row_of
from sim.outputs import declare
from sim.process import Context

INDICATORS = declare(
    ("logeerzorg_users", "persons per year", "New indications using logeerzorg", "flow"),
)


def registration_start(ctx: Context, persons: np.ndarray, new: np.ndarray,
                       join: np.ndarray) -> np.ndarray:
    """The step from which each registering person is on the waiting list.

    Args:
        ctx: The context of the registering process (declares stream ``logeerzorg``).
        persons: Person indices of the persons with a Wlz indication who may register.
        new: True where the indication is new in this step.
        join: True where the person registers now.

    Returns:
        The current step, or later for logeerzorg users (``int64``, one per person).
    """
    hh = ctx.households
    pp = ctx.params.policy
    start = np.full(len(persons), ctx.step, np.int64)
    if pp.logeerzorg_share > 0:
        with_partner = new & hh.present.ravel()[partner_of(persons)]
        u = ctx.streams.for_few("logeerzorg", hh.pid.ravel()[persons])
        delayed = with_partner & (u < pp.logeerzorg_share)
        start[delayed] += int(round(pp.logeerzorg_delay_months * ctx.steps_per_year / 12))
        ctx.record.flow("logeerzorg_users", float(hh.weight[row_of(persons)[join & delayed]].sum()))
    return start
