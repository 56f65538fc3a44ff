"""Ageing: every adult grows one step older, and every household one step longer in its dwelling."""

from __future__ import annotations

import numpy as np

from sim.process import Context, Process

MONTHS_IN_DWELLING_MAX = 32_000
"""Cap of ``months_in_dwelling`` (the column is ``int16``)."""


def ageing(ctx: Context) -> None:
    """Adds one step to the age of every adult and to the time in the current dwelling."""
    hh = ctx.households
    months = np.int16(12 // ctx.steps_per_year)
    hh.age_months[:] += hh.present * months
    hh.months_in_dwelling[:] = np.minimum(hh.months_in_dwelling + hh.active * months,
                                          MONTHS_IN_DWELLING_MAX)


PROCESS = Process("ageing", ageing)
