"""Verzorgingshuis reintroduction: places built by the gemeenten, admission of persons who lost regie.

Levers (``PolicyParams``, all off in the baseline):

* ``verzorgingshuis_places_per_year``, ``verzorgingshuis_places_total``, ``verzorgingshuis_first_year``:
  from the first year the gemeente of each province completes its share (by households) of the places
  per year, until its share of the total is reached (process ``verzorgingshuis_places``). Places are
  institution places: no vacancy chain; they count as built in the ledger.
* ``verzorgingshuis_min_age_years``: eligible are persons with loss of regie (care state ``regie``:
  dementia without a partner or a child nearby) who live without a partner, are at least this old,
  are not in an institution and not on the verpleeghuis waiting list. Each step the zorgkantoor offers
  the free places of its province (longest vacant first) to the eligible, oldest first (assumption:
  age as a proxy of urgency, no registration date is kept), ties broken by a draw of the
  ``verzorgingshuis`` stream (:func:`eligible`; the ``wlz_admission`` process admits). The person's
  home is vacated (chain cause ``institution``).
* ``verzorgingshuis_wlz_stay_share``: residents keep their care state; a resident who reaches heavy
  care registers for a verpleeghuis place with the usual probabilities times ``1 - share`` (the others
  receive Wlz care in the verzorgingshuis) and moves on when admitted, freeing the place
  (:func:`registration_factor`).
"""

from __future__ import annotations

import numpy as np

from sim.codes import INSTITUTION_TENURE, NOT_WAITING, REGIE, VERZORGINGSHUIS, is_institution
from sim.households import partner_of, row_of, slot_of
from sim.outputs import declare
from sim.process import Context, Process

INDICATORS = declare(
    ("verzorgingshuis_admissions", "persons per year", "Admissions to a verzorgingshuis", "flow"),
)

PLACE_ROOMS = 1
"""Rooms of a place: one per resident (assumption)."""


def open_for_admission(ctx: Context) -> bool:
    """True when the scenario plans verzorgingshuis places (admission is then tried every step)."""
    return ctx.params.policy.verzorgingshuis_places_total > 0


def eligible(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The persons eligible for a verzorgingshuis place and their priority key (lower first).

    Returns:
        ``(rows, slots, priority)``; the key is minus the age in months plus a draw in [0, 1) of
        the ``verzorgingshuis`` stream (oldest first, ties by lot).
    """
    hh = ctx.households
    pp = ctx.params.policy
    flat = np.flatnonzero(hh.care.ravel() == REGIE)
    rows = row_of(flat)
    ok = (hh.present.ravel()[flat] & hh.active[rows] & ~hh.present.ravel()[partner_of(flat)]
          & ~is_institution(hh.dwelling[rows])
          & (hh.age_months.ravel()[flat] >= pp.verzorgingshuis_min_age_years * 12)
          & (hh.wlz_wait_since.ravel()[flat] == NOT_WAITING))
    flat = flat[ok]
    u = ctx.streams.for_few("verzorgingshuis", hh.pid.ravel()[flat])
    priority = -hh.age_months.ravel()[flat].astype(np.float64) + u
    return row_of(flat), slot_of(flat), priority


def registration_factor(ctx: Context, rows: np.ndarray) -> np.ndarray | None:
    """Factor on the verpleeghuis registration probabilities of the households ``rows``.

    Returns:
        ``1 - verzorgingshuis_wlz_stay_share`` in a verzorgingshuis and 1 elsewhere; ``None`` when
        the share is 0 (no factor).
    """
    stay = ctx.params.policy.verzorgingshuis_wlz_stay_share
    if stay <= 0:
        return None
    return np.where(ctx.households.dwelling[rows] == VERZORGINGSHUIS, 1.0 - stay, 1.0)


def build_places(ctx: Context) -> None:
    """Each gemeente completes this step's share of new verzorgingshuis places (with carry-over).

    A gemeente stops at its share of the national total (rounded to sample rows).
    """
    pp = ctx.params.policy
    if (pp.verzorgingshuis_places_per_year <= 0 or pp.verzorgingshuis_places_total <= 0
            or ctx.year < pp.verzorgingshuis_first_year):
        return
    for gemeente in ctx.institutions.gemeenten:
        k = ctx.per_step(f"verzorgingshuis_{gemeente.region}",
                         pp.verzorgingshuis_places_per_year * gemeente.share)
        cap = int(round(pp.verzorgingshuis_places_total * gemeente.share * ctx.scale))
        k = min(k, cap - gemeente.verzorgingshuis_rows)
        if k <= 0:
            continue
        ids = ctx.occupancy.build_places({
            "weight": np.full(k, 1.0 / ctx.scale, np.float32),
            "type": np.full(k, VERZORGINGSHUIS, np.int8),
            "tenure": np.full(k, INSTITUTION_TENURE, np.int8),
            "region": np.full(k, gemeente.region, np.int8),
            "rooms": np.full(k, PLACE_ROOMS, np.int8),
            "step_free": np.ones(k, bool),
        })
        ctx.record.flow("verzorgingshuis_places_built", float(ctx.dwellings.weight[ids].sum()))
        gemeente.verzorgingshuis_rows += k


PROCESS = Process(
    "verzorgingshuis_places", build_places, reads=("policy",),
    records=declare(("verzorgingshuis_places_built", "places per year",
                     "Verzorgingshuis places completed", "flow")),
)
