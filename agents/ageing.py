"""Ageing: adults and applicants grow one step older, households one step longer in their dwelling."""

from __future__ import annotations

import numpy as np

from sim.process import Context, Process

MONTHS_IN_DWELLING_MAX = 32_000
"""Cap of ``months_in_dwelling`` (the column is ``int16``)."""


def ageing(ctx: Context) -> None:
    """Adds one step to the age of every adult and applicant, and to the time in the dwelling."""
    hh, ap = ctx.households, ctx.applicants
    months = np.int16(12 // ctx.steps_per_year)
    hh.age_months[:] += hh.present * months
    ap.age_months[:] += ap.active * months
    ap.partner_age_months[:] += (ap.active & (ap.partner_pid >= 0)) * months
    hh.months_in_dwelling[:] = np.minimum(hh.months_in_dwelling + hh.active * months,
                                          MONTHS_IN_DWELLING_MAX)


PROCESS = Process("ageing", ageing)
