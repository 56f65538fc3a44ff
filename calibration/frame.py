"""The survey frame: one row per private household with the variables WoON asks, from a survey or a run.

A calibration compares moments of two frames with the same columns (:data:`COLUMNS`): the data frame
read from a WoON ``.sav`` (:mod:`calibration.woon`) or made of published figures, and the model frame
of a run (:func:`model_frame`). Moments (:mod:`calibration.moments`) are computed the same way on both.

The model frame also carries each household's intention probabilities (``p_definite``, ``p_maybe``),
so that model moments of intentions are expectations rather than draws: they change smoothly with the
parameters, which a gradient-based fit needs (a smooth simulator).
"""

from __future__ import annotations

import numpy as np

from agents.intention import age_group, care_mismatch, intention_logits, intention_probabilities
from sim.codes import LIMITATION, NOT_SEARCHING, is_institution
from sim.households import care_need, household_size, oldest_age_months

COLUMNS: dict[str, str] = {
    "weight": "households represented (survey weight or the model's row weight)",
    "age": "age of the oldest adult, whole years",
    "tenure": "0 owner, 1 social rent, 2 private rent (sim.codes.TENURES)",
    "intention": "move intention within two years: 0 no, 1 maybe, 2 definitely (WoON)",
    "limitation": "1 if an adult has a limitation or a greater care need",
    "mismatch": "1 if a care need is not met by the dwelling (not step-free, or no care for care)",
    "widowed_recent": "1 if a partner died in the last two years",
    "years_in_dwelling": "years lived in the present dwelling",
    "household_size": "persons in the household",
}
"""The frame's columns and what they mean; a data frame has all of them."""

EXPECTED = ("p_definite", "p_maybe")
"""Extra columns of a model frame: the intention probabilities behind the drawn intention."""

FOLLOW = ("row", "hid", "dwelling_id")
"""Extra columns of a model frame that identify each household (its row then, and its number, which
stays when rows are compacted at a year's end) and its dwelling, so that a later state of the model
can say who has moved since (:func:`moved_since`)."""


def model_frame(model) -> dict[str, np.ndarray]:
    """The frame of a model's private households now, with their intention probabilities.

    The probabilities are those the intention process would give each household now (with the
    intercepts it solved at the start); households that are searching keep the intention they had.
    """
    hh, dw = model.households, model.dwellings
    rows = np.flatnonzero(hh.active & ~is_institution(hh.dwelling))
    ctx = model.contexts["intention"]
    mp = model.params.moving
    x_def, x_may = intention_logits(hh, dw, rows, model.step_index, mp)
    age = oldest_age_months(hh, rows) // 12
    a_def, a_may = ctx.memory["intercepts"]
    group = age_group(age)
    p_def, p_may = intention_probabilities(x_def, x_may, a_def[group], a_may[group])
    searching = hh.search_since[rows] != NOT_SEARCHING
    intention = hh.intention[rows].astype(np.int64)
    # a searching household's intention is fixed: its probabilities are those of its intention
    p_def = np.where(searching, intention == 2, p_def)
    p_may = np.where(searching, intention == 1, p_may)
    return {
        "weight": hh.weight[rows].astype(np.float64),
        "age": age.astype(np.int64),
        "tenure": hh.tenure[rows].astype(np.int64),
        "intention": intention,
        "limitation": (care_need(hh, rows) >= LIMITATION).astype(np.int64),
        "mismatch": care_mismatch(hh, dw, rows).astype(np.int64),
        "widowed_recent": ((model.step_index - hh.widowed_step[rows].astype(np.int64))
                           < 2 * model.settings.steps_per_year).astype(np.int64),
        "years_in_dwelling": hh.months_in_dwelling[rows] / 12.0,
        "household_size": household_size(hh, rows),
        "p_definite": p_def.astype(np.float64),
        "p_maybe": p_may.astype(np.float64),
        "row": rows,
        "hid": hh.hid[rows].astype(np.int64),
        "dwelling_id": hh.dwelling_id[rows].astype(np.int64),
    }


def moved_since(model, frame: dict[str, np.ndarray], months: int) -> np.ndarray:
    """For each household of an earlier model frame: 1 if it has moved since, 0 if not, -1 if it ended.

    ``months`` is the time since the frame was taken. A household has moved if it lives in another
    dwelling (an institution included) or has moved in within those months (and perhaps back); it
    has ended if no adult is left in it (deaths, a single who joined a partner's household) or its row
    was dropped at a year's end.
    """
    hh = model.households
    # the households' rows now, found by their numbers (rows ascend with the numbers)
    rows = np.minimum(np.searchsorted(hh.hid, frame["hid"]), max(hh.n - 1, 0))
    found = (hh.hid[rows] == frame["hid"]) if hh.n else np.zeros(len(rows), bool)
    moved = (hh.dwelling_id[rows] != frame["dwelling_id"]) | (hh.months_in_dwelling[rows] < months)
    return np.where(found & hh.active[rows], moved.astype(np.int64), -1)


LINK_COLUMNS: dict[str, str] = {
    "weight": "households the link stands for (its chain's weight)",
    "year": "year of the move",
    "age": "age of the mover (the oldest adult), whole years",
    "new_build": "1 if the dwelling moved into was newly built (the first link of a chain started by "
                 "new building, sim.chains)",
}
"""Columns of the link frame: one row per move into a vacancy recorded in the chain book."""


def link_frame(model) -> dict[str, np.ndarray]:
    """The moves of a run so far as a link frame (:data:`LINK_COLUMNS`)."""
    book = model.chains
    links, chains = book.links_table(), book.chains_table()
    chain = links["chain_id"]
    new_build = (chains["start_cause"][chain] == "new_build") & (links["link_number"] == 1)
    return {"weight": chains["weight"][chain].astype(np.float64), "year": links["year"].astype(np.int64),
            "age": links["mover_age"].astype(np.int64), "new_build": new_build.astype(np.int64)}


PERSON_COLUMNS: dict[str, str] = {
    "weight": "persons the adult stands for (the household's weight)",
    "age": "age, whole years",
    "dementia": "1 with dementia",
    "limitation": "1 with a limitation or a greater care need",
    "at_home": "1 living in a private household (not in a verpleeg- or verzorgingshuis)",
}
"""Columns of the person frame: one row per adult of an active household (children and lodgers,
who are not followed one by one, are not in it)."""


def person_frame(model) -> dict[str, np.ndarray]:
    """The adults of a model now as a person frame (:data:`PERSON_COLUMNS`)."""
    hh = model.households
    rows = np.flatnonzero(hh.active)
    present = hh.present[rows]
    r, slot = np.nonzero(present)
    rr = rows[r]
    return {
        "weight": hh.weight[rr].astype(np.float64),
        "age": (hh.age_months[rr, slot] // 12).astype(np.int64),
        "dementia": hh.dementia[rr, slot].astype(np.int64),
        "limitation": (hh.care[rr, slot] >= LIMITATION).astype(np.int64),
        "at_home": (~is_institution(hh.dwelling[rr])).astype(np.int64),
    }
