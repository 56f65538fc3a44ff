"""Occupying and vacating dwellings: the one place where households and dwellings are linked.

Every change of occupancy goes through :func:`vacate` or :func:`occupy`, which keep the two-way link
(``Households.dwelling_id`` and ``Dwellings.occupant``) and the vacancy-chain bookkeeping consistent.
"""

from __future__ import annotations

import numpy as np

from sim.population import INSTITUTION_TENURE, VERPLEEGHUIS, VERZORGINGSHUIS

INSTITUTION_TYPES = (VERPLEEGHUIS, VERZORGINGSHUIS)


def is_institution_type(dtype) -> np.ndarray:
    """True for verpleeghuis and verzorgingshuis places."""
    return np.isin(dtype, INSTITUTION_TYPES)


def vacate(model, rows: np.ndarray, cause: str) -> np.ndarray:
    """Households ``rows`` leave their dwellings for good (the households end).

    Private dwellings freed this way start a vacancy chain with ``cause``; institution places are
    simply freed.

    Returns:
        The ids of the private dwellings that became vacant.
    """
    hh, dw = model.households, model.dwellings
    rows = np.asarray(rows)
    ids = hh.dwelling_id[rows]
    model.ledger["households_ended"] += len(rows)
    hh.active[rows] = False
    hh.dwelling_id[rows] = -1
    hh.n_children[rows] = 0
    hh.n_coresidents[rows] = 0
    ids = ids[ids >= 0]
    free_dwellings(model, ids)
    private = ids[~is_institution_type(dw.type[ids])]
    start_chains(model, private, cause)
    return private


def free_dwellings(model, ids: np.ndarray) -> None:
    """Marks dwellings vacant from the current step."""
    dw = model.dwellings
    dw.occupant[ids] = -1
    dw.vacant_since[ids] = model.step_index


def start_chains(model, ids: np.ndarray, cause: str) -> None:
    """Starts a vacancy chain on each of the (vacant, private) dwellings ``ids``."""
    if len(ids) == 0:
        return
    dw = model.dwellings
    dw.chain[ids] = model.chains.start(
        year=model.year, step=model.step_index, dwelling_type=dw.type[ids],
        tenure=dw.tenure[ids], cause=cause, weight=dw.weight[ids],
    )
    if cause != "initial":
        model.add_flow("chains_started", dw.weight[ids].sum())


def occupy(model, rows: np.ndarray, ids: np.ndarray) -> None:
    """Households ``rows`` (without a dwelling) move into the vacant dwellings ``ids``."""
    hh, dw = model.households, model.dwellings
    if len(ids) and (dw.occupant[ids] >= 0).any():
        raise AssertionError("a household was moved into an occupied dwelling")
    hh.dwelling_id[rows] = ids
    hh.dwelling[rows] = dw.type[ids]
    hh.tenure[rows] = np.where(is_institution_type(dw.type[ids]), INSTITUTION_TENURE, dw.tenure[ids])
    hh.months_in_dwelling[rows] = 0
    dw.occupant[ids] = rows
    dw.vacant_since[ids] = -1
