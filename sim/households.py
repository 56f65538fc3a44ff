"""Households as column arrays, and the helpers that read and change their adult slots.

:class:`Households` is a struct of arrays with spare capacity: row ``i`` is one household within a
year; at each year's end the engine drops the rows of households that ended and renumbers the others
in their order (:meth:`sim.columns.ColumnTable.compact`; random draws go by person id, so they do not
depend on rows, and the order of rows stays the order of creation). A household has up to
two adults in slots 0 and 1; per-adult columns have shape ``(rows, 2)``. A household whose last adult
leaves becomes inactive. Every adult has a person id (``pid``) that follows them when they move to
another row; random draws are indexed by it. Every row carries a ``weight``: the number of real
households it stands for.

**Person slots.** A per-adult column flattened with ``ravel()`` lists the adults row by row: the
*person index* of slot ``s`` of row ``r`` is ``2 r + s``. :func:`person_index`, :func:`row_of`,
:func:`slot_of` and :func:`partner_of` convert between the two; nothing else does arithmetic on
person indices.
"""

from __future__ import annotations

import numpy as np

from sim.codes import NONE, NOT_SEARCHING, NOT_WAITING
from sim.columns import ColumnTable, take_rows

# column name -> (dtype, per-adult?, fill value of an unused row/slot). Step columns (``*_step``,
# ``*_since``, ``lodger_until``) are int16: a run has at most 12 steps a year to 2100
# (sim.params.RunSettings), under 1,000 steps, and the "none" markers are the smallest int16
COLUMNS: dict[str, tuple[type, bool, object]] = {
    "active": (np.bool_, False, False),
    # the household's number in order of creation (its row until rows are compacted at a year's end)
    "hid": (np.int32, False, -1),
    "weight": (np.float32, False, 0.0),
    "present": (np.bool_, True, False),
    "pid": (np.int32, True, -1),
    "age_months": (np.int16, True, 0),
    "sex": (np.int8, True, 0),
    "care": (np.int8, True, 0),
    "dementia": (np.bool_, True, False),
    # step of the Wlz indication, or of the end of the informal care of a person with one (from then
    # the person weighs registering for a verpleeghuis place as at a new indication)
    "wlz_step": (np.int16, True, -1),
    # informal care received: the carer's kind and state (agents.informal: kind codes and flag bits)
    "carer": (np.int8, True, 0),
    # severe loneliness of persons followed from loneliness.age_band_starts_years[0] (agents.loneliness)
    "lonely": (np.bool_, True, False),
    "tenure": (np.int8, False, 0),
    "dwelling": (np.int8, False, 0),
    "region": (np.int8, False, 0),
    "benefit": (np.int8, False, 0),
    "income_eur_year": (np.float32, False, 0.0),
    # wealth besides the own home (EUR of 2025): drawn in 2025, joined at a union, grown by the
    # equity an owner releases by moving to rent; 0 for starters and immigrants
    "savings_eur": (np.float32, False, 0.0),
    "children_nearby": (np.bool_, False, False),
    "n_children": (np.int16, False, 0),
    "n_coresidents": (np.int16, False, 0),
    # month of birth (months since January 2025, negative before) of up to CORESIDENT_SLOTS adult
    # co-residents; NO_CORESIDENT in an unused slot (see coresidents_from_age)
    "coresident_birth_month": (np.int16, 4, 2**15 - 1),
    "months_in_dwelling": (np.int16, False, 0),
    "dwelling_id": (np.int32, False, -1),
    "wlz_wait_since": (np.int16, True, NOT_WAITING),
    "widowed_step": (np.int16, False, NOT_SEARCHING),
    # step the first adult arrived from abroad (NOT_SEARCHING: not a recent immigrant)
    "arrived_step": (np.int16, False, NOT_SEARCHING),
    "intention": (np.int8, False, 0),
    "search_since": (np.int16, False, NOT_SEARCHING),
    "search_type": (np.int8, False, -1),
    "search_tenure": (np.int8, False, -1),
    # house sharing: person id of the adult in slot 1 who joined as a housemate (not a partner)
    "shared_pid": (np.int32, False, -1),
    # a single ready to share a dwelling, waiting for a housemate
    "sharing_ready": (np.bool_, False, False),
    # hospitaverhuur: one lodger per host, not followed individually (-1: no lodger)
    "lodger_pid": (np.int32, False, -1),
    "lodger_age_months": (np.int16, False, 0),
    "lodger_sex": (np.int8, False, 0),
    "lodger_until": (np.int16, False, 0),
}

ADULT_AGE_YEARS = 18
"""Age from which a person is an adult: immigrants form households, children become co-residents."""
CORESIDENT_SLOTS = 4
"""Adult co-residents whose age is followed per household; a fifth and later one (about 0.02% of
households in 2025) is counted in ``n_coresidents`` without an age (and so never as 27+)."""
NO_CORESIDENT = 2**15 - 1
"""``coresident_birth_month`` of an unused slot. The column is ``int16``: birth months from about -660
(a co-resident of 54 in 2025) to 2100's month 900 fit, 8 bytes a household for four slots."""

PERSON_COLUMNS = ("present", "pid", "age_months", "sex", "care", "dementia", "wlz_step",
                  "wlz_wait_since", "carer", "lonely")
"""Per-adult columns that move with a person."""


class Households(ColumnTable):
    """Households as a struct of arrays (see :class:`sim.columns.ColumnTable`).

    Columns are :data:`COLUMNS`; per-adult columns have shape ``(rows, 2)``.
    """

    COLUMNS = COLUMNS


# --- person slots -----------------------------------------------------------------------------------
def person_index(rows, slots) -> np.ndarray:
    """Person index (position in a flattened per-adult column) of slot ``slots`` of rows ``rows``."""
    return np.asarray(rows) * 2 + np.asarray(slots)


def row_of(person) -> np.ndarray:
    """Household row of each person index."""
    return np.asarray(person) >> 1


def slot_of(person) -> np.ndarray:
    """Adult slot (0 or 1) of each person index."""
    return np.asarray(person) & 1


def partner_of(person) -> np.ndarray:
    """Person index of the other slot of the same household (the partner or housemate, if present)."""
    return np.asarray(person) ^ 1


def present_persons(hh: Households) -> np.ndarray:
    """Person indices of all adults present, in row-major order."""
    return np.flatnonzero(hh.present.ravel())


def gather(parts) -> np.ndarray:
    """``concatenate([source[index] for source, index in parts])`` without the intermediate copies.

    Each part's gather is written straight into its slice of the result (``np.take`` with ``out``;
    mode ``wrap`` avoids the buffer ``raise`` needs: the indices are valid positions). An index of
    ``None`` takes ``source`` whole (an array of the result's length part).
    """
    lengths = [len(src) if idx is None else len(idx) for src, idx in parts]
    out = np.empty(sum(lengths), parts[0][0].dtype)
    pos = 0
    for (src, idx), k in zip(parts, lengths, strict=True):
        if idx is None:
            out[pos:pos + k] = src
        elif k:
            np.take(src, idx, out=out[pos:pos + k], mode="wrap")
        pos += k
    return out


def clear_slots(hh: Households, rows: np.ndarray, slots: np.ndarray) -> None:
    """Empties the given adult slots."""
    hh.present[rows, slots] = False
    hh.pid[rows, slots] = -1
    hh.care[rows, slots] = 0
    hh.dementia[rows, slots] = False
    hh.wlz_step[rows, slots] = -1
    hh.wlz_wait_since[rows, slots] = NOT_WAITING
    hh.carer[rows, slots] = 0
    hh.lonely[rows, slots] = False


def clear_households(hh: Households, rows: np.ndarray) -> None:
    """Empties both adult slots of the given rows."""
    clear_slots(hh, np.repeat(rows, 2), np.tile([0, 1], len(rows)))


def copy_person(hh: Households, to_rows, to_slot: int, from_rows, from_slot: int) -> None:
    """Copies the person columns of the adults in ``from_rows, from_slot`` into ``to_rows, to_slot``."""
    for name in PERSON_COLUMNS:
        col = getattr(hh, name)
        col[to_rows, to_slot] = col[from_rows, from_slot]


def move_survivor_to_slot0(hh: Households, rows: np.ndarray) -> None:
    """Keeps the invariant that a household's first slot holds an adult."""
    move = rows[~hh.present[rows, 0]]
    if len(move) == 0:
        return
    copy_person(hh, move, 0, move, 1)
    clear_slots(hh, move, np.ones(len(move), np.intp))


# --- per-household summaries of the adult slots -----------------------------------------------------
# These read the two slot columns separately: ``max(axis=1)`` or a fancy index of whole ``(rows, 2)``
# rows is many times slower in numpy than elementwise work on the two columns.


def slot_columns(col: np.ndarray, rows=None) -> tuple[np.ndarray, np.ndarray]:
    """The two slots of a per-adult column, for the given household rows.

    Args:
        col: A per-adult column of shape ``(n, 2)``.
        rows: Household rows (index array or boolean mask); all rows if ``None``.

    Returns:
        ``(slot 0, slot 1)``: views of the column if ``rows`` is ``None``, else copies.
    """
    if rows is None:
        return col[:, 0], col[:, 1]
    return col[:, 0][rows], col[:, 1][rows]


def is_shared(hh: Households, rows=None) -> np.ndarray:
    """True for households of two housemates (not partners) formed by house sharing.

    Args:
        hh: The households.
        rows: Household rows (index array or boolean mask); all rows if ``None``.
    """
    if rows is not None:
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
    shared_pid = hh.shared_pid if rows is None else hh.shared_pid[rows]
    out = shared_pid >= 0
    cand = np.flatnonzero(out)  # few households share: test the rest only for those
    if len(cand):
        r = cand if rows is None else rows[cand]
        out[cand] = hh.active[r] & hh.present[r, 1] & (hh.pid[r, 1] == shared_pid[cand])
    return out


def oldest_age_months(hh: Households, rows=None) -> np.ndarray:
    """Age in months of the oldest adult of each household.

    Args:
        hh: The households.
        rows: Household rows (index array or boolean mask); all rows if ``None``.

    Returns:
        ``int16`` array with one value per row, ``-1`` where no adult is present; ``// 12`` gives the
        age in whole years (and keeps ``-1``).
    """
    p0, p1 = slot_columns(hh.present, rows)
    a0, a1 = slot_columns(hh.age_months, rows)
    none = np.int16(-1)
    return np.maximum(np.where(p0, a0, none), np.where(p1, a1, none))


def adult_count(hh: Households, rows=None) -> np.ndarray:
    """Adults present in each household (``int64``; all rows if ``rows`` is ``None``)."""
    p0, p1 = slot_columns(hh.present, rows)
    return p0.astype(np.int64) + p1


def care_need(hh: Households, rows=None) -> np.ndarray:
    """Highest care state among the adults present in each household (``int8``, 0 if none)."""
    p0, p1 = slot_columns(hh.present, rows)
    c0, c1 = slot_columns(hh.care, rows)
    none = np.int8(NONE)
    return np.maximum(np.where(p0, c0, none), np.where(p1, c1, none))


def household_size(hh: Households, rows=None) -> np.ndarray:
    """Persons per household: adults present, children and adult co-residents.

    Args:
        hh: The households.
        rows: Household rows (index array or boolean mask); all rows if ``None``.

    Returns:
        ``int64`` array, one value per row.
    """
    if rows is None:
        return adult_count(hh) + hh.n_children + hh.n_coresidents
    return adult_count(hh, rows) + hh.n_children[rows] + hh.n_coresidents[rows]


def household_type(hh: Households, rows) -> np.ndarray:
    """Household type code (:data:`sim.codes.HOUSEHOLD_TYPES`) of the given rows."""
    others = (hh.n_children[rows] + hh.n_coresidents[rows]) > 0
    return np.where(others, 2, adult_count(hh, rows) - 1).astype(np.int8)


# --- adult co-residents (mostly adult children at home) ---------------------------------------------
def add_coresidents(hh: Households, rows: np.ndarray, birth_month: np.ndarray) -> None:
    """One adult co-resident born in ``birth_month`` joins each household of ``rows`` (rows unique).

    The age goes to the first free slot of ``coresident_birth_month``; with all slots taken the
    co-resident is counted without an age.
    """
    rows = np.asarray(rows)
    hh.n_coresidents[rows] += 1
    slots = take_rows(hh.coresident_birth_month, rows)
    free = slots == NO_CORESIDENT
    has = free.any(axis=1)
    r = rows[has]
    hh.coresident_birth_month[r, free[has].argmax(axis=1)] = np.asarray(birth_month)[has]


def remove_coresidents(hh: Households, rows: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """One adult co-resident of each household of ``rows`` (rows unique) leaves.

    Args:
        hh: The households.
        rows: Rows with at least one co-resident.
        slots: The slot of ``coresident_birth_month`` that leaves, or -1 for a co-resident counted
            without an age.

    Returns:
        The birth month of each leaver (:data:`NO_CORESIDENT` for one counted without an age).
    """
    rows, slots = np.asarray(rows), np.asarray(slots)
    tracked = slots >= 0
    out = np.full(len(rows), NO_CORESIDENT, np.int32)  # int32: callers subtract it from a month
    out[tracked] = hh.coresident_birth_month[rows[tracked], slots[tracked]]
    hh.coresident_birth_month[rows[tracked], slots[tracked]] = NO_CORESIDENT
    hh.n_coresidents[rows] -= 1
    return out


def move_coresidents(hh: Households, to_rows: np.ndarray, from_rows: np.ndarray) -> None:
    """The co-residents of ``from_rows`` join ``to_rows`` (pairwise; each row at most once)."""
    to_rows, from_rows = np.asarray(to_rows), np.asarray(from_rows)
    for k in range(CORESIDENT_SLOTS):
        born = hh.coresident_birth_month[from_rows, k]
        there = born != NO_CORESIDENT
        if there.any():
            # add_coresidents counts them; the untracked ones are added to the count below
            add_coresidents(hh, to_rows[there], born[there])
    untracked = hh.n_coresidents[from_rows] - coresidents_tracked(hh, from_rows)
    hh.n_coresidents[to_rows] += untracked.astype(np.int16)
    clear_coresidents(hh, from_rows)


def clear_coresidents(hh: Households, rows) -> None:
    """Households ``rows`` lose their adult co-residents (count and ages)."""
    hh.n_coresidents[rows] = 0
    hh.coresident_birth_month[rows] = NO_CORESIDENT


def coresidents_tracked(hh: Households, rows=None) -> np.ndarray:
    """Adult co-residents with a followed age per household (``int64``)."""
    slots = hh.coresident_birth_month if rows is None else take_rows(hh.coresident_birth_month, rows)
    return (slots != NO_CORESIDENT).sum(axis=1)


def coresidents_from_age(hh: Households, rows, month: int, age_years: int) -> np.ndarray:
    """Adult co-residents aged ``age_years`` or more in month ``month`` per household (``int64``).

    Args:
        hh: The households.
        rows: Household rows (index array or boolean mask); all rows if ``None``.
        month: Months since January 2025 (the engine's ``Context.month``).
        age_years: Age limit in whole years.
    """
    slots = hh.coresident_birth_month if rows is None else take_rows(hh.coresident_birth_month, rows)
    return (slots <= month - 12 * age_years).sum(axis=1)
