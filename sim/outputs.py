"""Indicators: the declaration type, the census of the state, and the registry of all indicators.

Every indicator is declared once with name, unit, label and kind. A *stock* is measured at 1 January of
its year (before the year's first step) by the census here. A *flow* is summed over the year's steps;
flows and event means are declared by the process that records them (``sim.process.Process.records``)
and gathered with the census into one registry (:func:`registry`). All values are at national scale:
household weights are applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import (
    HEAVY,
    LIMITATION,
    MODERATE,
    NOT_SEARCHING,
    NOT_WAITING,
    REGIE,
    VERPLEEGHUIS,
    VERZORGINGSHUIS,
    is_home,
    is_institution,
)
from sim.households import adult_count, is_shared, oldest_age_months

RESULTS_VERSION = 41
"""Version of the model's results: raised in the commit that changes results on purpose and regenerates
the golden files (``tests/golden.py`` refuses to write changed tables under the same version). A
stored run of a comparison is reused only with the same version."""


@dataclass(frozen=True)
class Indicator:
    """One model output.

    Attributes:
        name: Column value in ``indicators.parquet``.
        unit: Unit of the value.
        label: Short human-readable label (for tables and plots).
        kind: One of :data:`KINDS`.
    """

    name: str
    unit: str
    label: str
    kind: str


def declare(*rows: tuple[str, str, str, str]) -> tuple[Indicator, ...]:
    """Indicators from ``(name, unit, label, kind)`` rows (a declaration table)."""
    return tuple(Indicator(*row) for row in rows)


CENSUS = declare(
    ("persons_total", "persons", "Population (adults tracked plus children and co-residents)",
     "stock"),
    ("persons_55plus", "persons", "Persons aged 55+", "stock"),
    ("persons_65plus", "persons", "Persons aged 65+", "stock"),
    ("persons_75plus", "persons", "Persons aged 75+", "stock"),
    ("persons_80plus", "persons", "Persons aged 80+", "stock"),
    ("persons_85plus", "persons", "Persons aged 85+", "stock"),
    ("persons_90plus", "persons", "Persons aged 90+", "stock"),
    ("persons_65_74", "persons", "Persons aged 65-74", "stock"),
    ("potential_carers_per_85plus", "persons per person",
     "Persons aged 50-74 per person aged 85+ (the 'relatively young' older people an 85-plusser can "
     "call on; adults of the households)", "stock"),
    ("households_total", "households", "Private households", "stock"),
    ("households_55plus", "households", "Private households with a member aged 55+", "stock"),
    ("households_one_person", "households", "One-person private households", "stock"),
    ("share_75plus_independent", "share", "Share of 75+ living independently", "stock"),
    ("share_90plus_independent", "share", "Share of 90+ living independently", "stock"),
    ("persons_limitation", "persons", "Persons with a limitation (needs step-free)", "stock"),
    ("persons_moderate_care", "persons", "Persons with a moderate care need", "stock"),
    ("persons_loss_of_regie", "persons", "Persons with loss of regie, no network", "stock"),
    ("persons_wlz", "persons", "Persons with a Wlz indication (heavy care)", "stock"),
    ("persons_wlz_at_home", "persons", "Persons with a Wlz indication living at home", "stock"),
    ("institution_residents", "persons", "Residents of verpleeg- and verzorgingshuizen", "stock"),
    ("dementia_persons", "persons", "Persons with dementia", "stock"),
    ("verpleeghuis_residents", "persons", "Verpleeghuis residents", "stock"),
    ("verpleeghuis_places", "places", "Verpleeghuis places", "stock"),
    ("verpleeghuis_waiting", "persons", "Persons waiting for a verpleeghuis place", "stock"),
    ("verzorgingshuis_places", "places", "Verzorgingshuis places", "stock"),
    ("verzorgingshuis_residents", "persons", "Verzorgingshuis residents", "stock"),
    ("dwellings_total", "dwellings", "Dwellings (housing stock, institutions excluded)", "stock"),
    ("vacancy_rate", "share", "Share of the housing stock vacant", "stock"),
    ("intention_definite_65_74", "share of households", "Definite move intention, 65-74", "stock"),
    ("intention_maybe_65_74", "share of households", "Maybe move intention, 65-74", "stock"),
    ("intention_definite_75plus", "share of households", "Definite move intention, 75+", "stock"),
    ("intention_maybe_75plus", "share of households", "Maybe move intention, 75+", "stock"),
    ("searching_households", "households", "Households searching for a dwelling", "stock"),
    ("limitation_not_stepfree", "persons",
     "Persons with a limitation or more in a home that is not step-free", "stock"),
    ("applicants_waiting", "households", "Starters and immigrants searching a first dwelling",
     "stock"),
    ("shared_households", "households",
     "Households formed by two singles sharing a dwelling (not partners)", "stock"),
    ("lodgers", "persons", "Lodgers living with a hospita host", "stock"),
    ("move_rate_65_74", "per person per year", "Move rate at ages 65-74", "rate"),
    ("move_rate_75plus", "per person per year", "Move rate at ages 75+", "rate"),
    ("chain_links_mean", "links", "Mean number of links of the chains ended in the year", "chain"),
)
"""Indicators measured on the whole state: stocks on 1 January (:func:`stocks`,
:func:`housing_stocks`), rates (a flow of the year over a stock of 1 January, :data:`RATES`) and the
mean chain length of the year (from the chain book). Flows and event means are declared by the
processes that record them."""

RATES = {
    "move_rate_65_74": ("movers_65_74", "persons_65_74"),
    "move_rate_75plus": ("movers_75plus", "persons_75plus"),
}
"""Rates: a flow of the year divided by a stock of 1 January of the same year."""

KINDS = ("stock", "flow", "mean", "rate", "chain")
"""Kinds of indicator: ``stock`` at 1 January; ``flow`` summed over the year; ``mean`` a weighted mean
over the year's events; ``rate`` a flow over a stock; ``chain`` from the chain book at year end."""


def registry(*groups: tuple[Indicator, ...]) -> dict[str, Indicator]:
    """One dictionary of indicators by name from declaration tables, refusing a name declared twice.

    Raises:
        ValueError: For a name declared twice or an unknown kind, naming it.
    """
    out: dict[str, Indicator] = {}
    for group in groups:
        for ind in group:
            if ind.name in out:
                raise ValueError(f"indicator {ind.name!r} is declared twice")
            if ind.kind not in KINDS:
                raise ValueError(f"indicator {ind.name!r}: kind {ind.kind!r} is not one of {KINDS}")
            out[ind.name] = ind
    return out


def _masked_sum(mask: np.ndarray, values: np.ndarray) -> float:
    """Sum of ``values`` where ``mask`` is true, as ``values[mask].sum()`` (same order, same result).

    ``np.compress`` selects the same elements in the same order as boolean indexing, faster.
    """
    return float(np.compress(mask, values).sum())


def stocks(hh, extra_persons: float = 0.0) -> dict[str, float]:
    """Computes every stock indicator from the household arrays (national scale).

    Per-person masks are taken over the flattened ``(rows, 2)`` slots, in row-major order.

    Args:
        hh: The model's :class:`sim.population.Households`.
        extra_persons: Persons counted in ``persons_total`` outside households (applicants).

    Returns:
        Indicator name -> value.
    """
    act = hh.active
    w = hh.weight.astype(np.float64)
    present = (hh.present & act[:, None]).ravel()
    age = (hh.age_months // 12).ravel()
    wp = np.repeat(w, 2)
    inst = is_institution(hh.dwelling)
    inst_p = np.repeat(inst, 2)

    def persons(mask) -> float:
        return _masked_sum(present & mask, wp)

    out: dict[str, float] = {}
    out["persons_total"] = _masked_sum(present, wp) + _masked_sum(
        act, w * (hh.n_children + hh.n_coresidents)) + extra_persons
    lodging = act & (hh.lodger_pid >= 0)
    out["lodgers"] = _masked_sum(lodging, w)
    if out["lodgers"] > 0:
        out["persons_total"] += out["lodgers"]
    out["shared_households"] = _masked_sum(is_shared(hh), w)
    for a in (55, 65, 75, 80, 85, 90):
        out[f"persons_{a}plus"] = persons(age >= a)
    out["persons_65_74"] = persons((age >= 65) & (age <= 74))
    out["potential_carers_per_85plus"] = (persons((age >= 50) & (age < 75)) / out["persons_85plus"]
                                          if out["persons_85plus"] > 0 else float("nan"))
    private = act & ~inst
    oldest = np.where(act, oldest_age_months(hh) // 12, -1)
    out["households_total"] = _masked_sum(private, w)
    out["households_55plus"] = _masked_sum(private & (oldest >= 55), w)
    alone = private & (adult_count(hh) == 1) & (hh.n_children == 0) & (hh.n_coresidents == 0)
    out["households_one_person"] = _masked_sum(alone, w)
    for a in (75, 90):
        total = persons(age >= a)
        out[f"share_{a}plus_independent"] = (
            persons((age >= a) & ~inst_p) / total if total > 0 else float("nan")
        )
    care = hh.care.ravel()
    out["persons_limitation"] = persons(care == LIMITATION)
    out["persons_moderate_care"] = persons(care == MODERATE)
    out["persons_loss_of_regie"] = persons(care == REGIE)
    out["persons_wlz"] = persons(care == HEAVY)
    out["persons_wlz_at_home"] = persons((care == HEAVY) & ~inst_p)
    out["institution_residents"] = persons(inst_p)
    out["dementia_persons"] = persons(hh.dementia.ravel())
    return out


def housing_stocks(hh, dw, applicants, step_index: int) -> dict[str, float]:
    """Stock indicators of the dwellings, the market and the verpleeghuis waiting list (national scale).

    Args:
        hh: The households.
        dw: The dwellings.
        applicants: The starters and immigrants searching (:class:`sim.applicants.Applicants`).
        step_index: The current step (a registration dated later is not yet on the list).
    """
    w = dw.weight.astype(np.float64)
    inst = is_institution(dw.type)
    private = dw.active & ~inst
    places = dw.active & (dw.type == VERPLEEGHUIS)
    vzh = dw.active & (dw.type == VERZORGINGSHUIS)
    # on the list now (a logeerzorg user whose registration starts later is not yet waiting)
    since = hh.wlz_wait_since
    waiting = ((since != NOT_WAITING) & (since <= max(step_index, 0)) & hh.present).ravel()
    total = _masked_sum(private, w)
    at_home = hh.active & is_home(hh.dwelling)
    oldest = oldest_age_months(hh) // 12
    hw = hh.weight.astype(np.float64)
    out = {}
    for lo, hi, tag in ((65, 74, "65_74"), (75, 200, "75plus")):
        grp = at_home & (oldest >= lo) & (oldest <= hi)
        base = np.compress(grp, hw).sum()
        for level, name in ((2, "definite"), (1, "maybe")):
            out[f"intention_{name}_{tag}"] = (
                float(np.compress(grp & (hh.intention == level), hw).sum() / base) if base
                else float("nan"))
    out["searching_households"] = _masked_sum(at_home & (hh.search_since != NOT_SEARCHING), hw)
    ids = np.where(at_home, hh.dwelling_id, 0)
    unsuitable = ((hh.care >= LIMITATION) & hh.present
                  & (at_home & ~dw.step_free[ids])[:, None]).ravel()
    out["limitation_not_stepfree"] = _masked_sum(unsuitable, np.repeat(hw, 2))
    out["applicants_waiting"] = applicants.waiting_weight()
    return out | {
        "verpleeghuis_places": _masked_sum(places, w),
        "verpleeghuis_residents": _masked_sum(places & (dw.occupant >= 0), w),
        "verzorgingshuis_places": _masked_sum(vzh, w),
        "verzorgingshuis_residents": _masked_sum(vzh & (dw.occupant >= 0), w),
        # float32 weights summed as float32, as before
        "verpleeghuis_waiting": _masked_sum(waiting, np.repeat(hh.weight, 2)),
        "dwellings_total": total,
        "vacancy_rate": _masked_sum(private & (dw.occupant < 0), w) / total if total
        else float("nan"),
    }
