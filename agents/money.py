"""Money: household incomes, housing costs, huurtoeslag, and the cost of an offer.

Pure functions over household rows (``MoneyParams`` describes every rule and number):

* :func:`statutory_benefits`: AOW, AIO and bijstand per year by benefit type and adults, under the
  kostendelersnorm where it applies (:func:`agents.policies.kostendelersnorm.benefits`);
* :func:`gross_income`: benefits plus the household's own earnings or pension (``income_eur_year``);
  :func:`disposable_income`: gross times a net share (AOW age or working age);
* :func:`huurtoeslag_month`: a simplification of the Wet op de huurtoeslag: no toeslag above the
  maximum rent; otherwise the rent above the basishuur is paid in full up to the
  kwaliteitskortingsgrens, 65% of it up to the aftoppingsgrens (by household size) and 40% above it
  for one- and two-person households; the basishuur is the minimum plus
  ``huurtoeslag_taper`` of the gross income above ``huurtoeslag_income_floor_eur_year`` (per month);
* :func:`housing_cost_month`: rent minus huurtoeslag, or the owner's cost share of the value, plus
  energy;
* :func:`cost_rise_share`: the rise in yearly housing cost of moving to a dwelling (plus the moving
  cost spread over ``moving_cost_years``, minus a moving allowance) as a share of disposable income,
  which lowers the acceptance of an offer (:func:`acceptance_factor`, used by ``agents.market``) and,
  as expected for the household's own tenure and province (:func:`regional_market_rents`), the start
  of a search (``search_cost_sensitivity``, used by ``agents.search``).

Amounts are nominal: incomes (and energy and moving costs) grow by ``income_growth_per_year`` after
2025, the huurtoeslag's euro limits with the DAEB rent limit (:func:`agents.prices.social_rent_cap`).

The process ``money`` records the money indicators once a year, for 1 January, over the households
living at home: households with huurtoeslag and its yearly cost at that moment, and the median
housing cost ratio (woonquote: housing cost over disposable income, CBS's definition) by tenure,
all ages and 65+.
"""

from __future__ import annotations

import numpy as np

from agents import prices
from agents.policies import kostendelersnorm
from sim.codes import (
    AOW,
    AOW_AIO,
    AOW_PENSION,
    BIJSTAND,
    GECLUSTERD,
    OWNER,
    PRIVATE,
    SOCIAL,
    WORK,
    ZORGGESCHIKT,
    is_one_of,
)
from sim.households import adult_count, coresidents_from_age, household_size, oldest_age_months
from sim.outputs import declare
from sim.process import Context, Process

AOW_BENEFITS = (AOW, AOW_PENSION, AOW_AIO)
"""Benefit codes of households at AOW age."""
OLDER_AGE_YEARS = 65
"""Age of the oldest adult from which a household counts in the 65+ indicators."""


def benefit_amounts(benefit, couple, cp) -> np.ndarray:
    """AOW, AIO and bijstand per year (EUR of 2025) by benefit code and couple, without sharing."""
    table = np.zeros((max(AOW, AOW_PENSION, AOW_AIO, BIJSTAND, WORK) + 1, 2))  # [benefit, couple]
    for couple_, aow in enumerate((cp.aow_single_eur_year, cp.aow_couple_eur_year)):
        table[[AOW, AOW_PENSION], couple_] = aow
        table[AOW_AIO, couple_] = aow + cp.aio_supplement_eur_year
        share = 1.0 if couple_ else cp.bijstand_single_share
        table[BIJSTAND, couple_] = share * cp.bijstand_couple_eur_year
    return table[np.asarray(benefit), np.asarray(couple).astype(np.intp)]


def statutory_benefits(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """AOW, AIO and bijstand per year (EUR) of households ``rows``; 0 for working households."""
    hh = ctx.households
    benefit = hh.benefit[rows]
    per_year = benefit_amounts(benefit, adult_count(hh, rows) == 2, ctx.params.costs)
    return kostendelersnorm.benefits(ctx, rows, benefit, per_year)


def leave_home_factor(ctx: Context, rows: np.ndarray) -> np.ndarray | None:
    """Factor on the leave-home hazard of the adult co-residents of households ``rows``.

    ``exp(kostendeler_leave_sensitivity x cut / disposable income)`` where the kostendelersnorm cuts
    the household's benefit because of co-residents 27+ (or a lodger), 1 elsewhere; ``None`` when no
    household of ``rows`` is cut.
    """
    hh = ctx.households
    benefit = hh.benefit[rows]
    cand = np.flatnonzero(is_one_of(benefit, kostendelersnorm.SHARING_BENEFITS))
    cand = cand[coresidents_from_age(hh, rows[cand], ctx.month, kostendelersnorm.KOSTENDELER_AGE_YEARS) > 0]
    if len(cand) == 0:
        return None
    r = rows[cand]
    base = benefit_amounts(benefit[cand], adult_count(hh, r) == 2, ctx.params.costs)
    cut = np.zeros(len(r))
    now = kostendelersnorm.benefits(ctx, r, benefit[cand], base, cut)
    if not (cut > 0).any():
        return None
    own = hh.income_eur_year[r].astype(np.float64)
    gross = gross_benefits(now, benefit[cand], ctx.params.money) + own
    disposable = np.maximum(net_income(gross, benefit[cand], ctx.params.money, adult_count(hh, r)), 1.0)
    factor = np.ones(len(rows))
    factor[cand] = np.exp(ctx.params.money.kostendeler_leave_sensitivity * cut / disposable)
    return factor


def income_level(params, year: int) -> float:
    """Nominal income level of ``year`` against 2025 (``income_growth_per_year``)."""
    return (1.0 + params.money.income_growth_per_year) ** (year - prices.BASE_YEAR)


def rule_level(params, year: int) -> float:
    """Level of the huurtoeslag's euro limits of ``year`` against 2025 (the DAEB index)."""
    return prices.social_rent_cap(params.prices, year) / params.prices.social_rent_cap_eur_month


def income_index(ctx: Context) -> float:
    """:func:`income_level` of the current year."""
    return income_level(ctx.params, ctx.year)


def rule_index(ctx: Context) -> float:
    """:func:`rule_level` of the current year."""
    return rule_level(ctx.params, ctx.year)


def gross_income(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """Gross income per year (EUR of the current year): statutory benefits plus own income.

    Bijstand counts at its gross equivalent (:func:`gross_benefits`). The 2025 amounts
    (``CostParams``, ``income_eur_year``) grow by ``income_growth_per_year``.
    """
    own = ctx.households.income_eur_year[rows].astype(np.float64)
    benefits = gross_benefits(statutory_benefits(ctx, rows), ctx.households.benefit[rows], ctx.params.money)
    return (benefits + own) * income_index(ctx)


def gross_benefits(amounts, benefit, mp) -> np.ndarray:
    """Statutory benefits as gross income.

    The bijstand norms are net amounts, so bijstand is divided by ``net_share_working_age`` (its
    disposable income is then the net norm); AOW and AIO are kept.
    """
    amounts = np.asarray(amounts, np.float64)
    return np.where(np.asarray(benefit) == BIJSTAND, amounts / mp.net_share_working_age, amounts)


def disposable_income(ctx: Context, rows: np.ndarray, gross: np.ndarray) -> np.ndarray:
    """Disposable income per year (EUR) from the gross income of households ``rows``."""
    hh = ctx.households
    return net_income(gross, hh.benefit[rows], ctx.params.money, adult_count(hh, rows), income_index(ctx))


def net_income(gross, benefit, mp, adults=1, incomes: float = 1.0) -> np.ndarray:
    """Disposable income per year from a household's gross income (EUR of the year).

    The gross income is split equally over the ``adults`` (1 or 2; an assumption), each paying the
    2025 box-1 income tax of :func:`income_tax` on its half (brackets and credits grown with
    ``incomes``, the year's :func:`income_level`) and ``premium_share_of_gross`` of it. Bijstand is
    kept at its net norm (``gross x net_share_working_age``, the inverse of :func:`gross_benefits`).
    """
    gross, benefit, adults = np.broadcast_arrays(np.asarray(gross, np.float64), np.asarray(benefit),
                                                 np.maximum(np.asarray(adults), 1))
    aow = is_one_of(benefit, AOW_BENEFITS)
    per = gross / adults / incomes
    tax = income_tax(per, aow, benefit == WORK, aow & (adults == 1), mp)
    premium = per * np.where(aow, mp.premium_share_of_gross[1], mp.premium_share_of_gross[0])
    net = gross - adults * (tax + premium) * incomes
    return np.where(benefit == BIJSTAND, gross * mp.net_share_working_age, net)


def income_tax(income, aow, working, alone_aow, mp) -> np.ndarray:
    """Box-1 income tax of 2025 per person (EUR per year, at least 0), a documented simplification.

    The bracket rates below or at AOW age (``tax_rates_working_age``, ``tax_rates_aow_age``) less the
    algemene heffingskorting (``general_credit_eur_year``, reduced by ``general_credit_phaseout`` of
    the income above ``general_credit_phaseout_from_eur_year``), the arbeidskorting for earnings
    (piecewise linear through ``labour_credit_income_knots_eur_year`` and ``_amounts_``, reduced by
    ``labour_credit_phaseout`` above the last knot; halved at AOW age as the law does) and, at AOW
    age, the ouderenkorting (reduced by ``elderly_credit_phaseout`` above
    ``elderly_credit_limit_eur_year``) and the alleenstaande ouderenkorting. Deductions (mortgage
    interest), boxes 2 and 3 and transfers between partners are left out.
    """
    income = np.asarray(income, np.float64)
    aow = np.asarray(aow, bool)
    b1, b2 = mp.tax_bracket_limits_eur_year
    tax = np.zeros_like(income)
    for rates, sel in ((mp.tax_rates_working_age, ~aow), (mp.tax_rates_aow_age, aow)):
        r1, r2, r3 = rates
        y = income[sel]
        tax[sel] = r1 * np.minimum(y, b1) + r2 * np.clip(y - b1, 0.0, b2 - b1) + r3 * np.maximum(y - b2, 0.0)
    # the credits at AOW age are those below it times the ratio of the first brackets' rates, as the law
    # scales them (the AOW premium is not paid)
    scale = np.where(aow, mp.tax_rates_aow_age[0] / mp.tax_rates_working_age[0], 1.0)
    general = np.maximum(0.0, mp.general_credit_eur_year - mp.general_credit_phaseout
                         * np.maximum(income - mp.general_credit_phaseout_from_eur_year, 0.0)) * scale
    xs, ys = mp.labour_credit_income_knots_eur_year, mp.labour_credit_amounts_eur_year
    labour = np.interp(income, xs, ys) - mp.labour_credit_phaseout * np.maximum(income - xs[-1], 0.0)
    labour = np.where(np.asarray(working, bool), np.maximum(labour, 0.0) * scale, 0.0)
    elderly = np.where(aow, np.maximum(0.0, mp.elderly_credit_eur_year[0] - mp.elderly_credit_phaseout
                                       * np.maximum(income - mp.elderly_credit_limit_eur_year, 0.0)), 0.0)
    elderly = elderly + np.where(np.asarray(alone_aow, bool), mp.elderly_credit_eur_year[1], 0.0)
    return np.maximum(tax - general - labour - elderly, 0.0)


def huurtoeslag_month(rent, gross, persons, aow, mp, rules: float = 1.0, incomes: float = 1.0
                      ) -> np.ndarray:
    """Huurtoeslag per month (EUR) at a monthly ``rent`` (see the module docstring).

    Args:
        rent: Monthly rent (EUR).
        gross: Gross household income per year (EUR).
        persons: Persons in the household.
        aow: True where the household is at AOW age (the 2025 rules used here do not depend on it).
        mp: ``MoneyParams``.
        rules: Level of the rent limits and the minimum basishuur against 2025 (:func:`rule_index`).
        incomes: Level of incomes against 2025 (:func:`income_index`), for the income floor.
    """
    rent = np.asarray(rent, np.float64)
    gross = np.asarray(gross, np.float64)
    floor = mp.huurtoeslag_income_floor_eur_year * incomes
    basis = (mp.huurtoeslag_min_basishuur_eur_month * rules
             + mp.huurtoeslag_taper * np.maximum(0.0, gross - floor) / 12)
    quality = mp.huurtoeslag_quality_limit_eur_month * rules
    capping = rules * np.where(np.asarray(persons) >= 3, mp.huurtoeslag_capping_limits_eur_month[1],
                               mp.huurtoeslag_capping_limits_eur_month[0])
    mid_share, top_share = mp.huurtoeslag_shares
    top = np.where(np.asarray(persons) <= 2, top_share, 0.0)
    paid = (np.maximum(0.0, np.minimum(rent, quality) - basis)
            + mid_share * np.maximum(0.0, np.minimum(rent, capping) - np.maximum(quality, basis))
            + top * np.maximum(0.0, rent - np.maximum(capping, basis)))
    return np.where(rent <= mp.huurtoeslag_max_rent_eur_month * rules, paid, 0.0)


def housing_cost_month(tenure, rent, value, gross, persons, aow, mp, rules: float = 1.0,
                       incomes: float = 1.0, toeslag: np.ndarray | None = None) -> np.ndarray:
    """Housing cost per month (EUR) of living in a dwelling of ``tenure`` at ``rent`` or ``value``.

    ``rules`` and ``incomes`` as for :func:`huurtoeslag_month`; energy grows with incomes. The
    huurtoeslag is computed for tenants only, unless given (``toeslag``, by :func:`toeslag_of`).
    """
    tenure = np.asarray(tenure)
    if toeslag is None:
        toeslag = toeslag_of(tenure, rent, gross, persons, aow, mp, rules, incomes)
    rent_net = np.asarray(rent, np.float64) - toeslag
    owner = np.asarray(value, np.float64) * mp.owner_cost_share_per_year / 12
    renting = is_one_of(tenure, (SOCIAL, PRIVATE))
    energy_owner, energy_tenant = mp.energy_eur_month
    return (np.where(renting, rent_net + energy_tenant * incomes,
                     np.where(tenure == OWNER, owner + energy_owner * incomes, energy_tenant * incomes)))


def toeslag_of(tenure, rent, gross, persons, aow, mp, rules: float = 1.0, incomes: float = 1.0
               ) -> np.ndarray:
    """Huurtoeslag per month of households in dwellings of ``tenure`` (0 outside rented dwellings)."""
    tenure = np.asarray(tenure)
    out = np.zeros(tenure.shape)
    r = np.flatnonzero(is_one_of(tenure, (SOCIAL, PRIVATE)))
    if len(r):
        rent, gross, persons, aow = (np.broadcast_to(np.asarray(a), tenure.shape)[r]
                                     for a in (rent, gross, persons, aow))
        out[r] = huurtoeslag_month(rent, gross, persons, aow, mp, rules, incomes)
    return out


def offered_rent(dw, ids: np.ndarray, pp, year: int) -> np.ndarray:
    """The monthly rent a new tenant of dwellings ``ids`` pays in ``year``: the market rent."""
    rent = dw.market_rent_eur_month[ids].astype(np.float64)
    return np.where(dw.tenure[ids] == SOCIAL, np.minimum(rent, prices.social_rent_cap(pp, year)), rent)


_MONEY_COLUMNS = ("gross", "disposable", "persons", "aow", "rent_now", "toeslag", "cost_now", "equity",
                  "savings")
"""The per-household arrays of :class:`Household`."""


class Household:
    """The money of households where they live now (the searchers of a step, or all at year end).

    Attributes:
        gross: Gross income per year. disposable: Disposable income per year.
        persons: Persons. aow: At AOW age. cost_now: Housing cost per month where they live.
        rent_now: Their current monthly rent (0 for owners). toeslag: Their huurtoeslag per month.
        equity: Owners' home equity (value less the mortgage of :func:`mortgage_share`; 0 for others).
        savings: Wealth besides the own home (``savings_eur``, grown with incomes from 2025).
        rules, incomes: The year's levels (:func:`rule_level`, :func:`income_level`).
    """

    def __init__(self, ctx: Context, rows: np.ndarray):
        hh, dw = ctx.households, ctx.dwellings
        ids = hh.dwelling_id[rows]
        mp = ctx.params.money
        tenure, value = dw.tenure[ids], dw.value_eur[ids]
        self._set(mp, hh.benefit[rows], gross_income(ctx, rows), household_size(hh, rows), tenure,
                  dw.rent_eur_month[ids], value, rule_index(ctx), income_index(ctx),
                  equity_of(tenure, value, oldest_age_months(hh, rows) // 12, mp),
                  hh.savings_eur[rows].astype(np.float64) * income_index(ctx), adult_count(hh, rows))

    @classmethod
    def of(cls, mp, benefit, gross, persons, tenure, rent, value, rules: float, incomes: float,
           equity=0.0, savings=0.0, adults=1) -> Household:
        """The money of households given as arrays.

        Gross income of the current year, their dwellings' tenure, rent and value, the year's levels
        (:func:`rule_level`, :func:`income_level`) and the owners' equity (:func:`equity_of`).
        """
        out = cls.__new__(cls)
        out._set(mp, benefit, gross, persons, tenure, rent, value, rules, incomes, equity, savings, adults)
        return out

    def take(self, positions: np.ndarray) -> Household:
        """The money of the households at ``positions`` (a new object)."""
        out = Household.__new__(Household)
        out.rules, out.incomes = self.rules, self.incomes
        for name in _MONEY_COLUMNS:
            setattr(out, name, getattr(self, name)[positions])
        return out

    def _set(self, mp, benefit, gross, persons, tenure, rent, value, rules, incomes, equity,
             savings=0.0, adults=1) -> None:
        self.rules, self.incomes = rules, incomes
        self.gross = np.asarray(gross, np.float64)
        self.disposable = np.maximum(net_income(self.gross, benefit, mp, adults, incomes), 1.0)
        self.persons = np.asarray(persons)
        self.aow = is_one_of(np.asarray(benefit), AOW_BENEFITS)
        tenure = np.asarray(tenure)
        self.rent_now = np.where(tenure == OWNER, 0.0, np.asarray(rent, np.float64))
        self.toeslag = toeslag_of(tenure, self.rent_now, self.gross, self.persons, self.aow, mp, rules,
                                  incomes)
        self.cost_now = housing_cost_month(tenure, self.rent_now, value, self.gross, self.persons,
                                           self.aow, mp, rules, incomes, self.toeslag)
        self.equity = np.broadcast_to(np.asarray(equity, np.float64), self.gross.shape).copy()
        self.savings = np.broadcast_to(np.asarray(savings, np.float64), self.gross.shape).copy()


def mortgage_share(oldest_years, mp) -> np.ndarray:
    """Remaining mortgage as a share of the home's value, by the age of the oldest adult."""
    band = np.searchsorted(np.asarray(mp.mortgage_age_years), np.asarray(oldest_years), side="right")
    return np.asarray(mp.mortgage_share_of_value)[band]


def equity_of(tenure, value, oldest_years, mp) -> np.ndarray:
    """Home equity (EUR): the value less the mortgage for owners, 0 for others."""
    equity = np.asarray(value, np.float64) * (1.0 - mortgage_share(oldest_years, mp))
    return np.where(np.asarray(tenure) == OWNER, equity, 0.0)


def cost_rise_share(money: Household, who: np.ndarray, tenure, rent, value, allowance, mp) -> np.ndarray:
    """Rise in yearly housing cost of moving, as a share of disposable income (not below 0).

    Args:
        money: The searchers' money.
        who: Positions into ``money`` of the households offered a dwelling.
        tenure: Tenure of the offered dwellings.
        rent: Monthly rent the household would pay there (0 for owner-occupied dwellings).
        value: Value of the offered dwellings (EUR; used for owner-occupied ones).
        allowance: One-off moving allowance per household (EUR).
        mp: ``MoneyParams``.
    """
    cost_new = housing_cost_month(tenure, rent, value, money.gross[who], money.persons[who],
                                  money.aow[who], mp, money.rules, money.incomes)
    released = np.where(np.asarray(tenure) != OWNER, money.equity[who], 0.0)
    return rise_share(money, who, cost_new, allowance, mp, released)


def rise_share(money: Household, who: np.ndarray, cost_new, allowance, mp, released=0.0) -> np.ndarray:
    """Rise in yearly housing cost of moving to a home costing ``cost_new`` per month.

    As a share of disposable income, not below 0; the moving cost less ``allowance`` is spread over
    ``moving_cost_years``; home equity ``released`` by selling (owners who move to a rented home or
    an institution) counts as ``equity_release_weight`` times its annuity over
    ``equity_annuity_years``.
    """
    moving = np.maximum(0.0, mp.moving_cost_eur * money.incomes - allowance) / mp.moving_cost_years
    annuity = mp.equity_release_weight * np.asarray(released, np.float64) / mp.equity_annuity_years
    rise = (np.asarray(cost_new, np.float64) - money.cost_now[who]) * 12 + moving - annuity
    return np.maximum(0.0, rise / money.disposable[who])


def regional_market_rents(dw) -> np.ndarray:
    """Mean market rent (EUR per month) of the rented dwellings by ``[region, tenure]`` (weighted).

    Regions or tenures without rented dwellings get 0.
    """
    sel = np.flatnonzero(dw.active & is_one_of(dw.tenure, (SOCIAL, PRIVATE)))
    key = dw.region[sel].astype(np.int64) * 3 + dw.tenure[sel]
    return _weighted_means(dw, sel, key, dw.market_rent_eur_month, 3).reshape(-1, 3)


def _weighted_means(dw, sel: np.ndarray, key: np.ndarray, values: np.ndarray, per_region: int) -> np.ndarray:
    """Weighted means of ``values`` over dwellings ``sel`` by ``key``.

    ``per_region`` keys per region; a key without dwellings gets 0.
    """
    n_keys = per_region * ((int(dw.region.max()) + 1) if dw.n else 1)
    w = dw.weight[sel].astype(np.float64)
    total = np.bincount(key, w * values[sel], minlength=n_keys)
    return total / np.maximum(np.bincount(key, w, minlength=n_keys), 1e-12)


TENURE_INDICATORS = declare(
    ("searches_redirected_income_limit", "households per year",
     "Searchers who would seek social rent but earn above the DAEB income limit (seek private rent)",
     "flow"),
    ("searches_redirected_mortgage", "households per year",
     "Searchers who would buy but cannot borrow the province's mean owner value (seek rent)", "flow"),
    ("searches_redirected_mortgage_65plus", "households per year",
     "Searchers 65+ who would buy but cannot borrow the province's mean owner value", "flow"),
)
"""Indicators of :func:`affordable_tenure`, recorded by the ``search`` process."""


def regional_owner_values(dw) -> np.ndarray:
    """Mean value (EUR) of the owner-occupied dwellings by region (weighted; 0 where there are none)."""
    sel = np.flatnonzero(dw.active & (dw.tenure == OWNER))
    return _weighted_means(dw, sel, dw.region[sel], dw.value_eur, 1)


def affordable_tenure(ctx: Context, rows: np.ndarray, tenure: np.ndarray,
                      m: Household | None = None) -> np.ndarray:
    """The tenure households ``rows`` can seek instead of ``tenure`` (their preference).

    The rule of :func:`tenure_within_means`, with the mean owner value of each household's province
    (:func:`regional_owner_values`, computed only when someone wants to buy). Records the searches
    redirected (``searches_redirected_income_limit``, ``searches_redirected_mortgage`` and the latter
    for households 65+). ``m``: their money if already known this step.
    """
    hh = ctx.households
    if m is None:
        m = Household(ctx, rows)
    price = np.zeros(len(rows))
    if (np.asarray(tenure) == OWNER).any():
        price = regional_owner_values(ctx.dwellings)[hh.region[rows]]
    out, bound, over = tenure_within_means(tenure, m, price, ctx.params.money)
    w = hh.weight[rows].astype(np.float64)
    older = oldest_age_months(hh, rows) >= OLDER_AGE_YEARS * 12
    ctx.record.flow("searches_redirected_mortgage", float(w[bound].sum()))
    ctx.record.flow("searches_redirected_mortgage_65plus", float(w[bound & older].sum()))
    ctx.record.flow("searches_redirected_income_limit", float(w[over].sum()))
    return out


def tenure_within_means(tenure, m: Household, price, mp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tenure sought within a household's means.

    Social rent needs a gross income within the DAEB limit (``daeb_income_limits_eur_year``, one
    person or more, grown with incomes), else the household seeks private rent. Buying needs a
    mortgage (``mortgage_income_multiples`` times gross income, lower at AOW age) plus savings and the
    equity of an owned home of at least ``price`` (the mean owner value of its province); else the
    household seeks social rent within the DAEB limit and private rent above it.

    Returns:
        ``(tenure, bound, over)``: the tenure sought, where the mortgage bound, where the income limit
        turned social rent into private rent.
    """
    limit = np.where(m.persons >= 2, mp.daeb_income_limits_eur_year[1],
                     mp.daeb_income_limits_eur_year[0]) * m.incomes
    within = m.gross <= limit
    out = np.asarray(tenure).copy()
    multiple = np.where(m.aow, mp.mortgage_income_multiples[1], mp.mortgage_income_multiples[0])
    bound = (out == OWNER) & (multiple * m.gross + m.equity + m.savings < np.asarray(price, np.float64))
    out[bound] = np.where(within[bound], SOCIAL, PRIVATE)
    over = (out == SOCIAL) & ~within
    out[over] = PRIVATE
    return out.astype(np.int8), bound, over


def passend_refused(money: Household, who: np.ndarray, tenure, rent, mp) -> np.ndarray:
    """True where passend toewijzen bars the let.

    Barred: a social dwelling at a rent above the aftoppingsgrens of the household's size, offered to
    a household in the huurtoeslag target group (one that would receive huurtoeslag at a rent equal to
    that limit). Simplification: the corporations' 5% free room is not used.
    """
    persons = money.persons[who]
    capping = money.rules * np.where(persons >= 3, mp.huurtoeslag_capping_limits_eur_month[1],
                                     mp.huurtoeslag_capping_limits_eur_month[0])
    above = (np.asarray(tenure) == SOCIAL) & (np.asarray(rent, np.float64) > capping)
    if not above.any():
        return above
    target = huurtoeslag_month(capping, money.gross[who], persons, money.aow[who], mp, money.rules,
                               money.incomes) > 0
    return above & target


def acceptance_factor(share, mp) -> np.ndarray:
    """Factor on the acceptance of an offer whose cost rises by ``share`` of income."""
    return np.exp(-mp.accept_cost_sensitivity * share)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted median (the lower one at an exact half); NaN without observations."""
    if len(values) == 0 or weights.sum() <= 0:
        return float("nan")
    if weights.min() == weights.max():
        # equal weights: the element at the same place, found by selection rather than a sort
        k = (len(values) + 1) // 2 - 1
        return float(np.partition(values, k)[k])
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order[np.searchsorted(cum, 0.5 * cum[-1])]])


def aow_only_woonquote(ctx: Context, dwelling_type: int) -> float:
    """Woonquote of a single with only the AOW in a newly let dwelling of ``dwelling_type``.

    At the mean rent a new tenant pays for the rented dwellings of that type (social ones at most the
    DAEB limit), after huurtoeslag; NaN when no such dwelling is rented out.
    """
    dw, mp = ctx.dwellings, ctx.params.money
    ids = np.flatnonzero(dw.active & (dw.type == dwelling_type) & is_one_of(dw.tenure, (SOCIAL, PRIVATE)))
    if len(ids) == 0:
        return float("nan")
    w = dw.weight[ids].astype(np.float64)
    rent = float((offered_rent(dw, ids, ctx.params.prices, ctx.year) * w).sum() / w.sum())
    rules, incomes = rule_index(ctx), income_index(ctx)
    gross = np.array([ctx.params.costs.aow_single_eur_year * incomes])
    aow = np.ones(1, bool)
    cost = housing_cost_month(np.array([SOCIAL]), np.array([rent]), np.zeros(1), gross, np.ones(1), aow,
                              mp, rules, incomes)
    return float(cost[0] * 12 / net_income(gross, np.array([AOW]), mp, 1, incomes)[0])


MONEY_CHUNK = 1 << 18
"""Households whose money :func:`money` computes at a time (bounds its temporaries: a chunk's
:class:`Household` and the temporaries of its taxes hold about 110 bytes a household)."""


def money(ctx: Context) -> None:
    """For 1 January: huurtoeslag households and cost, and the median woonquote by tenure."""
    if not ctx.last_step_of_year:
        return
    hh, dw = ctx.households, ctx.dwellings
    rows = np.flatnonzero(hh.active & (hh.dwelling_id >= 0))
    tenure = dw.tenure[hh.dwelling_id[rows]]
    home = is_one_of(tenure, (OWNER, SOCIAL, PRIVATE))
    rows, tenure = rows[home], tenure[home]
    del home
    # the households' money in chunks: each row's figures depend on the row alone, and the
    # temporaries of a Household over all rows set the full population's peak memory; of each
    # chunk only the huurtoeslag and the housing cost ratio are kept
    toeslag, ratio = np.empty(len(rows)), np.empty(len(rows))
    for lo in range(0, len(rows), MONEY_CHUNK):
        m = Household(ctx, rows[lo:lo + MONEY_CHUNK])
        part = slice(lo, lo + len(m.toeslag))
        toeslag[part], ratio[part] = m.toeslag, m.cost_now * 12 / m.disposable
        del m
    w = hh.weight[rows].astype(np.float64)
    renting = tenure != OWNER
    ctx.record.mean("huurtoeslag_households", np.array([w[toeslag > 0].sum()]), np.ones(1))
    ctx.record.flow("cost_huurtoeslag_eur", float((w * toeslag).sum() * 12))
    del toeslag
    cut = np.flatnonzero(is_one_of(hh.benefit[rows], kostendelersnorm.SHARING_BENEFITS))
    r = rows[cut]
    under = kostendelersnorm.under_norm(
        ctx, r, hh.benefit[r], benefit_amounts(hh.benefit[r], adult_count(hh, r) == 2, ctx.params.costs))
    ctx.record.mean("households_under_kostendelersnorm", np.array([w[cut][under].sum()]), np.ones(1))
    adults_27 = coresidents_from_age(hh, rows, ctx.month, kostendelersnorm.KOSTENDELER_AGE_YEARS)
    ctx.record.mean("coresidents_27plus", np.array([(w * adults_27).sum()]), np.ones(1))
    for name, kind in (("woonquote_aow_only_geclusterd", GECLUSTERD),
                       ("woonquote_aow_only_zorggeschikt", ZORGGESCHIKT)):
        quote = aow_only_woonquote(ctx, kind)
        if np.isfinite(quote):
            ctx.record.mean(name, np.array([quote]), np.ones(1))
    older = oldest_age_months(hh, rows) >= OLDER_AGE_YEARS * 12
    for name, sel in (("woonquote_median_renters", renting), ("woonquote_median_owners", ~renting),
                      ("woonquote_median_social", tenure == SOCIAL),
                      ("woonquote_median_renters_65plus", renting & older),
                      ("woonquote_median_owners_65plus", ~renting & older)):
        median = weighted_median(ratio[sel], w[sel])
        if np.isfinite(median):
            ctx.record.mean(name, np.array([median]), np.ones(1))


PROCESS = Process(
    "money", money, reads=("money", "costs", "policy", "prices"),
    records=declare(
        ("huurtoeslag_households", "households", "Households receiving huurtoeslag (31 December)",
         "mean"),
        ("cost_huurtoeslag_eur", "EUR per year", "Huurtoeslag at the rate of 31 December", "flow"),
        ("households_under_kostendelersnorm", "households",
         "Households on bijstand or AIO whose benefit the kostendelersnorm cuts (31 December)", "mean"),
        ("coresidents_27plus", "persons",
         "Adult co-residents (mostly children at home) aged 27+ in private dwellings (31 December)",
         "mean"),
        ("woonquote_aow_only_geclusterd", "share of disposable income",
         "Housing cost ratio of a single with only the AOW at the mean rent of a newly let rented "
         "geclusterde woning, after huurtoeslag (affordability)", "mean"),
        ("woonquote_aow_only_zorggeschikt", "share of disposable income",
         "Housing cost ratio of a single with only the AOW at the mean rent of a newly let rented "
         "zorggeschikte woning, after huurtoeslag (affordability)", "mean"),
        ("woonquote_median_renters", "share of disposable income",
         "Median housing cost ratio of tenants", "mean"),
        ("woonquote_median_owners", "share of disposable income",
         "Median housing cost ratio of owners", "mean"),
        ("woonquote_median_social", "share of disposable income",
         "Median housing cost ratio of tenants of social rent", "mean"),
        ("woonquote_median_renters_65plus", "share of disposable income",
         "Median housing cost ratio of tenants 65+", "mean"),
        ("woonquote_median_owners_65plus", "share of disposable income",
         "Median housing cost ratio of owners 65+", "mean"),
    ),
)
