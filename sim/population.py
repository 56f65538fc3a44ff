"""The synthetic population of 1 January 2025, drawn from public marginals.

:func:`build_population` draws the population from the public marginals in ``sim/data/``:

1. persons by age group and sex (``population_2025.csv``) are split into adults in couples, single adults,
   institution residents and co-residents (``household_position_2025.csv``);
2. men and women in couples are paired by rank of a noisy age key, which reproduces both age marginals
   exactly and gives a realistic age gap;
3. care states and dementia are drawn per adult by age (``care_prevalence_2025.csv``);
4. tenure and dwelling type by the age of the oldest adult (``housing_2025.csv``), province by the
   household shares (``regions.csv``), benefit type and income by age.
Children (0-17) and adult co-residents are counted per household; they are not followed individually.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from scipy.special import ndtr, ndtri

from sim.codes import (
    AOW,
    AOW_AIO,
    AOW_PENSION,
    BIJSTAND,
    FEMALE,
    HEAVY,
    INSTITUTION_TENURE,
    MALE,
    NONE,
    OWNER,
    PRIVATE,
    REGULAR,
    SOCIAL,
    VERPLEEGHUIS,
    WORK,
)
from sim.households import CORESIDENT_SLOTS, Households
from sim.params import Parameters, PopulationParams
from sim.streams import RandomStreams


@dataclass(frozen=True)
class Tables:
    """The embedded public marginals (see the headers of the CSV files for sources)."""

    population: list[dict]
    position: list[dict]
    care: list[dict]
    housing: list[dict]
    regions: list[dict]


def read_table(name: str) -> list[dict]:
    """Reads ``sim/data/<name>``; ``#`` lines are comments, numbers are converted."""
    text = resources.files("sim").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines):
        out = {}
        for k, v in row.items():
            try:
                out[k] = float(v) if any(c in v for c in ".e") else int(v)
            except ValueError:
                out[k] = v
        rows.append(out)
    return rows


@cache
def region_probabilities() -> np.ndarray:
    """Each province's share of the households (``regions.csv``), summing to 1; read once, read-only."""
    shares = np.array([r["households"] for r in read_table("regions.csv")], dtype=float)
    p = shares / shares.sum()
    p.flags.writeable = False
    return p


MAX_AGE_YEARS = 130
"""Oldest age (years) of the per-year-of-age tables below: the bound of ``demography.max_age_years``,
so that any living person's age indexes them."""


@cache
def population_by_age() -> np.ndarray:
    """Persons on 1 January 2025 by single year of age ``0..MAX_AGE_YEARS``; read once, read-only.

    ``population_2025.csv`` spread evenly over the years of each group.
    """
    pop = np.zeros(MAX_AGE_YEARS + 1)
    for r in read_table("population_2025.csv"):
        lo, hi = int(r["age_from"]), int(r["age_to"])
        pop[lo:hi + 1] += (r["men"] + r["women"]) / (hi - lo + 1)
    pop.flags.writeable = False
    return pop


@cache
def migration_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(age_from, age_to, immigrants, emigrants)`` of ``migration_2024.csv`` (ages inclusive)."""
    rows = read_table("migration_2024.csv")
    cols = [np.array([r[k] for r in rows], dtype=float)
            for k in ("age_from", "age_to", "immigrants", "emigrants")]
    for c in cols:
        c.flags.writeable = False
    return tuple(cols)


def _by_single_age(values: np.ndarray) -> np.ndarray:
    """Per-group figures of ``migration_2024.csv`` spread over single years of age ``0..MAX_AGE_YEARS``.

    Within each group in proportion to the persons of each age on 1 January 2025, so that the open
    group of the oldest falls off with age as the population does.
    """
    pop = population_by_age()
    lo, hi, _, _ = migration_table()
    out = np.zeros(MAX_AGE_YEARS + 1)
    for a, b, v in zip(lo.astype(int), hi.astype(int), values, strict=True):
        out[a:b + 1] = v * pop[a:b + 1] / pop[a:b + 1].sum()
    return out


@cache
def immigrants_by_age() -> np.ndarray:
    """CBS's immigrants of 2024 by single year of age ``0..MAX_AGE_YEARS`` (:func:`_by_single_age`)."""
    out = _by_single_age(migration_table()[2])
    out.flags.writeable = False
    return out


@cache
def emigration_rates() -> np.ndarray:
    """CBS's emigrants per person per year by single year of age ``0..MAX_AGE_YEARS`` (2024 / 2025).

    Emigrants of each age group of ``migration_2024.csv`` divided by the persons of those ages on
    1 January 2025 (``population_2025.csv``): one rate per group; times the population it gives back
    CBS's emigrants.
    """
    pop = population_by_age()
    rate = np.divide(_by_single_age(migration_table()[3]), pop, out=np.zeros(MAX_AGE_YEARS + 1),
                     where=pop > 0)
    rate.flags.writeable = False
    return rate


def recent_immigrant_share(tp) -> np.ndarray:
    """Share of the persons of each age on 1 January 2025 who arrived from abroad recently.

    Recently: within ``recent_immigrant_years``. Immigrants by age of 2024
    (:func:`immigrants_by_age`), aged with the years since arrival and thinned by
    ``recent_immigrant_emigration_per_year``, over the persons of that age (``population_2025.csv``).
    """
    pop = population_by_age()
    arrivals = immigrants_by_age()
    stock = np.zeros(MAX_AGE_YEARS + 1)
    for d in range(int(round(tp.recent_immigrant_years))):
        stock[d:] += arrivals[:MAX_AGE_YEARS + 1 - d] * (1 - tp.recent_immigrant_emigration_per_year) ** d
    return np.divide(stock, pop, out=np.zeros_like(stock), where=pop > 0).clip(0.0, 1.0)


def load_tables() -> Tables:
    """Loads all tables the population is built from."""
    return Tables(
        population=read_table("population_2025.csv"),
        position=read_table("household_position_2025.csv"),
        care=read_table("care_prevalence_2025.csv"),
        housing=read_table("housing_2025.csv"),
        regions=read_table("regions.csv"),
    )


def round_counts(expected: np.ndarray) -> np.ndarray:
    """Rounds to integers while keeping the rounded total (largest remainders get the extra ones)."""
    base = np.floor(expected).astype(np.int64)
    short = int(round(expected.sum())) - int(base.sum())
    if short > 0:
        order = np.argsort(-(expected - base), kind="stable")
        base[order[:short]] += 1
    return base


def _ages_in_months(rng, lo: int, hi: int, n: int, pp: PopulationParams) -> np.ndarray:
    """Draws ages uniformly within [lo, hi] years (the open group 95+ declining), in months."""
    if lo >= 95:
        years = np.minimum(lo + rng.exponential(1 / pp.survival_decline_95plus_per_year, size=n),
                           hi + 0.99)
    else:
        years = rng.uniform(lo, hi + 1, size=n)
    return (years * 12).astype(np.int16)


AT_HOME_SHARE_BY_AGE = {18: 0.897, 19: 0.813, 20: 0.738, 21: 0.659, 22: 0.578, 23: 0.483, 24: 0.394,
                        25: 0.308, 26: 0.238, 27: 0.182, 28: 0.141, 29: 0.111, 30: 0.089}
"""Share of each age living with a parent on 1 January 2021 (CBS 2021-49 'Leeftijd bij uit huis gaan
in 2020 licht gedaald'): the relative weight of each age among the co-residents of its age group."""


def _coresident_ages(rng, lo: int, hi: int, n: int, pp: PopulationParams) -> np.ndarray:
    """Ages in months of ``n`` co-residents of the age group [lo, hi] (see :func:`place_coresidents`)."""
    years = np.arange(lo, hi + 1)
    if lo >= 95 or not any(a in AT_HOME_SHARE_BY_AGE for a in years):
        return _ages_in_months(rng, lo, hi, n, pp)
    weight = np.array([AT_HOME_SHARE_BY_AGE.get(int(a), AT_HOME_SHARE_BY_AGE[30]) for a in years])
    whole = rng.choice(years, size=n, p=weight / weight.sum())
    return ((whole + rng.random(n)) * 12).astype(np.int16)


def _band_lookup(table: list[dict], age_years: np.ndarray) -> np.ndarray:
    """Index of the table row whose [age_from, age_to] holds each age (last row for older)."""
    starts = np.array([r["age_from"] for r in table])
    return np.clip(np.searchsorted(starts, age_years, side="right") - 1, 0, len(table) - 1)


def build_population(
    scale: float, seed: int, params: Parameters | None = None, tables: Tables | None = None
) -> Households:
    """Builds the synthetic population of 1 January 2025.

    Args:
        scale: Sample fraction (0.01 is 1:100); each row's weight is ``1 / scale``.
        seed: Root seed; set-up draws use the ``population`` stream.
        params: Model parameters (defaults if ``None``).
        tables: Marginal tables (the embedded ones if ``None``).

    Returns:
        The households, with spare capacity for later growth.
    """
    params = params or Parameters()
    pp: PopulationParams = params.population
    tables = tables or load_tables()
    rng = RandomStreams(seed).generator("population")
    weight = np.float32(1.0 / scale)

    pos = {(r["age_from"], r["sex"]): r for r in tables.position}
    ages = {"couple": [[], []], "single": [[], []], "institution": [[], []]}
    coresident_groups = []
    children_total = 0.0
    for row in tables.population:
        lo, hi = row["age_from"], row["age_to"]
        for sex, col in ((MALE, "men"), (FEMALE, "women")):
            n_persons = row[col] * scale
            if hi < 18:
                children_total += n_persons
                continue
            share = pos[(lo, "male" if sex == MALE else "female")]
            parts = np.array([share["share_couple"], share["share_single"],
                              share["share_institution"]])
            rest = 1.0 - parts.sum()
            if rest < -1e-9 or (lo >= 55 and abs(rest) > 1e-6):
                raise ValueError(
                    f"household_position_2025.csv: shares for {lo}-{hi} sum to {parts.sum():.4f}; "
                    "expected at most 1, and exactly 1 from age 55 on"
                )
            counts = round_counts(np.append(parts, max(rest, 0.0)) * n_persons)
            for kind, k in zip(("couple", "single", "institution"), counts[:3], strict=True):
                ages[kind][sex].append(_ages_in_months(rng, lo, hi, int(k), pp))
            coresident_groups.append((lo, hi, int(counts[3])))

    cat = {k: [np.concatenate(v[0]), np.concatenate(v[1])] for k, v in ages.items()}

    # couples: the sex with more persons in couples than partners available has its excess moved
    # to single households, chosen at random (keeps every person, and both age marginals nearly)
    men, women = cat["couple"]
    excess = len(men) - len(women)
    if excess:
        sex_x = MALE if excess > 0 else FEMALE
        pool = cat["couple"][sex_x]
        out_idx = rng.choice(len(pool), size=abs(excess), replace=False)
        keep = np.ones(len(pool), bool)
        keep[out_idx] = False
        cat["single"][sex_x] = np.concatenate([cat["single"][sex_x], pool[out_idx]])
        cat["couple"][sex_x] = pool[keep]
        men, women = cat["couple"]
    key_m = men / 12 + rng.normal(0, pp.couple_age_noise_years, len(men))
    key_w = women / 12 + pp.couple_age_gap_years + rng.normal(0, pp.couple_age_noise_years,
                                                               len(women))
    men = men[np.argsort(key_m, kind="stable")]
    women = women[np.argsort(key_w, kind="stable")]

    single_age = np.concatenate(cat["single"])
    single_sex = np.concatenate([np.full(len(cat["single"][0]), MALE, np.int8),
                                 np.full(len(cat["single"][1]), FEMALE, np.int8)])
    inst_age = np.concatenate(cat["institution"])
    inst_sex = np.concatenate([np.full(len(cat["institution"][0]), MALE, np.int8),
                               np.full(len(cat["institution"][1]), FEMALE, np.int8)])

    n_c, n_s, n_i = len(men), len(single_age), len(inst_age)
    n = n_c + n_s + n_i
    age = np.zeros((n, 2), np.int16)
    sex = np.zeros((n, 2), np.int8)
    present = np.zeros((n, 2), bool)
    age[:n_c, 0], age[:n_c, 1] = men, women
    sex[:n_c, 0], sex[:n_c, 1] = MALE, FEMALE
    present[:n_c] = True
    age[n_c:n_c + n_s, 0], sex[n_c:n_c + n_s, 0] = single_age, single_sex
    age[n_c + n_s:, 0], sex[n_c + n_s:, 0] = inst_age, inst_sex
    present[n_c:, 0] = True
    # shuffle rows so that row order carries no meaning
    perm = rng.permutation(n)
    age, sex, present = age[perm], sex[perm], present[perm]
    in_inst = (np.arange(n) >= n_c + n_s)[perm]
    del perm

    # care states and dementia per adult
    care = np.zeros((n, 2), np.int8)
    dementia = np.zeros((n, 2), bool)
    years = age // 12
    band = _band_lookup(tables.care, years)
    cp = np.array([[r["p_limitation"], r["p_moderate"], r["p_regie"], r["p_heavy"]]
                   for r in tables.care])
    pdem = np.array([r["p_dementia"] for r in tables.care])
    u = rng.random((n, 2))
    cum = np.cumsum(cp, axis=1)  # cumulative shares of states 1..4 by age band
    # the state is 1 + the first k with u < cum[band, k] (0 if there is none); temporaries of
    # the whole population are freed as soon as possible to keep the peak memory low
    for k in range(cp.shape[1] - 1, -1, -1):
        care[u < cum[band, k]] = k + 1
    del u
    dementia = rng.random((n, 2)) < pdem[band]
    del band
    dem_inst = rng.random(n) < params.care.dementia_share_institution
    care[in_inst, 0] = HEAVY
    dementia[in_inst, 0] = dem_inst[in_inst]
    care = np.where(dementia, np.maximum(care, params.care.dementia_min_care_state), care)
    care[~present] = NONE
    dementia &= present
    # indications that date from before the start have wlz_step -1 (unknown date)
    wlz_step = np.full((n, 2), -1, np.int32)

    # household attributes by age of the oldest adult
    oldest = np.maximum(np.where(present[:, 0], years[:, 0], -1),
                        np.where(present[:, 1], years[:, 1], -1))
    del years
    hb = _band_lookup(tables.housing, oldest)
    hs = tables.housing
    p_ten = np.array([[r["p_owner"], r["p_social"], r["p_private"]] for r in hs])[hb]
    ut = rng.random(n)
    p_dw = np.array([[r["p_nultreden"], r["p_geclusterd"], r["p_zorggeschikt"]] for r in hs])[hb]
    ud = rng.random(n)
    cum_dw = np.cumsum(p_dw, axis=1)
    dwelling = np.where(ud < cum_dw[:, 2], (ud[:, None] >= cum_dw).sum(axis=1) + 1, REGULAR)
    dwelling = dwelling.astype(np.int8)
    dwelling[in_inst] = VERPLEEGHUIS
    del ud, cum_dw

    shares = np.array([r["households"] for r in tables.regions], dtype=float)
    region = rng.choice(len(shares), size=n, p=shares / shares.sum()).astype(np.int8)

    position = rng.random(n)
    benefit, income = economic_position(position, oldest >= pp.aow_age_years, pp)
    tenure = tenure_by_position(position, ut, p_ten, pp.tenure_position_correlation)
    tenure[in_inst] = INSTITUTION_TENURE
    del hb, p_ten, ut, position
    income[in_inst] = 0.0

    # children and co-residents live with private households of suitable age, couples more often
    private = ~in_inst
    pair = present.sum(axis=1) == 2
    lo, hi = pp.children_age_of_oldest_years
    n_children = _spread(rng, private & (oldest >= lo) & (oldest <= hi), pair, children_total,
                         pp.children_couple_weight)
    lo, hi = pp.coresidents_age_of_oldest_years
    coresident_total = float(sum(k for _, _, k in coresident_groups))
    n_cores = _spread(rng, private & (oldest >= lo) & (oldest <= hi), pair, coresident_total,
                      pp.children_couple_weight)

    pid = np.full((n, 2), -1, np.int32)
    pid[present] = np.arange(int(present.sum()), dtype=np.int32)
    hh = Households(capacity=int(n * 1.15) + 64)
    hh.append({
        "pid": pid,
        "weight": np.full(n, weight, np.float32),
        "present": present, "age_months": age, "sex": sex, "care": care,
        "dementia": dementia, "wlz_step": wlz_step, "tenure": tenure, "dwelling": dwelling,
        "region": region, "benefit": benefit, "income_eur_year": income,
        "children_nearby": rng.random(n) < pp.children_nearby_share,
        "months_in_dwelling": (rng.exponential(12 * pp.months_in_dwelling_mean_years, n))
        .clip(0, 32000).astype(np.int16),
    })
    hh.n_children[:] = n_children
    place_coresidents(hh, n_cores, oldest, coresident_groups,
                      RandomStreams(seed).generator("population", key="coresidents"), pp)
    savings = household_savings(tenure, oldest, RandomStreams(seed).generator("population", key="savings"),
                                pp)
    hh.savings_eur[:] = np.where(in_inst, 0.0, savings)
    return hh


SAVINGS_AGE_YEARS = (65, 75)
"""Age bands of ``savings_median_eur`` (by the oldest adult): under 65, 65-74, 75 and over."""


def household_savings(tenure, oldest_years, rng: np.random.Generator, pp: PopulationParams) -> np.ndarray:
    """Savings (wealth besides the own home, EUR of 2025) by tenure and age of the oldest adult.

    The median of ``savings_median_eur`` for renters or owners of the age band times a lognormal
    factor with median 1 and ``savings_spread_sigma`` (draws of the sub-stream ``savings`` of
    ``population``: the rest of the population does not depend on them).
    """
    band = np.searchsorted(np.asarray(SAVINGS_AGE_YEARS), np.asarray(oldest_years), side="right")
    owner = np.asarray(tenure) == OWNER
    median = np.asarray(pp.savings_median_eur)[band + 3 * owner]
    return (median * rng.lognormal(0.0, pp.savings_spread_sigma, len(band))).astype(np.float32)


def place_coresidents(hh: Households, n_cores: np.ndarray, oldest: np.ndarray, groups: list,
                      rng: np.random.Generator, pp: PopulationParams) -> None:
    """Gives the households their adult co-residents with the ages of the population table.

    The co-residents' ages are drawn within their age groups (``groups``: ``(lo, hi, count)``, the
    persons the position table leaves as co-residents), by :data:`AT_HOME_SHARE_BY_AGE` from 18 to 30
    and uniformly above; the oldest co-residents go to the households
    whose oldest adult is oldest, after a normal noise of ``coresident_age_noise_years`` on that adult's
    age (assumption: co-residents are mostly the household's children, so their ages follow the
    parents'). Draws of the sub-stream ``coresidents`` of ``population`` (the rest of the population
    does not depend on them).
    """
    ages = np.concatenate([_coresident_ages(rng, lo, hi, k, pp) for lo, hi, k in groups]
                          or [np.zeros(0, np.int16)])
    rows = np.repeat(np.arange(len(n_cores)), n_cores)
    k = min(len(rows), len(ages))
    rows, ages = rows[:k], ages[:k]
    key = oldest[rows] + rng.normal(0.0, pp.coresident_age_noise_years, k)
    # the i-th youngest co-resident goes to the household of the i-th lowest key
    ranked = rows[np.argsort(key, kind="stable")]
    order = np.argsort(ranked, kind="stable")
    r, a = ranked[order], np.sort(ages)[order]
    slot = np.arange(len(r)) - np.searchsorted(r, r)
    keep = slot < CORESIDENT_SLOTS
    hh.coresident_birth_month[r[keep], slot[keep]] = -a[keep].astype(np.int32)
    hh.n_coresidents[:] = n_cores


def _spread(rng, eligible: np.ndarray, pair: np.ndarray, total: float,
            couple_weight: float) -> np.ndarray:
    """Distributes ``total`` persons over eligible households, couples ``couple_weight`` times as likely."""
    out = np.zeros(len(eligible), np.int16)
    idx = np.flatnonzero(eligible)
    if len(idx) == 0 or total <= 0:
        return out
    p = np.where(pair[idx], couple_weight, 1.0)
    picks = rng.choice(len(idx), size=int(round(total)), p=p / p.sum())
    out[idx] = np.bincount(picks, minlength=len(idx))
    return out


def economic_position(position: np.ndarray, aow: np.ndarray,
                      pp: PopulationParams) -> tuple[np.ndarray, np.ndarray]:
    """Benefit type and own income of households from their economic position (a uniform rank).

    The position orders households from the poorest (0) to the richest (1) within their age group:
    below AOW age the lowest ``bijstand_share_working_age`` receive bijstand and the rest work; at AOW
    age the lowest ``aio_share_aow`` receive the AIO supplement, the next ``1 - aio - pension`` share
    only the AOW, and the rest an occupational pension. Within a group the rank sets the lognormal
    income factor (median 1, ``income_spread_sigma``), so the shares and the income distributions are
    the sourced ones while income rises with the position (the tenure follows the same position, see
    :func:`tenure_by_position`).
    """
    position = np.asarray(position, dtype=float)
    aio, pension = pp.aio_share_aow, pp.pension_share_aow
    bij = pp.bijstand_share_working_age
    lo = np.where(aow, np.where(position < aio, 0.0, np.where(position < 1.0 - pension, aio, 1.0 - pension)),
                  np.where(position < bij, 0.0, bij))
    hi = np.where(aow, np.where(position < aio, aio, np.where(position < 1.0 - pension, 1.0 - pension, 1.0)),
                  np.where(position < bij, bij, 1.0))
    benefit = np.where(
        aow, np.where(position < aio, AOW_AIO, np.where(position < 1.0 - pension, AOW, AOW_PENSION)),
        np.where(position < bij, BIJSTAND, WORK)).astype(np.int8)
    within = np.clip((position - lo) / np.maximum(hi - lo, 1e-12), 1e-9, 1.0 - 1e-9)
    noise = np.exp(pp.income_spread_sigma * ndtri(within))
    return benefit, household_income(benefit, noise, pp)


def tenure_by_position(position: np.ndarray, u: np.ndarray, p_tenure: np.ndarray,
                       correlation: float) -> np.ndarray:
    """Tenure of households from their economic position and an own draw (Gaussian copula).

    ``t = rho z + sqrt(1 - rho^2) e`` with ``z`` the normal score of the position and ``e`` that of
    ``u``; ``t``'s normal rank below the household's ``p_social`` gives social rent, below ``p_social +
    p_private`` private rent, above owner-occupation (``p_tenure``: rows of (owner, social, private)
    shares by the household's age band). The shares by age are kept for any ``rho``; ``rho`` (the
    correlation of tenure's latent rank with the economic position) sorts the poorer into social rent
    and the richer into owner-occupation.
    """
    z = ndtri(np.clip(position, 1e-12, 1.0 - 1e-12))
    e = ndtri(np.clip(u, 1e-12, 1.0 - 1e-12))
    rank = ndtr(correlation * z + np.sqrt(1.0 - correlation ** 2) * e)
    p_social, p_private = p_tenure[:, 1], p_tenure[:, 2]
    return np.where(rank < p_social, SOCIAL,
                    np.where(rank < p_social + p_private, PRIVATE, OWNER)).astype(np.int8)


def household_income(benefit, noise, pp: PopulationParams) -> np.ndarray:
    """A household's own gross income per year besides statutory benefits (EUR 2025).

    Earnings for working households, an occupational pension for AOW households with one (the medians
    of ``PopulationParams`` times a lognormal ``noise``), none for the others: AOW, AIO and bijstand
    follow from the benefit type and the adults (:func:`agents.money.statutory_benefits`).
    """
    out = np.select([benefit == AOW_PENSION, benefit == WORK],
                    [pp.pension_median_eur_year * noise, pp.earnings_median_eur_year * noise], 0.0)
    return out.astype(np.float32)
