"""Completing new dwellings: the one helper of market building, transformation and the programme."""

from __future__ import annotations

import numpy as np

from sim.codes import GECLUSTERD, NULTREDEN, OWNER, PRIVATE, REGULAR, SOCIAL, ZORGGESCHIKT
from sim.dwellings import draw_rooms, is_family_home
from sim.population import region_probabilities
from sim.process import Context

NEW_DWELLING_SIZE = 2
"""Household size the rooms of a new dwelling are drawn for (assumption: a household of two)."""


def build_dwellings(ctx: Context, k: int, g: np.random.Generator, dtype=None, tenure=None,
                    region=None, type_shares=None, tenure_shares=None,
                    cause: str = "new_build") -> np.ndarray:
    """Completes ``k`` new vacant dwellings (types, tenures, provinces drawn from ``g`` unless given).

    Types and tenures are drawn with ``type_shares`` and ``tenure_shares`` (those of new building,
    ``turnover.new_dwelling_*_shares``, unless given). The calling process reads the ``turnover`` and
    ``housing`` groups. Each dwelling starts a vacancy chain with ``cause``.

    Returns:
        The ids of the new dwellings.
    """
    tp, hp = ctx.params.turnover, ctx.params.housing
    types = np.array([REGULAR, NULTREDEN, GECLUSTERD, ZORGGESCHIKT])
    if dtype is None:
        ts = np.asarray(tp.new_dwelling_type_shares if type_shares is None else type_shares, float)
        dtype = types[g.choice(4, size=k, p=ts / ts.sum())]
    if tenure is None:
        tn = np.asarray(tp.new_dwelling_tenure_shares if tenure_shares is None else tenure_shares,
                        float)
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
    }, cause)
