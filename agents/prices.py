"""Prices on dwellings: the rent of a rented dwelling and the WOZ value of an owner-occupied one.

A dwelling is priced when it enters the stock: the 2025 stock at set-up (stream ``prices``, key
``initial``), a dwelling built or transformed later in the step it was built (stream ``prices``, keys
``new_rent`` and ``new_value``, by dwelling id). Its price is the tenure's national mean
(``PriceParams``; for a dwelling priced after 2025 raised by the yearly rises since) times a size
factor ``(rooms / 4) ** rooms_elasticity`` (divided by the tenure's mean factor in the 2025 stock, so
that 2025 means are the national ones) times a lognormal factor with mean 1; social rents are
capped at the year's DAEB limit (``social_rent_cap_eur_month`` indexed, :func:`social_rent_cap`). Its
market rent (for social rent the corporation's target rent) starts ``relet_rent_rise`` above it.
Institution places have no price. When a rented dwelling is let to a new household (its occupant
differs from the one its rent was set for) the new tenant pays the market rent. In the last step of
each year (for 1 January) market rents and values rise by the market rates and sitting tenants' rents
by theirs, up to the market rent (:func:`yearly_rates`: the 2025 rates, then from
``long_run_from_year`` a common long-run growth). The process records the year's mean rent by tenure
and mean value over the dwellings occupied in the last step (before the rise).

Market prices adapt to regional pressure (:func:`regional_changes`): each step the process counts, per
province, the households and applicants searching for private rent or for a home to buy and the
vacant dwellings of that tenure. On 1 January the province's price level relative to the country
moves to ``exp(price_pressure_elasticity x pressure)``, where the pressure is the log of its ratio of
searchers to vacancies less the country's, smoothed over the years as the INET/Bank of England
housing model smooths its price averages (the new year weighs ``price_pressure_new_year_weight``).
A level, not a growth rate: prices in a tight province stay above the country's while it stays tight
and come back when it eases (the INET model likewise pulls its price averages back towards the
price index). The changes are centred (weighted by the stock's rents or values), so national means
keep the national rates; social rents follow regulation only. New dwellings are priced at their
province's level.

Prices enter the households' decisions through :mod:`agents.money` (the cost of an offer).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from sim.codes import INSTITUTION_TENURE, NOT_SEARCHING, OWNER, PRIVATE, SOCIAL, is_home, is_institution
from sim.outputs import declare
from sim.process import Context, Process

BASE_YEAR = 2025
"""Year of the levels of ``PriceParams``."""
MARKET_TENURES = (PRIVATE, OWNER)
"""Tenures whose prices adapt to regional pressure (social rents follow regulation)."""
ROOMS_REFERENCE = 4.0
"""Rooms of the dwelling the national means describe (Dutch dwellings average about 4 rooms,
HousingParams)."""


def _lognormal_mean_one(u: np.ndarray, sigma: float) -> np.ndarray:
    """Lognormal factors with mean 1 from uniforms ``u`` (inverse normal transform)."""
    z = ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    return np.exp(sigma * z - 0.5 * sigma ** 2)


def social_rent_cap(pp, year: int) -> float:
    """The DAEB rent limit of ``year`` (EUR per month): the 2025 limit indexed yearly.

    By ``social_rent_cap_rise_per_year`` up to ``long_run_from_year``, by the long-run growth after.
    """
    early = max(0, min(year, pp.long_run_from_year - 1) - BASE_YEAR)
    late = max(0, year - max(pp.long_run_from_year - 1, BASE_YEAR))
    return (pp.social_rent_cap_eur_month * (1.0 + pp.social_rent_cap_rise_per_year) ** early
            * (1.0 + pp.long_run_growth_per_year) ** late)


def yearly_rates(pp, year: int) -> tuple[float, float, float, float, float]:
    """Rates of the rise for 1 January of ``year + 1``.

    Returns:
        Sitting social tenants, sitting private tenants, social market (target) rents, private market
        rents, values: the 2025 rates of ``PriceParams`` before ``long_run_from_year``, the long-run
        growth from then on.
    """
    if year + 1 >= pp.long_run_from_year:
        g = pp.long_run_growth_per_year
        return g, g, g, g, g
    return (pp.social_rent_rise_per_year, pp.private_rent_rise_per_year,
            pp.social_rent_cap_rise_per_year, pp.private_rent_rise_per_year,
            pp.house_price_growth_per_year)


def size_factor(dw, ids: np.ndarray, pp) -> np.ndarray:
    """``(rooms / 4) ** rooms_elasticity`` of dwellings ``ids``."""
    return (np.maximum(dw.rooms[ids].astype(np.float64), 1.0) / ROOMS_REFERENCE) ** pp.rooms_elasticity


def price_new(dw, ids: np.ndarray, u_rent: np.ndarray, u_value: np.ndarray, pp,
              norm: np.ndarray, level: np.ndarray | None = None, year: int = BASE_YEAR,
              regional: np.ndarray | None = None) -> None:
    """Sets the first rent or value of dwellings ``ids`` from uniforms (one pair per dwelling).

    ``norm``: by tenure code, the mean size factor of the 2025 stock of that tenure, so that the
    2025 means are the national means of ``PriceParams``. ``level``: by tenure code, the yearly
    rises since 2025 (1 in 2025), so that a dwelling priced later starts at its year's level.
    ``regional``: by ``[region, tenure code]``, the regional adjustments since 2025 (1 in 2025).
    """
    tenure = dw.tenure[ids]
    code = np.minimum(tenure, len(norm) - 1)
    size = size_factor(dw, ids, pp) / norm[code]
    if level is not None:
        size = size * level[code]
    if regional is not None:
        size = size * regional[dw.region[ids], code]
    inst = is_institution(dw.type[ids])
    rent_mean = np.where(tenure == SOCIAL, pp.social_rent_eur_month,
                         np.where(tenure == PRIVATE, pp.private_rent_eur_month, 0.0))
    rent = rent_mean * size * _lognormal_mean_one(u_rent, pp.rent_dispersion_sigma)
    cap = social_rent_cap(pp, year)
    market = rent * (1.0 + pp.relet_rent_rise)
    rent = np.where(tenure == SOCIAL, np.minimum(rent, cap), rent)
    market = np.where(tenure == SOCIAL, np.minimum(market, cap), market)
    value = np.where(tenure == OWNER, pp.owner_value_eur * size
                     * _lognormal_mean_one(u_value, pp.value_dispersion_sigma), 0.0)
    dw.rent_eur_month[ids] = np.where(inst, 0.0, rent).astype(np.float32)
    dw.market_rent_eur_month[ids] = np.where(inst, 0.0, market).astype(np.float32)
    dw.value_eur[ids] = np.where(inst, 0.0, value).astype(np.float32)
    dw.priced_for[ids] = dw.occupant[ids]


PRICE_CHUNK = 1 << 18
"""Dwellings :func:`price_initial_stock` prices at a time (bounds the temporaries of :func:`price_new`,
about 150 bytes a dwelling)."""


def price_initial_stock(ctx: Context) -> None:
    """Set-up: prices the 2025 stock (stream ``prices``, key ``initial``, by dwelling id)."""
    dw, pp = ctx.dwellings, ctx.params.prices
    ids = np.flatnonzero(dw.active[:dw.n] & is_home(dw.type[:dw.n]))
    size, tenure, w = size_factor(dw, ids, pp), dw.tenure[ids], dw.weight[ids]
    norm = np.ones(INSTITUTION_TENURE + 1)
    for t in (OWNER, SOCIAL, PRIVATE):
        sel = tenure == t
        if sel.any():
            norm[t] = np.average(size[sel], weights=w[sel])
    ctx.memory["size_norm"] = norm
    ctx.memory["level"] = np.ones(INSTITUTION_TENURE + 1)
    n_regions = int(dw.region[:dw.n].max()) + 1 if dw.n else 1
    ctx.memory["regional"] = np.ones((n_regions, INSTITUTION_TENURE + 1))
    ctx.memory["pressure"] = np.zeros((n_regions, len(MARKET_TENURES)))
    ctx.memory["searchers"] = np.zeros((n_regions, len(MARKET_TENURES)))
    ctx.memory["vacancies"] = np.zeros((n_regions, len(MARKET_TENURES)))
    gen = ctx.streams.generator("prices", "initial")
    u = gen.random((2, dw.n))
    all_ids = np.flatnonzero(dw.active[:dw.n])
    # in chunks of dwellings (each dwelling's prices depend on its row and its uniforms alone): the
    # temporaries of price_new over the whole stock set the full population's peak memory
    for lo in range(0, len(all_ids), PRICE_CHUNK):
        part = all_ids[lo:lo + PRICE_CHUNK]
        price_new(dw, part, u[0, part], u[1, part], pp, norm)


def prices(ctx: Context) -> None:
    """Prices new dwellings, raises rents on re-letting, and indexes rents and values yearly."""
    dw, pp = ctx.dwellings, ctx.params.prices
    n = dw.n
    active = dw.active[:n]
    new = np.flatnonzero(active & (dw.priced_for[:n] == -2))
    if len(new):
        u = ctx.streams.for_few("prices", new, key="new_rent")
        u2 = ctx.streams.for_few("prices", new, key="new_value")
        price_new(dw, new, u, u2, pp, ctx.memory["size_norm"], ctx.memory["level"], ctx.year,
                  ctx.memory["regional"])
    occ = dw.occupant[:n]
    relet = np.flatnonzero(active & (occ >= 0) & (occ != dw.priced_for[:n]))
    if len(relet):
        rented = relet[dw.tenure[relet] != OWNER]
        dw.rent_eur_month[rented] = dw.market_rent_eur_month[rented]
        dw.priced_for[relet] = occ[relet]
    vacated = np.flatnonzero(active & (occ < 0) & (dw.priced_for[:n] >= 0))
    dw.priced_for[vacated] = -1
    _count_pressure(ctx)
    if not ctx.last_step_of_year:
        return
    _record_means(ctx, dw, n)
    tenure = dw.tenure[:n]
    social_rise, private_rise, social_market, private_market, values = yearly_rates(pp, ctx.year)
    change = regional_changes(ctx)  # factor by [region, market tenure]
    region = dw.region[:n].astype(np.intp)
    market = dw.market_rent_eur_month[:n] * np.select(
        [tenure == SOCIAL, tenure == PRIVATE],
        [1.0 + social_market, (1.0 + private_market) * change[region, 0]], 1.0)
    market = np.where(tenure == SOCIAL, np.minimum(market, social_rent_cap(pp, ctx.year + 1)), market)
    rise = np.select([tenure == SOCIAL, tenure == PRIVATE], [social_rise, private_rise], 0.0)
    dw.rent_eur_month[:n] = np.minimum(dw.rent_eur_month[:n] * (1.0 + rise), market).astype(np.float32)
    dw.market_rent_eur_month[:n] = market.astype(np.float32)
    dw.value_eur[:n] = (dw.value_eur[:n] * (1.0 + values) * np.where(tenure == OWNER, change[region, 1], 1.0)
                        ).astype(np.float32)
    level = ctx.memory["level"]
    level[SOCIAL] *= 1.0 + social_market
    level[PRIVATE] *= 1.0 + private_market
    level[OWNER] *= 1.0 + values
    regional = ctx.memory["regional"]
    for k, code in enumerate(MARKET_TENURES):
        regional[:, code] *= change[:, k]
    for k, name in enumerate(("rent_private_regional_range", "value_owner_regional_range")):
        factor = regional[:, MARKET_TENURES[k]]
        ctx.record.mean(name, np.array([factor.max() / factor.min()]), np.ones(1))


def _count_pressure(ctx: Context) -> None:
    """Adds this step's searchers and vacancies by province and market tenure (private rent, buying)."""
    hh, ap, dw = ctx.households, ctx.applicants, ctx.dwellings
    mem = ctx.memory
    n_regions = len(mem["searchers"])
    for k, code in enumerate(MARKET_TENURES):
        rows = np.flatnonzero((hh.search_tenure == code) & (hh.search_since != NOT_SEARCHING) & hh.active)
        waiting = np.flatnonzero(ap.active & (ap.search_tenure == code))
        mem["searchers"][:, k] += (
            np.bincount(hh.region[rows], hh.weight[rows].astype(np.float64), minlength=n_regions)
            + np.bincount(ap.region[waiting], ap.weight[waiting].astype(np.float64), minlength=n_regions))
        vac = np.flatnonzero(dw.active & (dw.occupant < 0) & (dw.tenure == code))
        mem["vacancies"][:, k] += np.bincount(dw.region[vac], dw.weight[vac].astype(np.float64),
                                              minlength=n_regions)


def regional_changes(ctx: Context) -> np.ndarray:
    """This year's change of market rents and values by ``[region, (private rent, owner)]`` (factors).

    Each province moves from its current relative level to ``exp(price_pressure_elasticity x p)``,
    ``p`` the smoothed log ratio of searchers to vacancies in the province against the country's
    (:func:`relative_pressure`); the factors are then divided by their stock-weighted mean, so that
    each tenure's national mean keeps the national rate. Resets the year's counts.
    """
    mem, pp, dw = ctx.memory, ctx.params.prices, ctx.dwellings
    eps = float(dw.weight.mean()) * ctx.steps_per_year if dw.n else 1.0  # one dwelling all year
    rel = relative_pressure(mem["searchers"], mem["vacancies"], eps)
    w_new = pp.price_pressure_new_year_weight
    mem["pressure"] = (1.0 - w_new) * mem["pressure"] + w_new * rel
    mem["searchers"][:] = 0.0
    mem["vacancies"][:] = 0.0
    target = np.exp(pp.price_pressure_elasticity * mem["pressure"])
    change = target / mem["regional"][:, list(MARKET_TENURES)]
    # centre on the stock: the national mean rent and value keep the national rates
    active = np.flatnonzero(dw.active)
    n_regions = len(change)
    for k, (code, column) in enumerate(((PRIVATE, dw.market_rent_eur_month), (OWNER, dw.value_eur))):
        sel = active[dw.tenure[active] == code]
        stock = np.bincount(dw.region[sel], (dw.weight[sel] * column[sel]).astype(np.float64),
                            minlength=n_regions)
        if stock.sum() > 0:
            change[:, k] /= (stock * change[:, k]).sum() / stock.sum()
    return change


def relative_pressure(searchers: np.ndarray, vacancies: np.ndarray, eps: float) -> np.ndarray:
    """Log ratio of searchers to vacancies by ``[region, tenure]`` less the country's log ratio.

    ``eps`` (one dwelling's weight over the year) is added to both counts, so that a province
    without searchers or vacancies has a finite ratio.
    """
    local = np.log((searchers + eps) / (vacancies + eps))
    country = np.log((searchers.sum(axis=0) + eps) / (vacancies.sum(axis=0) + eps))
    return local - country


def _record_means(ctx: Context, dw, n: int) -> None:
    occupied = dw.active[:n] & (dw.occupant[:n] >= 0) & is_home(dw.type[:n])
    tenure, weight = dw.tenure[:n], dw.weight[:n]
    for name, tenure_code, column in (("rent_social_mean_eur_month", SOCIAL, dw.rent_eur_month),
                                      ("rent_private_mean_eur_month", PRIVATE, dw.rent_eur_month),
                                      ("value_owner_mean_eur", OWNER, dw.value_eur)):
        sel = occupied & (tenure == tenure_code)
        ctx.record.mean(name, column[:n][sel].astype(np.float64), weight[sel].astype(np.float64))


PROCESS = Process(
    "prices", prices, reads=("prices",), streams=("prices",), setup=price_initial_stock,
    records=declare(
        ("rent_social_mean_eur_month", "EUR per month", "Mean rent of occupied social dwellings",
         "mean"),
        ("rent_private_mean_eur_month", "EUR per month",
         "Mean rent of occupied privately rented dwellings", "mean"),
        ("value_owner_mean_eur", "EUR", "Mean WOZ value of owner-occupied dwellings", "mean"),
        ("rent_private_regional_range", "ratio",
         "Highest over lowest province's adjustment of private market rents since 2025 (pressure)",
         "mean"),
        ("value_owner_regional_range", "ratio",
         "Highest over lowest province's adjustment of owner values since 2025 (pressure)", "mean"),
    ),
)
