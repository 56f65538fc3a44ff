"""Severe loneliness of older persons, drawn once a year for 31 December.

Persons from ``loneliness.age_band_starts_years[0]`` (65) living at home or in a verzorgingshuis are
followed (verpleeghuis residents are not: the figures are of persons living at home). A person's odds
of severe loneliness are the intercept of its age band times the odds ratios of its situation:

- living without a partner (``odds_ratio_alone``; a housemate is not a partner);
- widowed in the last ``recent_widowhood_months`` (``odds_ratio_recently_widowed``);
- no child within reach (``odds_ratio_no_child_within_reach``; the kin network, :mod:`agents.kin`);
- a care need, a limitation or more (``odds_ratio_care_need``);
- living in a geclusterde or zorggeschikte woning or a verzorgingshuis (``odds_ratio_clustered``).

The intercepts are solved on the population of 1 January 2025 (set-up) so that the prevalence by age
band is the published one (:func:`solve_intercepts`); afterwards loneliness follows the changing
population. The state is a two-state Markov chain whose stationary probability is that of the
person's situation ``p``: a lonely person stays lonely with probability ``r + (1 - r) p``, another
becomes lonely with ``(1 - r) p`` (``r`` = ``persistence_per_year``); a person entering the followed
ages draws ``p``. Draws: stream ``loneliness``, by person id (set-up: key ``setup``).

Loneliness acts on moves: a household with a lonely adult has higher odds of a move intention
(:mod:`agents.intention`) and an older one without a care need seeks a geclusterde woning more often
(:mod:`agents.search`).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from sim.codes import (
    GECLUSTERD,
    LIMITATION,
    NOT_SEARCHING,
    VERPLEEGHUIS,
    VERZORGINGSHUIS,
    ZORGGESCHIKT,
    is_one_of,
)
from sim.households import partner_of, row_of
from sim.outputs import declare
from sim.params import LonelinessParams
from sim.process import Context, Process

CLUSTERED_TYPES = (GECLUSTERD, ZORGGESCHIKT, VERZORGINGSHUIS)
"""Homes with shared spaces and neighbours of the same age (``odds_ratio_clustered``)."""


def followed(ctx: Context) -> np.ndarray:
    """Person indices of the persons whose loneliness is followed (see the module docstring)."""
    hh = ctx.households
    lp = ctx.params.loneliness
    flat = np.flatnonzero(hh.present.ravel()
                          & (hh.age_months.ravel() >= lp.age_band_starts_years[0] * 12))
    return flat[hh.dwelling[row_of(flat)] != VERPLEEGHUIS]


def situation_logit(ctx: Context, flat: np.ndarray) -> np.ndarray:
    """The log odds of the situation of persons ``flat`` (intercepts excluded)."""
    hh = ctx.households
    lp = ctx.params.loneliness
    rows = row_of(flat)
    alone = ~hh.present.ravel()[partner_of(flat)] | (hh.shared_pid[rows] >= 0)
    widowed = ((hh.widowed_step[rows] != NOT_SEARCHING)
               & (ctx.step - hh.widowed_step[rows].astype(np.int64)
                  < lp.recent_widowhood_months * ctx.steps_per_year / 12))
    x = alone * np.log(lp.odds_ratio_alone)
    x += widowed * np.log(lp.odds_ratio_recently_widowed)
    x += ~hh.children_nearby[rows] * np.log(lp.odds_ratio_no_child_within_reach)
    x += (hh.care.ravel()[flat] >= LIMITATION) * np.log(lp.odds_ratio_care_need)
    x += is_one_of(hh.dwelling[rows], CLUSTERED_TYPES) * np.log(lp.odds_ratio_clustered)
    return x


def age_band(age_months: np.ndarray, lp: LonelinessParams) -> np.ndarray:
    """Index of each person's age band (``age_band_starts_years``)."""
    starts = np.asarray(lp.age_band_starts_years) * 12
    return np.maximum(np.searchsorted(starts, age_months, side="right") - 1, 0)


def solve_intercepts(band: np.ndarray, x: np.ndarray, weight: np.ndarray, lp: LonelinessParams) -> np.ndarray:
    """Intercept of each age band so that the weighted mean probability is the band's prevalence.

    A band without persons keeps the log odds of its prevalence; a prevalence of 0 or 1 gives an
    intercept of minus or plus infinity.
    """
    target = np.asarray(lp.prevalence_by_age, float)
    out = np.empty(len(target))
    for b, t in enumerate(target):
        sel = band == b
        if t <= 0 or t >= 1:
            out[b] = -np.inf if t <= 0 else np.inf
            continue
        if not sel.any():
            out[b] = np.log(t / (1 - t))
            continue
        combos, inverse = np.unique(x[sel], return_inverse=True)
        w = np.bincount(inverse.ravel(), weights=weight[sel], minlength=len(combos))
        w = w / w.sum()
        out[b] = brentq(lambda a, c=combos, w=w, t=t: float((w * expit(a + c)).sum()) - t, -30.0, 30.0)
    return out


def setup(ctx: Context) -> None:
    """Solves the intercepts on the 2025 population and draws its loneliness."""
    hh = ctx.households
    lp = ctx.params.loneliness
    flat = followed(ctx)
    x = situation_logit(ctx, flat)
    band = age_band(hh.age_months.ravel()[flat], lp)
    ctx.memory["intercepts"] = solve_intercepts(band, x, hh.weight[row_of(flat)].astype(np.float64), lp)
    p = expit(ctx.memory["intercepts"][band] + x)
    u = ctx.streams.generator("loneliness", "setup").random(len(flat))
    hh.lonely.ravel()[flat] = u < p


def loneliness(ctx: Context) -> None:
    """Draws every followed person's loneliness in the last step of the year (see the module docstring)."""
    if not ctx.last_step_of_year:
        return
    hh = ctx.households
    lp = ctx.params.loneliness
    flat = followed(ctx)
    age = hh.age_months.ravel()[flat]
    band = age_band(age, lp)
    p = expit(ctx.memory["intercepts"][band] + situation_logit(ctx, flat))
    r = lp.persistence_per_year
    entered = age < (lp.age_band_starts_years[0] + 1) * 12  # not followed a year ago
    before = hh.lonely.ravel()[flat] & ~entered
    p_now = np.where(entered, p, np.where(before, r + (1 - r) * p, (1 - r) * p))
    lonely = ctx.streams.for_few("loneliness", hh.pid.ravel()[flat]) < p_now
    hh.lonely.ravel()[flat] = lonely
    _record(ctx, flat, age, lonely)


def _record(ctx: Context, flat: np.ndarray, age: np.ndarray, lonely: np.ndarray) -> None:
    """Prevalence by age band and the lonely persons 75+, for 31 December."""
    w = ctx.households.weight[row_of(flat)].astype(np.float64)
    home = ctx.households.dwelling[row_of(flat)] != VERZORGINGSHUIS
    years = age // 12
    for name, lo, hi in (("share_65_74_lonely", 65, 75), ("share_75_84_lonely", 75, 85),
                         ("share_85plus_lonely", 85, 200), ("share_75plus_lonely", 75, 200)):
        sel = home & (years >= lo) & (years < hi)
        if sel.any():
            ctx.record.mean(name, lonely[sel].astype(np.float64), w[sel])
    old = years >= 75
    ctx.record.mean("lonely_75plus", np.array([float(w[old & lonely].sum())]), np.ones(1))


PROCESS = Process(
    "loneliness", loneliness, reads=("loneliness",), streams=("loneliness",), setup=setup,
    records=declare(
        ("share_65_74_lonely", "share of persons", "Persons 65-74 at home who are severely lonely", "mean"),
        ("share_75_84_lonely", "share of persons", "Persons 75-84 at home who are severely lonely", "mean"),
        ("share_85plus_lonely", "share of persons", "Persons 85+ at home who are severely lonely", "mean"),
        ("share_75plus_lonely", "share of persons", "Persons 75+ at home who are severely lonely", "mean"),
        ("lonely_75plus", "persons",
         "Severely lonely persons 75+, at home or in a verzorgingshuis (31 December)", "mean"),
    ),
)
