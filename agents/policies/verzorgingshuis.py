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
* ``verzorgingshuis_rent_eur_month``, ``verzorgingshuis_service_eur_month``,
  ``verzorgingshuis_huurtoeslag``: what a resident pays (the letter: wonen en zorg gescheiden, the
  residents pay the rent themselves, and no huurtoeslag because the places are not self-contained).
  The rent grows with the DAEB rent limit, the service costs with incomes; with the switch the
  huurtoeslag of :func:`agents.money.huurtoeslag_month` (one person, its age) is deducted
  (:func:`resident_cost_month`). An eligible person is willing to take a place in a step when a draw
  of the ``verzorgingshuis`` stream (sub-stream ``willing``, by person id, a new one every step: the
  place is offered again each month while places are free) is below
  ``exp(-accept_cost_sensitivity x rise)``, with ``rise`` the yearly rise in housing cost (plus the
  moving cost, as for an offered dwelling) over disposable income (:func:`agents.money.rise_share`);
  the unwilling are not admitted in that step (indicator ``verzorgingshuis_declined_on_cost``: the
  unwilling of the December step).
* ``verzorgingshuis_wlz_stay_share``: residents keep their care state; a resident who reaches heavy
  care registers for a verpleeghuis place with the usual probabilities times ``1 - share`` (the others
  receive Wlz care in the verzorgingshuis) and moves on when admitted, freeing the place
  (:func:`registration_factor`).
"""

from __future__ import annotations

import numpy as np

from agents import money
from sim.codes import (
    INSTITUTION_TENURE,
    NOT_WAITING,
    REGIE,
    VERZORGINGSHUIS,
    is_home,
    is_one_of,
)
from sim.households import partner_of, row_of, slot_of
from sim.outputs import declare
from sim.process import Context, Process

INDICATORS = declare(
    ("verzorgingshuis_admissions", "persons per year", "Admissions to a verzorgingshuis", "flow"),
    ("verzorgingshuis_declined_on_cost", "persons",
     "Persons eligible for a verzorgingshuis place who would not pay its cost (31 December; 0 "
     "where no place is planned)", "mean"),
    ("verzorgingshuis_resident_cost_eur_month", "EUR per month",
     "Mean rent and service costs a verzorgingshuis resident pays, after huurtoeslag (31 December)",
     "mean"),
    ("verzorgingshuis_resident_woonquote_median", "share of disposable income",
     "Median share of disposable income verzorgingshuis residents pay for rent and services", "mean"),
    ("cost_huurtoeslag_verzorgingshuis_eur", "EUR per year",
     "Huurtoeslag paid to verzorgingshuis residents, at the rate of 31 December", "flow"),
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
          & is_home(hh.dwelling[rows])
          & (hh.age_months.ravel()[flat] >= pp.verzorgingshuis_min_age_years * 12)
          & (hh.wlz_wait_since.ravel()[flat] == NOT_WAITING))
    flat = flat[ok]
    if len(flat):
        willing = ctx.streams.for_few("verzorgingshuis", hh.pid.ravel()[flat], "willing") \
            < np.exp(-ctx.params.money.accept_cost_sensitivity * cost_rise(ctx, row_of(flat)))
        if ctx.last_step_of_year:
            ctx.record.mean("verzorgingshuis_declined_on_cost",
                            np.array([hh.weight[row_of(flat[~willing])].sum()]), np.ones(1))
        flat = flat[willing]
    u = ctx.streams.for_few("verzorgingshuis", hh.pid.ravel()[flat])
    priority = -hh.age_months.ravel()[flat].astype(np.float64) + u
    return row_of(flat), slot_of(flat), priority


def resident_cost_month(ctx: Context, gross: np.ndarray, aow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Monthly cost of a place (rent and services, after huurtoeslag) and the huurtoeslag.

    Args:
        ctx: The process context.
        gross: Gross yearly income of the (single) residents, EUR of the current year.
        aow: True where the resident is at AOW age.
    """
    pp, mp = ctx.params.policy, ctx.params.money
    rules, incomes = money.rule_index(ctx), money.income_index(ctx)
    rent = pp.verzorgingshuis_rent_eur_month * rules
    toeslag = np.zeros(len(gross))
    if pp.verzorgingshuis_huurtoeslag:
        toeslag = money.huurtoeslag_month(np.full(len(gross), rent), gross, np.ones(len(gross)), aow, mp,
                                          rules, incomes)
    return rent - toeslag + pp.verzorgingshuis_service_eur_month * incomes, toeslag


def cost_rise(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """Yearly rise in housing cost of moving into a place, as a share of disposable income.

    An owner sells its home: the equity released counts as in :func:`agents.money.rise_share`.
    """
    m = money.Household(ctx, rows)
    cost, _ = resident_cost_month(ctx, m.gross, m.aow)
    return money.rise_share(m, np.arange(len(rows)), cost, 0.0, ctx.params.money, m.equity)


def resident_money(ctx: Context) -> None:
    """Records what the verzorgingshuis residents pay (once a year, for 31 December)."""
    hh = ctx.households
    rows = np.flatnonzero(hh.active & (hh.dwelling == VERZORGINGSHUIS))
    if len(rows) == 0:
        return
    gross = money.gross_income(ctx, rows)
    aow = is_one_of(hh.benefit[rows], money.AOW_BENEFITS)
    cost, toeslag = resident_cost_month(ctx, gross, aow)
    w = hh.weight[rows].astype(np.float64)
    ctx.record.mean("verzorgingshuis_resident_cost_eur_month", cost, w)
    disposable = np.maximum(money.disposable_income(ctx, rows, gross), 1.0)
    ctx.record.mean("verzorgingshuis_resident_woonquote_median",
                    np.array([money.weighted_median(cost * 12 / disposable, w)]), np.ones(1))
    ctx.record.flow("cost_huurtoeslag_verzorgingshuis_eur", float((w * toeslag).sum() * 12))


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
