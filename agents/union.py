"""Unions: single adults moving in together; the merger frees one dwelling (chain cause ``merger``).

Each step, single men and women in private households become ready to move in together at the rate
``union_per_year`` of their age band (``union_age_years``: band edges; stream ``union``, sub-stream
``ready``, by person id); within each province, ready men and women are paired in random order
(sub-stream ``pairing``, :func:`agents.allocation.pair_within_groups`). The woman's household joins
the man's (children and co-residents come along) and her dwelling becomes vacant
(:meth:`sim.occupancy.Occupancy.merge`).
"""

from __future__ import annotations

import numpy as np

from agents.allocation import pair_within_groups
from sim.codes import FEMALE, MALE, is_home
from sim.outputs import declare
from sim.process import Context, Process
from sim.rates import step_probability


def union(ctx: Context) -> None:
    """Single adults of the union ages form couples; the woman's dwelling is freed."""
    hh = ctx.households
    tp = ctx.params.turnover
    age = hh.age_months[:, 0]
    edges = np.asarray(tp.union_age_years) * 12
    rows = np.flatnonzero(hh.active & is_home(hh.dwelling) & ~hh.present[:, 1]
                          & (age >= edges[0]) & (age < edges[-1]))
    band = np.searchsorted(edges, age[rows], side="right") - 1
    p = step_probability(np.asarray(tp.union_per_year, float), ctx.steps_per_year)[band]
    u = ctx.streams.for_few("union", hh.pid[:, 0][rows], "ready")
    ready = rows[u < p]
    if len(ready) < 2:
        return
    lot = ctx.streams.generator("union", "pairing").random(len(ready))
    is_man = hh.sex[ready, 0] == MALE
    is_woman = hh.sex[ready, 0] == FEMALE
    men, women = ready[is_man], ready[is_woman]
    im, iw = pair_within_groups(hh.region[men], lot[is_man], hh.region[women], lot[is_woman])
    if len(im) == 0:
        return
    m, w = men[im], women[iw]
    ctx.record.flow("unions", float(hh.weight[m].sum()))
    ctx.occupancy.merge(m, w, with_dependants=True)


PROCESS = Process(
    "union", union, reads=("turnover",), streams=("union",),
    records=declare(("unions", "households per year", "Singles moving in together", "flow")),
)
