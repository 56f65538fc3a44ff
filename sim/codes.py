"""The integer codes stored in the column arrays, with their names (the index of a name is its code).

One place for every code of the model: sexes, tenures, dwelling types (and which of them are
institution places), care states, benefits, move intentions and the markers of "not waiting" and
"not searching". Tables written to Parquet use the names.
"""

from __future__ import annotations

import numpy as np

SEXES = ("male", "female")
MALE, FEMALE = range(2)

TENURES = ("owner", "social", "private", "institution")
OWNER, SOCIAL, PRIVATE, INSTITUTION_TENURE = range(4)

DWELLING_TYPES = ("regular", "nultreden", "geclusterd", "zorggeschikt", "verzorgingshuis", "verpleeghuis")
REGULAR, NULTREDEN, GECLUSTERD, ZORGGESCHIKT, VERZORGINGSHUIS, VERPLEEGHUIS = range(6)
INSTITUTION_TYPES = (VERZORGINGSHUIS, VERPLEEGHUIS)
"""Institution places: not part of the housing stock, never carry a vacancy chain."""
CARE_DWELLING_TYPES = (GECLUSTERD, ZORGGESCHIKT)
"""Dwellings that meet a moderate care need."""

CARE_STATES = ("none", "limitation", "moderate", "regie", "heavy")
"""Care states per adult, in order of need: none; a limitation (needs a step-free home); a moderate
care need; loss of regie without network; heavy care (a Wlz indication)."""
NONE, LIMITATION, MODERATE, REGIE, HEAVY = range(5)

BENEFITS = ("work_or_other", "aow", "aow_pension", "aow_aio", "bijstand")
WORK, AOW, AOW_PENSION, AOW_AIO, BIJSTAND = range(5)

INTENTIONS = ("none", "maybe", "definite")
"""WoON's move intention levels (codes 0, 1, 2)."""

HOUSEHOLD_TYPES = ("single", "couple", "with_others")
"""Household types recorded with chain links: one adult, two adults, or with children/co-residents."""

NOT_WAITING = int(np.iinfo(np.int16).min)
"""``wlz_wait_since`` of a person not on the verpleeghuis waiting list (the smallest int16: the step
columns are int16, see :data:`sim.households.COLUMNS`)."""
NOT_SEARCHING = int(np.iinfo(np.int16).min)
"""``search_since`` of a household that is not searching; also ``widowed_step`` when never widowed and
``arrived_step`` of a household that is not a recent immigrant (the smallest int16)."""


def is_one_of(codes, members) -> np.ndarray:
    """True where a code is one of ``members`` (a few codes; faster than ``np.isin`` for them)."""
    codes = np.asarray(codes)
    out = codes == members[0]
    for code in members[1:]:
        out |= codes == code
    return out


# the institution places are the last dwelling codes, so that one comparison tells them apart
if INSTITUTION_TYPES != tuple(range(VERZORGINGSHUIS, len(DWELLING_TYPES))):
    raise RuntimeError("the institution codes must be the last dwelling codes (is_institution compares once)")


def is_institution(dwelling_type) -> np.ndarray:
    """True for verpleeghuis and verzorgingshuis places (codes of dwellings or of households' homes).

    One comparison: the institution codes are the last of :data:`DWELLING_TYPES`.
    """
    return np.asarray(dwelling_type) >= VERZORGINGSHUIS


def is_home(dwelling_type) -> np.ndarray:
    """True for dwellings of the housing stock (``~is_institution`` in one comparison)."""
    return np.asarray(dwelling_type) < VERZORGINGSHUIS
