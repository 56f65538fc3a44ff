"""Building and demolition of the housing stock (market-led; the building programme is a policy).

* Demolition: ``turnover.demolitions_per_year`` vacant regular dwellings a year (national), longest
  vacant first; their chains end with cause ``demolition``.
* Building: each year up to ``new_dwellings_per_year`` dwellings are completed (types and tenures by
  ``new_dwelling_type_shares`` and ``new_dwelling_tenure_shares``, provinces by household shares),
  fewer as the vacancy rate rises (:func:`market_build_factor`); each starts a chain with cause
  ``new_build``.

Yearly national numbers become sample rows per step with a carry-over (:meth:`Context.per_step`).
"""

from __future__ import annotations

import numpy as np

from sim.codes import GECLUSTERD, NULTREDEN, OWNER, PRIVATE, REGULAR, SOCIAL, ZORGGESCHIKT, is_institution
from sim.dwellings import draw_rooms, is_family_home
from sim.population import region_probabilities
from sim.process import Context, Process

NEW_DWELLING_SIZE = 2
"""Household size the rooms of a new dwelling are drawn for (assumption: a household of two)."""


def building(ctx: Context) -> None:
    """Demolition of long-vacant regular dwellings and completion of new dwellings."""
    dw = ctx.dwellings
    tp = ctx.params.turnover
    g = ctx.streams.generator("building")
    k = ctx.per_step("demolition", tp.demolitions_per_year)
    if k:
        cand = np.flatnonzero(dw.active & (dw.occupant < 0) & (dw.type == REGULAR))
        ctx.occupancy.demolish(cand[np.argsort(dw.vacant_since[cand], kind="stable")[:k]])
    k = ctx.per_step("new_build", tp.new_dwellings_per_year * market_build_factor(ctx))
    if k:
        build_dwellings(ctx, k, g)


def market_build_factor(ctx: Context) -> float:
    """Share of the baseline completions built this step, falling linearly with vacancy.

    1 while the vacancy rate is at most ``build_full_below_vacancy_rate``, 0 from
    ``build_none_above_vacancy_rate`` on: developers do not build into empty markets.
    """
    dw = ctx.dwellings
    tp = ctx.params.turnover
    private = dw.active & ~is_institution(dw.type)
    rate = (dw.weight[private & (dw.occupant < 0)].sum() / max(dw.weight[private].sum(), 1e-9))
    lo, hi = tp.build_full_below_vacancy_rate, tp.build_none_above_vacancy_rate
    if hi <= lo:
        return 1.0 if rate <= lo else 0.0
    return float(np.clip((hi - rate) / (hi - lo), 0.0, 1.0))


def build_dwellings(ctx: Context, k: int, g: np.random.Generator, dtype=None, tenure=None,
                    region=None) -> np.ndarray:
    """Completes ``k`` new vacant dwellings (types, tenures, provinces drawn from ``g`` unless given).

    The calling process reads the ``turnover`` and ``housing`` groups.

    Returns:
        The ids of the new dwellings.
    """
    tp, hp = ctx.params.turnover, ctx.params.housing
    types = np.array([REGULAR, NULTREDEN, GECLUSTERD, ZORGGESCHIKT])
    ts = np.asarray(tp.new_dwelling_type_shares, float)
    if dtype is None:
        dtype = types[g.choice(4, size=k, p=ts / ts.sum())]
    if tenure is None:
        tn = np.asarray(tp.new_dwelling_tenure_shares, float)
        tenure = np.array([OWNER, SOCIAL, PRIVATE])[g.choice(3, size=k, p=tn / tn.sum())]
    if region is None:
        shares = region_probabilities()
        region = g.choice(len(shares), size=k, p=shares)
    dtype = np.asarray(dtype, np.int8)
    tenure = np.asarray(tenure, np.int8)
    rooms = draw_rooms(dtype, tenure, np.full(k, NEW_DWELLING_SIZE), g, hp)
    return ctx.occupancy.build({
        "weight": np.full(k, 1.0 / ctx.scale, np.float32),
        "type": dtype, "tenure": tenure, "region": np.asarray(region, np.int8), "rooms": rooms,
        "family": is_family_home(dtype, rooms, hp), "step_free": dtype != REGULAR,
    })


PROCESS = Process("building", building, reads=("turnover", "housing"), streams=("building",))
