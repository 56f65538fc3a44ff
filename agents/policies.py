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

* Kostendelersnorm (``kostendelersnorm``): bijstand and the AIO supplement depend on the number of
  adults 27+ sharing the dwelling (:func:`kostendeler_share`). The model counts the adults of the
  household and, if ``lodger_counts_for_kostendelersnorm``, a lodger. Adult children living at home
  (``n_coresidents``) are not counted: their age is not followed and most leave home before 27, and
  the baseline benefits stay as they were (1.0 of the gehuwdennorm for a couple, 0.7 for a single).
  Variants: ``current``, ``abolished``, ``exempt_older`` (AIO recipients, who have AOW age, exempt).
* House sharing (:func:`sharing_phase`): single households 55+ on bijstand or AIO become ready to
  share at ``sharing_per_year``, or at the lower ``sharing_per_year_with_cut`` when the
  kostendelersnorm would cut their benefit (0 by default: the baseline's household dynamics already
  contain the sharing under the current norm, so only the extra sharing without a cut is modelled
  and the baseline is unchanged); ready singles of the same province and benefit are paired at
  random. The single with fewer rooms moves in with the other as a housemate in adult
  slot 1 (``Households.shared_pid`` marks the housemate: not a partner for the benefits) and the
  freed dwelling starts a vacancy chain with cause ``merger``. AOW has no kostendelersnorm (since
  2016, nl_facts aow_single_share_wml note): housemates keep the single AOW each.
* Hospitaverhuur (``hospitaverhuur``): owners (and tenants with ``hospita_tenants_allowed``) with two
  rooms or more than persons take a lodger at ``hospita_per_year``: the longest-waiting starter of the
  province leaves the applicant pool and lives with them for a contract drawn uniformly from one
  month to ``hospita_contract_max_years``; then, or when the host's household ends or moves into an
  institution, the lodger returns to the pool as a starter. A lodger moves along if the host moves
  (simplification). The host receives ``hospita_rent_eur_month``.

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

from agents import housing
from agents.allocation import pair_within_groups, rank_within
from agents.demography import PERSON_COLUMNS, clear_slots
from agents.institutions import build_places
from agents.turnover import STARTER, _per_step, build_dwellings, return_lodgers_to_pool
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
from sim.rates import step_probability

KOSTENDELER_BASE_SHARE = 0.4
"""Share of the gehuwdennorm shared by the household under the kostendelersnorm (40%; nl_facts
kostendeler_bijstand_share_A1 note, szw.rijksopenheid.nl)."""
KOSTENDELER_STEP_SHARE = 0.3
"""Share of the gehuwdennorm added per co-resident 27+ (30%; same source)."""
SINGLE_SHARE = 0.7
"""Bijstand of a single without co-residents: 70% of the gehuwdennorm (nl_facts
kostendeler_bijstand_share_A1)."""
KOSTENDELERSNORM_VARIANTS = ("current", "abolished", "exempt_older")


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
    per_year = _kostendelers_benefits(model, rows, benefit, per_year)
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



# --- kostendelersnorm -------------------------------------------------------------------------------


def kostendeler_share(n_sharers):
    """Bijstand per person as a share of the gehuwdennorm under the kostendelersnorm.

    ``(40% + A x 30%) / A`` with ``A`` the persons aged 27+ sharing the dwelling (nl_facts
    kostendeler_bijstand_share_A1..A5: 0.7, 0.5, 0.4333, 0.4, 0.38).

    Args:
        n_sharers: ``A``, number of persons 27+ in the dwelling (scalar or array; at least 1).

    Returns:
        Share of the gehuwdennorm per person (float or float array).
    """
    a = np.maximum(np.asarray(n_sharers, dtype=float), 1.0)
    return (KOSTENDELER_BASE_SHARE + KOSTENDELER_STEP_SHARE * a) / a


def kostendelersnorm_applies(variant: str, benefit) -> np.ndarray:
    """Whether the kostendelersnorm applies to households with the given benefit codes.

    Args:
        variant: One of :data:`KOSTENDELERSNORM_VARIANTS`.
        benefit: Benefit codes (``BIJSTAND``, ``AOW_AIO``, ...).

    Returns:
        Boolean array: ``current`` everyone, ``abolished`` no one, ``exempt_older`` everyone but AIO
        recipients (who have reached the AOW age).
    """
    benefit = np.asarray(benefit)
    if variant not in KOSTENDELERSNORM_VARIANTS:
        raise ValueError(f"kostendelersnorm {variant!r}; allowed: {KOSTENDELERSNORM_VARIANTS}")
    if variant == "current":
        return np.ones(benefit.shape, bool)
    if variant == "abolished":
        return np.zeros(benefit.shape, bool)
    return benefit != AOW_AIO


def household_bijstand_share(n_adults, partners, counted_others, applies) -> np.ndarray:
    """Bijstand of a household's recipients together, as a share of the gehuwdennorm.

    Args:
        n_adults: Adults of the household who receive the benefit (1 or 2).
        partners: True where the two adults are partners (one benefit unit, the gehuwdennorm).
        counted_others: Other persons 27+ in the dwelling counted by the norm (e.g. a lodger).
        applies: Whether the kostendelersnorm applies.

    Returns:
        With the norm ``n_adults x kostendeler_share(n_adults + counted_others)``; without it 1.0 for
        partners and 0.7 for each single (housemates are two singles).
    """
    n_adults = np.asarray(n_adults)
    with_norm = n_adults * kostendeler_share(n_adults + np.asarray(counted_others))
    without = np.where(partners, 1.0, SINGLE_SHARE * n_adults)
    return np.where(applies, with_norm, without)


def is_shared(hh, rows=None) -> np.ndarray:
    """True for households of two housemates (not partners) formed by house sharing."""
    if rows is None:
        rows = slice(None)
    return (hh.active[rows] & hh.present[rows, 1] & (hh.shared_pid[rows] >= 0)
            & (hh.pid[rows, 1] == hh.shared_pid[rows]))


def _kostendelers_benefits(model, rows, benefit, per_year) -> np.ndarray:
    """Benefits per year of housemate households and of hosts whose lodger counts.

    Other households keep ``per_year`` unchanged. Housemates each keep the single AOW; the AIO
    supplement (per single) is reduced by the cut the norm makes in the bijstand level (assumption:
    AIO tops up to the bijstand norm, so the cut comes off the supplement, not below zero).
    """
    hh = model.households
    pp, cp = model.params.policy, model.params.costs
    shared = is_shared(hh, rows)
    counted = np.zeros(len(rows), bool)
    if pp.lodger_counts_for_kostendelersnorm:
        counted = (hh.lodger_pid[rows] >= 0) & np.isin(benefit, (BIJSTAND, AOW_AIO))
    special = shared | counted
    if not special.any():
        return per_year
    idx = np.flatnonzero(special)
    b, sh = benefit[idx], shared[idx]
    n = adult_count(hh, rows[idx])
    partners = ~sh & (n == 2)
    others = counted[idx].astype(np.int64)
    applies = kostendelersnorm_applies(pp.kostendelersnorm, b)
    share = household_bijstand_share(n, partners, others, applies)
    cut_eur = (household_bijstand_share(n, partners, 0, False) - share) * cp.bijstand_couple_eur_year
    aow = np.where(sh, n * cp.aow_single_eur_year,
                   np.where(n == 2, cp.aow_couple_eur_year, cp.aow_single_eur_year))
    aio = aow + np.maximum(0.0, np.where(sh, n, 1) * cp.aio_supplement_eur_year - cut_eur)
    out = per_year.copy()
    out[idx] = np.select([b == BIJSTAND, b == AOW_AIO],
                         [share * cp.bijstand_couple_eur_year, aio], per_year[idx])
    return out


# --- house sharing and hospitaverhuur ------------------------------------------------------------


def sharing_phase(model) -> None:
    """Singles on bijstand or AIO share dwellings; hospita hosts take and release lodgers."""
    share_dwellings(model)
    hospita(model)


def share_dwellings(model) -> None:
    """Ready single households 55+ on bijstand or AIO are paired and move in together.

    An eligible single becomes ready at the sharing hazard and stays ready until paired. Pairs are
    formed within province and benefit (bijstand or AIO) in random order; the single with
    fewer rooms (the second of the pair on a tie) joins the other as a housemate in slot 1, and its
    dwelling becomes vacant (chain cause ``merger``).
    """
    hh, dw = model.households, model.dwellings
    pp = model.params.policy
    spy = model.settings.steps_per_year
    rows = np.flatnonzero(hh.active & ~hh.present[:, 1]
                          & np.isin(hh.benefit, (BIJSTAND, AOW_AIO))
                          & ~np.isin(hh.dwelling, housing.INSTITUTION_TYPES)
                          & (hh.age_months[:, 0] >= pp.sharing_min_age_years * 12)
                          & (hh.n_children == 0) & (hh.n_coresidents == 0)
                          & (hh.lodger_pid < 0))
    if len(rows) < 2:
        return
    cut = kostendelersnorm_applies(pp.kostendelersnorm, hh.benefit[rows])
    p = np.where(cut, step_probability(pp.sharing_per_year_with_cut, spy),
                 step_probability(pp.sharing_per_year, spy))
    u = model.streams.for_ids("sharing", model.step_index, hh.pid[rows, 0])
    hh.sharing_ready[rows[u < p]] = True
    ready = rows[hh.sharing_ready[rows]]
    if len(ready) < 2:
        return
    key = hh.region[ready].astype(np.int64) * 8 + hh.benefit[ready]
    rank = rank_within(key, model.streams.generator("sharing", model.step_index).random(len(ready)))
    order = np.lexsort((rank, key))
    s, ks, rs = ready[order], key[order], rank[order]
    first = np.flatnonzero((rs[:-1] % 2 == 0) & (ks[:-1] == ks[1:]))
    if len(first) == 0:
        return
    a, b = s[first], s[first + 1]
    a_hosts = dw.rooms[hh.dwelling_id[a]] > dw.rooms[hh.dwelling_id[b]]
    host, joiner = np.where(a_hosts, a, b), np.where(a_hosts, b, a)
    for name in PERSON_COLUMNS:
        col = getattr(hh, name)
        col[host, 1] = col[joiner, 0]
    hh.shared_pid[host] = hh.pid[host, 1]
    hh.sharing_ready[host] = False
    hh.sharing_ready[joiner] = False
    model.add_flow("households_sharing_formed", float(hh.weight[host].sum()))
    clear_slots(hh, np.repeat(joiner, 2), np.tile([0, 1], len(joiner)))
    vacated = housing.vacate(model, joiner, cause="merger")
    model.add_flow("dwellings_vacated_by_merger", float(dw.weight[vacated].sum()))


def hospita(model) -> None:
    """Ends lodgings, lets eligible hosts take a lodger from the starters, books the rent."""
    hh = model.households
    pp, cp = model.params.policy, model.params.costs
    spy = model.settings.steps_per_year
    lodging = np.flatnonzero(hh.lodger_pid >= 0)
    if len(lodging):
        hh.lodger_age_months[lodging] += 12 // spy
        end = lodging[~hh.active[lodging] | np.isin(hh.dwelling[lodging], housing.INSTITUTION_TYPES)
                      | (hh.lodger_until[lodging] <= model.step_index)]
        if len(end):
            return_lodgers_to_pool(model, hh.lodger_pid[end], hh.region[end],
                                   hh.lodger_age_months[end], hh.lodger_sex[end], hh.weight[end])
            hh.lodger_pid[end] = -1
    if pp.hospitaverhuur:
        _take_lodgers(model)
    lodging = hh.active & (hh.lodger_pid >= 0)
    if lodging.any():
        w = hh.weight[lodging].astype(np.float64).sum()
        rent_year = pp.hospita_rent_eur_month * 12.0
        model.add_flow("hospita_rent_income_eur", w * rent_year / spy)
        model.add_flow("hospita_rent_above_exemption_eur",
                       w * max(0.0, rent_year - cp.kamerverhuurvrijstelling_eur_year) / spy)


def _take_lodgers(model) -> None:
    """Eligible hosts take lodgers from the starters of their province.

    Hosts become ready at ``hospita_per_year``; within a province the k-th ready host (random order)
    takes the k-th longest-waiting starter. The contract runs 1 month to
    ``hospita_contract_max_years`` (uniform draw; assumption).
    """
    hh, dw, ap = model.households, model.dwellings, model.applicants
    pp = model.params.policy
    spy = model.settings.steps_per_year
    tenures = (OWNER, SOCIAL, PRIVATE) if pp.hospita_tenants_allowed else (OWNER,)
    rows = np.flatnonzero(hh.active & (hh.lodger_pid < 0) & np.isin(hh.tenure, tenures)
                          & ~np.isin(hh.dwelling, housing.INSTITUTION_TYPES))
    if pp.lodger_counts_for_kostendelersnorm:
        b = hh.benefit[rows]
        blocked = np.isin(b, (BIJSTAND, AOW_AIO)) & kostendelersnorm_applies(pp.kostendelersnorm, b)
        rows = rows[~blocked]
    persons = adult_count(hh, rows) + hh.n_children[rows] + hh.n_coresidents[rows]
    rows = rows[dw.rooms[hh.dwelling_id[rows]] - persons >= 2]
    u = model.streams.for_ids("hospita", model.step_index, hh.pid[rows, 0])
    hosts = rows[u < step_probability(pp.hospita_per_year, spy)]
    starters = np.flatnonzero(ap.active & (ap.kind == STARTER))
    if len(hosts) == 0 or len(starters) == 0:
        return
    g = model.streams.generator("hospita", model.step_index)
    ih, is_ = pair_within_groups(hh.region[hosts], g.random(len(hosts)),
                                 ap.region[starters], ap.since[starters])
    if len(ih) == 0:
        return
    h, s = hosts[ih], starters[is_]
    months = np.ceil(g.random(len(h)) * pp.hospita_contract_max_years * 12).clip(min=1)
    hh.lodger_pid[h] = ap.pid[s]
    hh.lodger_age_months[h] = ap.age_months[s]
    hh.lodger_sex[h] = ap.sex[s]
    hh.lodger_until[h] = model.step_index + (months * spy // 12).astype(np.int32).clip(min=1)
    ap.active[s] = False
    model.add_flow("lodgers_housed", float(ap.weight[s].sum()))
