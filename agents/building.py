"""Building, transformation and demolition of the housing stock.

The programme for older people is a policy (:mod:`agents.policies.building_programme`).

* Demolition: ``turnover.demolitions_per_year`` vacant regular dwellings a year (national), longest
  vacant first; their chains end with cause ``demolition``.
* New building is an input path, not a thermostat: ``turnover.new_build_path_*`` gives the completions
  of each year (realised to 2024, then the national programme's pace as the baseline assumption),
  with types and tenures by ``new_dwelling_type_shares`` and ``new_dwelling_tenure_shares`` and
  provinces by household shares; each starts a chain with cause ``new_build``. The programme's
  nultreden and geclusterde woningen are part of this path (the letter's 900,000), so the path
  builds that many fewer of its own.
* Transformation: ``transformation_per_year`` dwellings from non-residential buildings (chain cause
  ``transformation``), with their own type and tenure shares.

Yearly national numbers become sample rows per step with a carry-over (:meth:`Context.per_step`).
"""

from __future__ import annotations

import numpy as np

from agents.construction import build_dwellings
from agents.policies import building_programme
from sim.codes import REGULAR
from sim.process import Context, Process


def building(ctx: Context) -> None:
    """Demolition of long-vacant regular dwellings, new building on the path, transformations."""
    dw = ctx.dwellings
    tp = ctx.params.turnover
    k = ctx.per_step("demolition", tp.demolitions_per_year)
    if k:
        cand = np.flatnonzero(dw.active & (dw.occupant < 0) & (dw.type == REGULAR))
        ctx.occupancy.demolish(cand[np.argsort(dw.vacant_since[cand], kind="stable")[:k]])
    per_year = completions_per_year(ctx) - building_programme.within_path_per_year(ctx)
    k = ctx.per_step("new_build", max(per_year, 0.0))
    if k:
        build_dwellings(ctx, k, ctx.streams.generator("building", "new_build"))
    k = ctx.per_step("transformation", tp.transformation_per_year)
    if k:
        build_dwellings(ctx, k, ctx.streams.generator("building", "transformation"),
                        type_shares=tp.transformation_type_shares,
                        tenure_shares=tp.transformation_tenure_shares, cause="transformation")


def completions_per_year(ctx: Context) -> float:
    """New dwellings a year (national) on the path ``turnover.new_build_path_*`` in this year."""
    tp = ctx.params.turnover
    return float(np.interp(ctx.year, tp.new_build_path_years, tp.new_build_path_per_year))


PROCESS = Process("building", building, reads=("turnover", "housing", "policy"),
                  streams=("building",))
