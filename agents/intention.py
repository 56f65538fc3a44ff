"""Move intention (WoON's none / maybe / definite), drawn once a year for 1 January.

Each private household that is not searching gets an intention from a multinomial logit on its
situation: the age group of the oldest adult sets the intercepts, and a care need the dwelling does not
meet, recent widowhood, under-occupation, ownership and long residence shift the odds
(``MovingParams``), as does a severely lonely adult (``loneliness.intention_effect``,
:mod:`agents.loneliness`). The intercepts are solved when the model starts (set-up) so that the 2025
population reproduces the target shares by age group (:func:`calibrate_intercepts`); afterwards
intentions follow the changing population. A searching household keeps its intention. Draws: the
``intention`` stream, by the person id of the household's first adult.
"""

from __future__ import annotations

import numpy as np

from sim.codes import (
    CARE_DWELLING_TYPES,
    LIMITATION,
    MODERATE,
    NOT_SEARCHING,
    OWNER,
    is_home,
    is_one_of,
)
from sim.columns import take_rows
from sim.households import care_need, household_size, oldest_age_months
from sim.params import LonelinessParams, MovingParams
from sim.process import Context, Process

AGE_GROUP_STARTS = (0, 55, 65, 75)
"""Age groups of the oldest adult for intentions (WoON's tables): <55, 55-64, 65-74, 75+."""


def age_group(oldest_years: np.ndarray) -> np.ndarray:
    """Index of the intention age group of each household."""
    return np.searchsorted(np.asarray(AGE_GROUP_STARTS), oldest_years, side="right") - 1


def care_mismatch(hh, dw, rows) -> np.ndarray:
    """True where a care need is not met by the dwelling.

    A limitation or more needs a step-free (or adapted) home; moderate care or more needs a
    geclusterd or zorggeschikt dwelling.
    """
    need = care_need(hh, rows)
    ids = hh.dwelling_id[rows]
    not_step_free = ~dw.step_free[ids]
    no_care = ~is_one_of(dw.type[ids], CARE_DWELLING_TYPES)
    return ((need >= LIMITATION) & not_step_free) | ((need >= MODERATE) & no_care)


N_SITUATIONS = 64
"""Situations of a household for its intention: six flags (:func:`situation_codes`)."""


def situation_codes(hh, dw, rows, step: int, mp: MovingParams, lp: LonelinessParams | None = None
                    ) -> np.ndarray:
    """The situation of each household as one code (``uint8``, 0-63), a bit per flag.

    Bits from the lowest: a care need the dwelling does not meet, widowed recently, under-occupied,
    owner, attached (long in the dwelling), a lonely adult (only with ``lp``).
    """
    code = care_mismatch(hh, dw, rows).astype(np.uint8)
    code |= ((step - hh.widowed_step[rows].astype(np.int64)) < mp.widowed_recent_months).astype(np.uint8) << 1
    under = (dw.rooms[hh.dwelling_id[rows]] - household_size(hh, rows)) >= mp.underoccupation_rooms
    code |= under.astype(np.uint8) << 2
    code |= (hh.tenure[rows] == OWNER).astype(np.uint8) << 3
    code |= (hh.months_in_dwelling[rows] >= mp.attachment_months).astype(np.uint8) << 4
    if lp is not None:
        code |= take_rows(hh.lonely, rows).any(axis=1).astype(np.uint8) << 5
    return code


def situation_logit_table(mp: MovingParams, lp: LonelinessParams | None = None
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Situation part of the logits (definite, maybe) of every situation code, intercepts excluded.

    With ``lp``, a household with a lonely adult adds ``lp.intention_effect``. Each code's logit is the
    sum of the effects of its flags in one fixed order, so reading this table by a household's code
    gives the number the sum over that household gives.
    """
    flags = ((np.arange(N_SITUATIONS)[:, None] >> np.arange(6)) & 1).astype(bool)
    mismatch, widowed, under, owner, attach, lonely = flags.T
    out = []
    for k in (0, 1):
        out.append(mismatch * mp.effect_mismatch[k] + widowed * mp.effect_widowed[k]
                   + under * mp.effect_underoccupation[k] + owner * mp.effect_owner[k]
                   + attach * mp.effect_attachment[k]
                   + lonely * (lp.intention_effect[k] if lp is not None else 0.0))
    return out[0], out[1]


def intention_logits(hh, dw, rows, step: int, mp: MovingParams, lp: LonelinessParams | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Situation part of the logits (definite, maybe) of the given households, intercepts excluded.

    With ``lp``, a household with a lonely adult adds ``lp.intention_effect``. Read from the table of
    :func:`situation_logit_table` by each household's :func:`situation_codes`.
    """
    code = situation_codes(hh, dw, rows, step, mp, lp)
    x_def, x_may = situation_logit_table(mp, lp)
    return x_def[code], x_may[code]


def intention_probabilities(x_def, x_may, a_def, a_may) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logit: probabilities of definite and maybe (none is the reference)."""
    e_def = np.exp(a_def + x_def)
    e_may = np.exp(a_may + x_may)
    denom = 1.0 + e_def + e_may
    return e_def / denom, e_may / denom


def calibrate_intercepts(group, weight, x_def, x_may, mp: MovingParams, iterations: int = 200,
                         cells: np.ndarray | None = None):
    """Solves the intercepts per age group so the weighted mean probabilities equal the targets.

    A target share of 0 gives an intercept of minus infinity (nobody has that intention).

    Args:
        group: Age group per household.
        weight: Weight per household.
        x_def: Situation logit of a definite intention per household.
        x_may: Situation logit of a maybe intention per household.
        mp: The moving parameters (the target shares).
        iterations: Fixed-point iterations.
        cells: Optional small non-negative integer label per household such that households with
            one label share their group and logits (the age group and situation code): the distinct
            combinations are then found among the labels, without sorting every household (the
            same combinations in the same order, so the same intercepts).

    Returns:
        Arrays ``(a_def, a_may)`` indexed by age group.
    """
    n_groups = len(AGE_GROUP_STARTS)
    t_def = np.asarray(mp.intention_definite_share, float)
    t_may = np.asarray(mp.intention_maybe_share, float)
    rest = 1 - t_def - t_may  # above 0: checked by MovingParams
    a_def, a_may = _log_odds(t_def, rest), _log_odds(t_may, rest)
    # households share few distinct (group, x_def, x_may) combinations: iterate on those, weighted
    if cells is None:
        combos, inverse = unique_rows((np.asarray(group, float), x_def, x_may))
    else:
        # one household of each label stands for it (the first), and each household takes its label's
        # combination: the inverse np.unique would give
        n = len(cells)
        first = np.full(int(cells.max(initial=0)) + 1, n)
        first[cells[::-1]] = np.arange(n)[::-1]  # the lowest index of each label
        present = np.flatnonzero(first < n)
        one = first[present]
        combos, of_label = unique_rows((np.asarray(group[one], float), x_def[one], x_may[one]))
        rank = np.zeros(len(first), np.intp)
        rank[present] = np.arange(len(present))
        inverse = of_label[rank[cells]]
    cw = np.bincount(inverse, weights=weight, minlength=len(combos))
    group, x_def, x_may, weight = combos[:, 0].astype(np.intp), combos[:, 1], combos[:, 2], cw
    wsum = np.bincount(group, weights=weight, minlength=n_groups)
    ok_def, ok_may = (wsum > 0) & (t_def > 0), (wsum > 0) & (t_may > 0)
    for _ in range(iterations):
        p_def, p_may = intention_probabilities(x_def, x_may, a_def[group], a_may[group])
        m_def = np.bincount(group, weights=weight * p_def, minlength=n_groups) / np.maximum(wsum, 1e-12)
        m_may = np.bincount(group, weights=weight * p_may, minlength=n_groups) / np.maximum(wsum, 1e-12)
        a_def[ok_def] += np.log(t_def[ok_def] / m_def[ok_def])
        a_may[ok_may] += np.log(t_may[ok_may] / m_may[ok_may])
    return a_def, a_may


def unique_rows(columns) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)``, in less memory.

    Each column is replaced by the rank of its value among the column's distinct values, and the
    ranks are combined into one integer key in the same lexicographic order, so the distinct rows
    come out in the order ``np.unique`` gives them (a test checks that both agree). The stacked
    rows and their sort are what the full population's set-up held at its peak.

    Returns:
        ``(rows, inverse)``: the distinct rows (float64, one column per input) and the row of each
        element (1-d).
    """
    key, values = None, []
    for col in columns:
        v, rank = np.unique(col, return_inverse=True)
        values.append(v)
        rank = rank.ravel().astype(np.int64)
        key = rank if key is None else key * len(v) + rank
        del rank
    keys, inverse = np.unique(key, return_inverse=True)
    del key
    out = []
    for v in reversed(values):
        out.append(v[keys % len(v)])
        keys = keys // len(v)
    return np.stack(out[::-1], axis=1).astype(np.float64), inverse.ravel()


def _log_odds(share: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """``log(share / rest)``, minus infinity where the share is 0."""
    out = np.full(len(share), -np.inf)
    pos = share > 0
    out[pos] = np.log(share[pos] / rest[pos])
    return out


def private_households(hh) -> np.ndarray:
    """Rows of active households living in the housing stock (not in an institution)."""
    return np.flatnonzero(hh.active & is_home(hh.dwelling))


INTENTION_CHUNK = 1 << 18
"""Households whose intentions :func:`draw_intentions` draws at a time (bounds the yearly pass's
temporaries, about 60 bytes a household; the draws are by person id)."""


def _cells(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Situation code, age group and cell (age group x situation) of the households ``rows``."""
    hh = ctx.households
    code = situation_codes(hh, ctx.dwellings, rows, ctx.step, ctx.params.moving, ctx.params.loneliness)
    group = age_group(oldest_age_months(hh, rows) // 12).astype(np.int8)  # -1 .. a few groups
    cell = group.astype(np.intp) * N_SITUATIONS + code  # group -1 (no adult) reads the last group
    return code, group, cell


def draw_intentions(ctx: Context) -> None:
    """Draws every private household's intention for the coming year (the first time: set-up).

    The first call (set-up, on the 2025 population) also solves the intercepts. The draws go in
    chunks of :data:`INTENTION_CHUNK` households (each household's intention depends on its own
    row and its draw by person id alone).
    """
    hh = ctx.households
    mp = ctx.params.moving
    rows = private_households(hh)
    intercepts = ctx.memory.get("intercepts")
    x_def, x_may = situation_logit_table(mp, ctx.params.loneliness)
    cell = None
    if intercepts is None:
        code, group, cell = _cells(ctx, rows)
        intercepts = ctx.memory["intercepts"] = calibrate_intercepts(
            group, hh.weight[rows], x_def[code], x_may[code], mp,
            cells=cell + N_SITUATIONS)  # from 0: group -1 too has labels of its own
        del code, group
    else:
        # a household already searching keeps its intention until it moves or gives up
        rows = rows[hh.search_since[rows] == NOT_SEARCHING]
    a_def, a_may = intercepts
    # the probabilities of every (age group, situation), read by each household's: the same numbers
    # as computed household by household, with two exponentials per cell instead of per household
    cells = np.arange(len(a_def) * N_SITUATIONS)
    g, c = cells // N_SITUATIONS, cells % N_SITUATIONS
    t_def, t_may = intention_probabilities(x_def[c], x_may[c], a_def[g], a_may[g])
    draw = ctx.streams.counter("intention")
    for lo in range(0, len(rows), INTENTION_CHUNK):
        part = rows[lo:lo + INTENTION_CHUNK]
        at = cell[lo:lo + INTENTION_CHUNK] if cell is not None else _cells(ctx, part)[2]
        p_def, p_may = t_def[at], t_may[at]
        u = draw(hh.pid[part, 0])
        hh.intention[part] = np.where(u < p_def, 2, np.where(u < p_def + p_may, 1, 0)).astype(np.int8)


def intention(ctx: Context) -> None:
    """Draws intentions in the last step of each year (they hold from 1 January)."""
    if ctx.last_step_of_year:
        draw_intentions(ctx)


PROCESS = Process("intention", intention, reads=("moving", "loneliness"), streams=("intention",),
                  setup=draw_intentions)
