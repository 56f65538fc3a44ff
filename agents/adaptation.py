"""Wmo home adaptations: a regular home of a household with a limitation becomes step-free.

On 1 January 2025 a share ``moving.adapted_share_initial`` of the homes of households with a
limitation that are not step-free is already adapted (set-up). Each step the remaining such homes are
adapted at the hazard ``moving.adaptation_per_year`` (stream ``adaptation``, by the person id of the
household's first adult).
"""

from __future__ import annotations

import numpy as np

from sim.codes import LIMITATION, is_home
from sim.households import care_need
from sim.outputs import declare
from sim.process import Context, Process
from sim.rates import step_probability


def limited_not_step_free(hh, dw) -> tuple[np.ndarray, np.ndarray]:
    """Rows and dwelling ids of the private households with a limitation or more in a home not step-free."""
    p0, p1 = hh.present[:, 0], hh.present[:, 1]
    limited = ((hh.care[:, 0] >= LIMITATION) & p0) | ((hh.care[:, 1] >= LIMITATION) & p1)
    rows = np.flatnonzero(limited & hh.active & is_home(hh.dwelling))
    ids = hh.dwelling_id[rows]
    keep = ~dw.step_free[ids]
    return rows[keep], ids[keep]


def adaptation(ctx: Context) -> None:
    """Wmo home adaptations: a regular home of a household with a limitation becomes step-free."""
    dw = ctx.dwellings
    rows, ids = limited_not_step_free(ctx.households, dw)
    if len(rows) == 0:
        return
    u = ctx.streams.for_few("adaptation", ctx.households.pid[rows, 0])
    p = step_probability(ctx.params.moving.adaptation_per_year, ctx.steps_per_year)
    done = ids[u < p]
    dw.step_free[done] = True
    ctx.record.flow("home_adaptations", float(dw.weight[done].sum()))


def adapt_initial_stock(ctx: Context) -> None:
    """Set-up: marks the 2025 homes of households with a limitation as adapted (a share of them)."""
    hh, dw = ctx.households, ctx.dwellings
    rows = np.flatnonzero(hh.active & is_home(hh.dwelling))
    need = care_need(hh, rows)
    ids = hh.dwelling_id[rows]
    cand = (need >= LIMITATION) & ~dw.step_free[ids]
    u = ctx.streams.generator("adaptation", "initial").random(len(rows))
    dw.step_free[ids[cand & (u < ctx.params.moving.adapted_share_initial)]] = True


PROCESS = Process(
    "adaptation", adaptation, reads=("moving",), streams=("adaptation",), setup=adapt_initial_stock,
    records=declare(("home_adaptations", "dwellings per year", "Homes adapted to be step-free (Wmo)",
                     "flow")),
)
