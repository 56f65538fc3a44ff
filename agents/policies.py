"""Policy mechanisms and the yearly accounting of costs.

Each policy is a set of levers in ``PolicyParams`` whose defaults are the baseline; a scenario file
changes them (from a given year with a dated change). Mechanisms:

* Building programme (``programme_*``): the gemeente of each province completes its share (by
  households) of the national targets for nultreden, geclusterde and zorggeschikte woningen, spread
  evenly over the programme years, on top of market-led building; ``programme_social_share`` of them
  social rent, the rest owner-occupied and private rent in equal parts. Each new dwelling starts a
  vacancy chain (cause ``new_build``).
* Logeerzorg (``logeerzorg_*``, in :mod:`agents.institutions`): a share of the persons with a new Wlz
  indication who live with a partner use respite stays and register for a verpleeghuis place only
  ``logeerzorg_delay_months`` later.
* Doorstroom incentives (in :mod:`agents.market`): priority for movers 65+ for every dwelling type,
  keeping the old rent (higher acceptance of social-rent offers by social tenants 65+), help with
  moving (a factor on the search-start hazards of households 65+).
* Verzorgingshuis (``verzorgingshuis_*``): from ``verzorgingshuis_first_year`` the gemeente of each
  province completes its share (by households) of ``verzorgingshuis_places_per_year`` as places of
  type verzorgingshuis, until its share of ``verzorgingshuis_places_total`` is reached. Places are
  institution places: no vacancy chain; they count as built in the ledger. Admission of persons with
  loss of regie living alone is in :mod:`agents.institutions`.
* Scheiden wonen en zorg: verpleeghuis places that free up are closed until the national capacity is
  down to ``verpleeghuis_places_target``; with ``wlz_at_home_in_zorggeschikt`` a person with a Wlz
  indication in a zorggeschikte woning receives care there instead of registering for a place.

Accounting (every step, summed over the year, EUR of 2025): Wlz (verpleeghuis residents and Wlz care
at home), Wmo (persons at home with moderate care or loss of regie) and benefits (AOW, AIO, bijstand),
with the unit costs of ``CostParams``. Verzorgingshuis residents count as at home for Wlz and Wmo
(care is the same as at home, CPB 2020) and keep their benefits (they pay their own rent); their extra
cost (``verzorgingshuis_eur_per_client_year``, mainly housing, net of Wmo and Zvw savings) is
``cost_verzorgingshuis_eur``. Households whose oldest adult reaches the AOW age move from
earnings or bijstand to AOW (with pension, or with AIO for former bijstand households).
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.institutions import build_places
from agents.turnover import _per_step, build_dwellings
from sim.population import (
    AOW,
    AOW_AIO,
    AOW_PENSION,
    BIJSTAND,
    GECLUSTERD,
    HEAVY,
    MODERATE,
    NULTREDEN,
    OWNER,
    PRIVATE,
    REGIE,
    SOCIAL,
    VERPLEEGHUIS,
    VERZORGINGSHUIS,
    WORK,
    ZORGGESCHIKT,
    adult_count,
    oldest_age_months,
    region_probabilities,
)


class Gemeente(mesa.Agent):
    """The municipalities of one province, as one agent: the building programme.

    Args:
        model: The model.
        region: Province code.
        name: Province name.
        share: The province's share of the national programme (its share of households).
    """

    def __init__(self, model: mesa.Model, region: int, name: str, share: float):
        super().__init__(model)
        self.region = int(region)
        self.name = name
        self.share = float(share)
        self.programme_built = 0.0
        self.verzorgingshuis_rows = 0

    def build_programme(self) -> None:
        """Completes this step's share of the programme dwellings (with carry-over)."""
        model = self.model
        pp = model.params.policy
        if not pp.programme_first_year <= model.year <= pp.programme_last_year:
            return
        years = pp.programme_last_year - pp.programme_first_year + 1
        g = model.streams.generator("policy", model.step_index * 64 + self.region)
        for dtype, total in ((NULTREDEN, pp.programme_nultreden_total),
                             (GECLUSTERD, pp.programme_geclusterd_total),
                             (ZORGGESCHIKT, pp.programme_zorggeschikt_total)):
            k = _per_step(model, f"programme_{self.region}_{dtype}", total * self.share / years)
            if k == 0:
                continue
            u = g.random(k)
            tenure = np.where(u < pp.programme_social_share, SOCIAL,
                              np.where(u < pp.programme_social_share
                                       + (1 - pp.programme_social_share) / 2, OWNER, PRIVATE))
            ids = build_dwellings(model, k, g, dtype=np.full(k, dtype), tenure=tenure,
                                  region=np.full(k, self.region), flow="programme_dwellings_built")
            self.programme_built += float(model.dwellings.weight[ids].sum())


    def build_verzorgingshuis(self) -> None:
        """Completes this step's share of new verzorgingshuis places.

        Stops at the province's share of the national total (rounded to sample rows).
        """
        model = self.model
        pp = model.params.policy
        if (pp.verzorgingshuis_places_per_year <= 0 or pp.verzorgingshuis_places_total <= 0
                or model.year < pp.verzorgingshuis_first_year):
            return
        k = _per_step(model, f"verzorgingshuis_{self.region}",
                      pp.verzorgingshuis_places_per_year * self.share)
        cap = int(round(pp.verzorgingshuis_places_total * self.share * model.settings.scale))
        k = min(k, cap - self.verzorgingshuis_rows)
        if k <= 0:
            return
        build_places(model, k, self.region, VERZORGINGSHUIS)
        self.verzorgingshuis_rows += k


def make_gemeenten(model, regions: list[dict]) -> list[Gemeente]:
    """One Gemeente agent per province, with the province's share of households."""
    share = region_probabilities()
    return [Gemeente(model, i, r["province"], share[i]) for i, r in enumerate(regions)]


def policy_phase(model) -> None:
    """Runs the building programme and the verzorgingshuis places of every gemeente.

    Verpleeghuis places above a capacity target are closed in the admission phase, before admission
    (:func:`agents.institutions.close_places_above_target`).
    """
    for gemeente in model.gemeenten:
        gemeente.build_programme()
        gemeente.build_verzorgingshuis()


def accounting_phase(model) -> None:
    """Adds this step's costs to the yearly cost indicators; moves households to AOW at AOW age."""
    hh = model.households
    cp = model.params.costs
    spy = model.settings.steps_per_year
    if model.step_index % spy == 0:
        to_aow(model)
    rows = np.flatnonzero(hh.active)
    w = hh.weight[rows].astype(np.float64)
    inst = hh.dwelling[rows] == VERPLEEGHUIS
    care0, care1 = hh.care[rows, 0], np.where(hh.present[rows, 1], hh.care[rows, 1], 0)
    heavy_home = ((care0 == HEAVY).astype(int) + (care1 == HEAVY)) * ~inst
    wmo = (np.isin(care0, (MODERATE, REGIE)).astype(int) + np.isin(care1, (MODERATE, REGIE))) * ~inst
    wlz = (w[inst].sum() * cp.verpleeghuis_eur_per_resident_year
           + (w * heavy_home).sum() * cp.wlz_at_home_eur_per_person_year)
    model.add_flow("cost_wlz_eur", wlz / spy)
    model.add_flow("cost_wmo_eur", (w * wmo).sum() * cp.wmo_eur_per_user_year / spy)
    vzh = hh.dwelling[rows] == VERZORGINGSHUIS
    if vzh.any():
        model.add_flow("cost_verzorgingshuis_eur",
                       w[vzh].sum() * cp.verzorgingshuis_eur_per_client_year / spy)
    benefit = hh.benefit[rows]
    couple = adult_count(hh, rows) == 2
    aow = np.where(couple, cp.aow_couple_eur_year, cp.aow_single_eur_year)
    bijstand = np.where(couple, 1.0, 0.7) * cp.bijstand_couple_eur_year
    per_year = np.select(
        [np.isin(benefit, (AOW, AOW_PENSION)), benefit == AOW_AIO, benefit == BIJSTAND],
        [aow, aow + cp.aio_supplement_eur_year, bijstand], 0.0)
    per_year = np.where(inst, 0.0, per_year)  # institution residents' benefits not counted here
    model.add_flow("cost_benefits_eur", (w * per_year).sum() / spy)


def to_aow(model) -> None:
    """Households whose oldest adult has reached the AOW age receive AOW from now on."""
    hh = model.households
    pp = model.params.population
    rows = np.flatnonzero(hh.active & np.isin(hh.benefit, (WORK, BIJSTAND)))
    old = rows[oldest_age_months(hh, rows) >= pp.aow_age_years * 12]
    if len(old) == 0:
        return
    u = model.streams.for_ids("policy", model.step_index, old)
    was_bijstand = hh.benefit[old] == BIJSTAND
    hh.benefit[old] = np.where(was_bijstand, AOW_AIO,
                               np.where(u < pp.pension_share_aow, AOW_PENSION, AOW))

