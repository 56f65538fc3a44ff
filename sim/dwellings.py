"""The dwelling stock as column arrays, consistent with the synthetic population of 2025.

Every household lives in one dwelling (``Households.dwelling_id``) and every occupied dwelling names its
household (``Dwellings.occupant``). Verpleeghuis places are dwellings of type ``verpleeghuis`` with one
resident each; they are not part of the housing stock for vacancy rates and vacancy chains.

The 2025 stock (:func:`build_stock`):

1. one dwelling per private household, of the household's type, tenure and province; rooms from the type,
   tenure and household size (:func:`draw_rooms`); a regular dwelling with enough rooms is a family
   home (:func:`is_family_home`);
2. verpleeghuis places per province: the national number of places (``wlz.verpleeghuis_places``) split
   like the 2025 residents, never fewer than the residents;
3. vacant dwellings: ``housing.initial_vacancy_rate`` of the private stock, with the attributes of
   randomly chosen occupied dwellings, vacant for up to ``housing.initial_vacant_months_max``; each
   starts a vacancy chain with cause ``initial`` (:class:`sim.occupancy.Occupancy`).
"""

from __future__ import annotations

import numpy as np

from sim.codes import INSTITUTION_TENURE, OWNER, REGULAR, VERPLEEGHUIS
from sim.columns import ColumnTable
from sim.households import Households, household_size
from sim.params import HousingParams, Parameters

COLUMNS: dict[str, tuple[type, bool, object]] = {
    "active": (np.bool_, False, False),
    "weight": (np.float32, False, 0.0),
    "type": (np.int8, False, 0),
    "family": (np.bool_, False, False),
    "tenure": (np.int8, False, 0),
    "rooms": (np.int8, False, 0),
    "step_free": (np.bool_, False, False),
    "region": (np.int8, False, 0),
    "occupant": (np.int32, False, -1),
    # step from which the dwelling is vacant (-1: occupied); int16 as the households' step columns
    "vacant_since": (np.int16, False, -1),
    # the running vacancy chain of a vacant dwelling (-1: none); chain ids are counted from 0 in a run
    # (about 12 million in a national run 2025-2050)
    "chain": (np.int32, False, -1),
    # money (agents/prices.py): rent of a rented dwelling, WOZ value of an owner-occupied one (EUR)
    "rent_eur_month": (np.float32, False, 0.0),
    # the rent a new tenant pays (market rent; for social rent the corporation's target rent)
    "market_rent_eur_month": (np.float32, False, 0.0),
    "value_eur": (np.float32, False, 0.0),
    # household row the price was last set for (-1: vacant then; -2: not priced yet)
    "priced_for": (np.int32, False, -2),
}

class Dwellings(ColumnTable):
    """Dwellings as a struct of arrays (see :class:`sim.columns.ColumnTable`)."""

    COLUMNS = COLUMNS


def draw_rooms(dtype, tenure, size, rng, hp: HousingParams) -> np.ndarray:
    """Rooms of dwellings (``HousingParams``: assumptions; Dutch dwellings average about 4 rooms).

    Base by type (``rooms_by_type``), ``owner_extra_rooms`` more for owners, at least the household
    size for regular homes (up to ``regular_rooms_for_size_max``), plus a random -1, 0 or +1, within
    1 to ``rooms_max``.
    """
    base = np.asarray(hp.rooms_by_type)[dtype] + hp.owner_extra_rooms * (tenure == OWNER)
    base = np.where(dtype == REGULAR, np.maximum(base, np.minimum(size, hp.regular_rooms_for_size_max)),
                    base)
    rooms = base + rng.integers(-1, 2, len(base))
    return np.clip(rooms, 1, hp.rooms_max).astype(np.int8)


def is_family_home(dtype, rooms, hp: HousingParams) -> np.ndarray:
    """True for regular dwellings with at least ``family_home_min_rooms`` rooms."""
    return (np.asarray(dtype) == REGULAR) & (np.asarray(rooms) >= hp.family_home_min_rooms)


def build_stock(hh: Households, params: Parameters, rng, scale: float) -> Dwellings:
    """Builds the 2025 dwelling stock for a population and links households to their dwellings.

    Args:
        hh: The households (their ``dwelling_id`` is set here).
        params: Model parameters.
        rng: Generator for set-up draws.
        scale: Sample fraction (weights are ``1 / scale``).

    Returns:
        The dwellings, with spare capacity for new building.
    """
    act = np.flatnonzero(hh.active)
    weight = np.float32(1.0 / scale)
    dtype = hh.dwelling[act]
    tenure = hh.tenure[act]
    hp = params.housing
    rooms = draw_rooms(dtype, tenure, household_size(hh)[act], rng, hp)

    # verpleeghuis places: occupied ones are in `act`; add the free places per province
    inst = dtype == VERPLEEGHUIS
    n_regions = int(hh.region.max()) + 1 if hh.n else 1
    residents = np.bincount(hh.region[act][inst], minlength=n_regions)
    share = residents / max(residents.sum(), 1)
    places = np.maximum(np.round(share * params.wlz.verpleeghuis_places * scale), residents)
    free_places = (places - residents).astype(np.int64)
    free_region = np.repeat(np.arange(n_regions), free_places)

    # vacant private dwellings, copies of random occupied private dwellings
    private = np.flatnonzero(~inst)
    n_vacant = int(round(hp.initial_vacancy_rate * len(private) / (1 - hp.initial_vacancy_rate)))
    src = private[rng.integers(0, len(private), n_vacant)] if len(private) else np.zeros(0, int)

    n_occ, n_free = len(act), len(free_region)
    n = n_occ + n_free + n_vacant
    d_type = np.concatenate([dtype, np.full(n_free, VERPLEEGHUIS, np.int8), dtype[src]])
    d_tenure = np.concatenate([tenure, np.full(n_free, INSTITUTION_TENURE, np.int8), tenure[src]])
    d_region = np.concatenate([hh.region[act], free_region.astype(np.int8), hh.region[act][src]])
    d_rooms = np.concatenate([rooms, np.ones(n_free, np.int8), rooms[src]])
    occupant = np.concatenate([act, np.full(n_free + n_vacant, -1)]).astype(np.int32)
    vacant_since = np.concatenate([
        np.full(n_occ, -1), np.zeros(n_free),
        -rng.integers(0, hp.initial_vacant_months_max, n_vacant),
    ]).astype(np.int16)

    dw = Dwellings(capacity=int(n * 1.3) + 64)
    dw.append({
        "weight": np.full(n, weight, np.float32),
        "type": d_type, "tenure": d_tenure, "region": d_region, "rooms": d_rooms,
        "family": is_family_home(d_type, d_rooms, hp),
        "step_free": d_type != REGULAR,
        "occupant": occupant, "vacant_since": vacant_since,
    })
    hh.dwelling_id[act] = np.arange(n_occ, dtype=np.int32)
    return dw
