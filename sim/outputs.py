"""The output registry: every indicator declared once with name, unit, label and kind.

A *stock* is measured at 1 January of its year (before the year's first step). A *flow* is summed over
the year's steps. All values are at national scale: household weights are applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.population import (
    HEAVY,
    LIMITATION,
    MODERATE,
    NOT_SEARCHING,
    NOT_WAITING,
    REGIE,
    VERPLEEGHUIS,
    VERZORGINGSHUIS,
)


@dataclass(frozen=True)
class Indicator:
    """One model output.

    Attributes:
        name: Column value in ``indicators.parquet``.
        unit: Unit of the value.
        label: Short human-readable label (for tables and plots).
        kind: ``"stock"`` (at 1 January), ``"flow"`` (sum over the year), ``"mean"`` (weighted mean
            over the year's events) or ``"rate"`` (a flow of the year over a stock of 1 January).
    """

    name: str
    unit: str
    label: str
    kind: str


_DECLARED = [
    ("persons_total", "persons", "Population (adults tracked plus children and co-residents)",
     "stock"),
    ("persons_55plus", "persons", "Persons aged 55+", "stock"),
    ("persons_65plus", "persons", "Persons aged 65+", "stock"),
    ("persons_75plus", "persons", "Persons aged 75+", "stock"),
    ("persons_85plus", "persons", "Persons aged 85+", "stock"),
    ("persons_90plus", "persons", "Persons aged 90+", "stock"),
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
    ("deaths", "persons per year", "Deaths", "flow"),
    ("deaths_in_institution", "persons per year", "Deaths in an institution", "flow"),
    ("widowhoods", "persons per year", "Persons widowed", "flow"),
    ("households_dissolved", "households per year", "Households dissolved at the last death",
     "flow"),
    ("dwellings_vacated_by_death", "dwellings per year",
     "Private dwellings vacated by the death of the last resident", "flow"),
    ("dementia_onsets", "persons per year", "New dementia diagnoses", "flow"),
    ("limitation_onsets", "persons per year", "New limitations", "flow"),
    ("moderate_onsets", "persons per year", "New moderate care needs", "flow"),
    ("regie_onsets", "persons per year", "New losses of regie without network", "flow"),
    ("wlz_indications_new", "persons per year", "New Wlz indications", "flow"),
    ("wlz_admissions", "persons per year", "Admissions to a verpleeghuis", "flow"),
    ("verpleeghuis_residents", "persons", "Verpleeghuis residents", "stock"),
    ("verpleeghuis_places", "places", "Verpleeghuis places", "stock"),
    ("verpleeghuis_waiting", "persons", "Persons waiting for a verpleeghuis place", "stock"),
    ("verpleeghuis_waiting_months_mean", "months",
     "Mean waiting time of the persons admitted in the year", "mean"),
    ("dwellings_total", "dwellings", "Dwellings (housing stock, institutions excluded)", "stock"),
    ("vacancy_rate", "share", "Share of the housing stock vacant", "stock"),
    ("chains_started", "chains per year", "Vacancy chains started (initial vacancies excluded)",
     "flow"),
    ("chain_links_mean", "links", "Mean number of links of the chains ended in the year", "mean"),
    ("persons_65_74", "persons", "Persons aged 65-74", "stock"),
    ("moves_total", "persons per year", "Persons moving into a vacant dwelling", "flow"),
    ("moves_55plus", "persons per year", "Moving persons aged 55+", "flow"),
    ("movers_65_74", "persons per year", "Moving persons aged 65-74", "flow"),
    ("movers_75plus", "persons per year", "Moving persons aged 75+", "flow"),
    ("move_rate_65_74", "per person per year", "Move rate at ages 65-74", "rate"),
    ("move_rate_75plus", "per person per year", "Move rate at ages 75+", "rate"),
    ("intention_definite_65_74", "share of households", "Definite move intention, 65-74",
     "stock"),
    ("intention_maybe_65_74", "share of households", "Maybe move intention, 65-74", "stock"),
    ("intention_definite_75plus", "share of households", "Definite move intention, 75+", "stock"),
    ("intention_maybe_75plus", "share of households", "Maybe move intention, 75+", "stock"),
    ("searching_households", "households", "Households searching for a dwelling", "stock"),
    ("limitation_not_stepfree", "persons",
     "Persons with a limitation or more in a home that is not step-free", "stock"),
    ("family_homes_freed", "dwellings per year", "Family homes left by movers aged 55+", "flow"),
    ("home_adaptations", "dwellings per year", "Homes adapted to be step-free (Wmo)", "flow"),
    ("births", "persons per year", "Births", "flow"),
    ("unions", "households per year", "Singles moving in together", "flow"),
    ("dwellings_vacated_by_merger", "dwellings per year",
     "Dwellings freed when two households merge", "flow"),
    ("starters_new", "households per year", "Adult children leaving home to search", "flow"),
    ("starters_housed", "households per year", "Starters housed in a first own dwelling", "flow"),
    ("immigrant_households", "households per year", "Households arriving from abroad", "flow"),
    ("immigrants_housed", "households per year", "Immigrant households housed", "flow"),
    ("emigrant_households", "households per year", "Households leaving the country", "flow"),
    ("applicants_gave_up", "households per year",
     "Starters and immigrants who stopped searching", "flow"),
    ("applicants_waiting", "households", "Starters and immigrants searching a first dwelling",
     "stock"),
    ("dwellings_built", "dwellings per year", "New dwellings completed", "flow"),
    ("dwellings_demolished", "dwellings per year", "Dwellings demolished", "flow"),
    ("dwellings_vacated_by_admission", "dwellings per year",
     "Dwellings vacated by a move into an institution", "flow"),
]

REGISTRY: dict[str, Indicator] = {n: Indicator(n, u, lab, k) for n, u, lab, k in _DECLARED}
"""All indicators by name."""

FLOWS = tuple(n for n, ind in REGISTRY.items() if ind.kind == "flow")
RATES = {
    "move_rate_65_74": ("movers_65_74", "persons_65_74"),
    "move_rate_75plus": ("movers_75plus", "persons_75plus"),
}
"""Rates: a flow of the year divided by a stock of 1 January of the same year."""
MEANS = tuple(n for n, ind in REGISTRY.items() if ind.kind == "mean" and n != "chain_links_mean")
"""Means accumulated from events during the year (``chain_links_mean`` comes from the chain book)."""
STOCKS = tuple(n for n, ind in REGISTRY.items() if ind.kind == "stock")


def stocks(hh, extra_persons: float = 0.0) -> dict[str, float]:
    """Computes every stock indicator from the household arrays (national scale).

    Args:
        hh: The model's :class:`sim.population.Households`.
        extra_persons: Persons counted in ``persons_total`` outside households (applicants).

    Returns:
        Indicator name -> value.
    """
    act = hh.active
    w = hh.weight.astype(np.float64)
    present = hh.present & act[:, None]
    age = hh.age_months // 12
    wp = np.broadcast_to(w[:, None], present.shape)
    inst = np.isin(hh.dwelling, (VERPLEEGHUIS, VERZORGINGSHUIS))
    inst_p = np.broadcast_to(inst[:, None], present.shape)

    def persons(mask) -> float:
        return float(wp[present & mask].sum())

    out: dict[str, float] = {}
    out["persons_total"] = persons(np.ones_like(present)) + float(
        (w * (hh.n_children + hh.n_coresidents))[act].sum()
    ) + extra_persons
    for a in (55, 65, 75, 85, 90):
        out[f"persons_{a}plus"] = persons(age >= a)
    out["persons_65_74"] = persons((age >= 65) & (age <= 74))
    private = act & ~inst
    oldest = np.where(present, age, -1).max(axis=1)
    out["households_total"] = float(w[private].sum())
    out["households_55plus"] = float(w[private & (oldest >= 55)].sum())
    alone = private & (present.sum(axis=1) == 1) & (hh.n_children == 0) & (hh.n_coresidents == 0)
    out["households_one_person"] = float(w[alone].sum())
    for a in (75, 90):
        total = persons(age >= a)
        out[f"share_{a}plus_independent"] = (
            persons((age >= a) & ~inst_p) / total if total > 0 else float("nan")
        )
    care = hh.care
    out["persons_limitation"] = persons(care == LIMITATION)
    out["persons_moderate_care"] = persons(care == MODERATE)
    out["persons_loss_of_regie"] = persons(care == REGIE)
    out["persons_wlz"] = persons(care == HEAVY)
    out["persons_wlz_at_home"] = persons((care == HEAVY) & ~inst_p)
    out["institution_residents"] = persons(inst_p)
    out["dementia_persons"] = persons(hh.dementia)
    return out


def housing_stocks(model) -> dict[str, float]:
    """Stock indicators of the dwellings and the verpleeghuis waiting list (national scale)."""
    hh, dw = model.households, model.dwellings
    w = dw.weight.astype(np.float64)
    inst = dw.is_institution()
    private = dw.active & ~inst
    places = dw.active & (dw.type == VERPLEEGHUIS)
    waiting = (hh.wlz_wait_since != NOT_WAITING) & hh.present
    total = float(w[private].sum())
    at_home = hh.active & ~np.isin(hh.dwelling, (VERPLEEGHUIS, VERZORGINGSHUIS))
    oldest = np.where(hh.present, hh.age_months // 12, -1).max(axis=1)
    hw = hh.weight.astype(np.float64)
    out = {}
    for lo, hi, tag in ((65, 74, "65_74"), (75, 200, "75plus")):
        grp = at_home & (oldest >= lo) & (oldest <= hi)
        base = hw[grp].sum()
        for level, name in ((2, "definite"), (1, "maybe")):
            out[f"intention_{name}_{tag}"] = (
                float(hw[grp & (hh.intention == level)].sum() / base) if base else float("nan"))
    out["searching_households"] = float(hw[at_home & (hh.search_since != NOT_SEARCHING)].sum())
    ids = np.where(at_home, hh.dwelling_id, 0)
    unsuitable = (hh.care >= LIMITATION) & hh.present & (at_home & ~dw.step_free[ids])[:, None]
    out["limitation_not_stepfree"] = float(
        np.broadcast_to(hw[:, None], unsuitable.shape)[unsuitable].sum())
    ap = model.applicants
    out["applicants_waiting"] = float(ap.weight[ap.active].sum())
    return out | {
        "verpleeghuis_places": float(w[places].sum()),
        "verpleeghuis_residents": float(w[places & (dw.occupant >= 0)].sum()),
        "verpleeghuis_waiting": float(
            np.broadcast_to(hh.weight[:, None], waiting.shape)[waiting].sum()),
        "dwellings_total": total,
        "vacancy_rate": float(w[private & (dw.occupant < 0)].sum()) / total if total else float("nan"),
    }
