"""Kostendelersnorm: the benefit cut when adults share a dwelling, its variants, and house sharing.

Bijstand and the AIO supplement depend on the number of adults 27+ sharing the dwelling
(:func:`kostendeler_share`). Lever ``kostendelersnorm`` (``PolicyParams``): ``current``, ``abolished``
or ``exempt_older`` (AIO recipients, who have AOW age, exempt). The model counts the adults of the
household, its adult co-residents (mostly adult children at home, whose ages are followed:
``Households.coresident_birth_month``) aged :data:`KOSTENDELER_AGE_YEARS` or more, and, with
``lodger_counts_for_kostendelersnorm``, a lodger. Without such sharers a couple receives 1.0 of the
gehuwdennorm and a single ``bijstand_single_share``.

Households respond to the cut: co-residents 27+ of a household whose benefit the norm cuts leave home
at ``leave_home_per_year`` times ``exp(kostendeler_leave_sensitivity x cut / disposable income)``
(:func:`agents.money.leave_home_factor`, used by ``agents.family``), and a cut household's lower
income weighs in its search and acceptance (``agents.money``).

House sharing (process ``sharing``): single households 55+ (``sharing_min_age_years``) on bijstand or
AIO become ready to share at ``sharing_per_year``, or at the lower ``sharing_per_year_with_cut`` when
the norm would cut their benefit (0 by default: the baseline's household dynamics already contain the
sharing under the current norm, so only the extra sharing without a cut is modelled and the baseline
is unchanged); ready singles of the same province and benefit are paired at random (stream
``sharing``). The single with fewer rooms moves in with the other as a housemate in adult slot 1
(``Households.shared_pid`` marks the housemate: not a partner for the benefits) and the freed dwelling
starts a vacancy chain with cause ``merger``. AOW has no kostendelersnorm (since 2016, nl_facts
aow_single_share_wml note): housemates keep the single AOW each.
"""

from __future__ import annotations

import numpy as np

from agents.allocation import rank_within
from sim.codes import AOW_AIO, BIJSTAND, is_home, is_one_of
from sim.households import adult_count, coresidents_from_age, is_shared
from sim.outputs import declare
from sim.process import Context, Process
from sim.rates import step_probability

KOSTENDELER_BASE_SHARE = 0.4
"""Share of the gehuwdennorm shared by the household under the kostendelersnorm (40%; nl_facts
kostendeler_bijstand_share_A1 note, szw.rijksopenheid.nl)."""
KOSTENDELER_STEP_SHARE = 0.3
"""Share of the gehuwdennorm added per co-resident 27+ (30%; same source)."""
KOSTENDELER_AGE_YEARS = 27
"""Co-residents of this age and older count for the kostendelersnorm (Participatiewet art. 22a)."""
KOSTENDELERSNORM_VARIANTS = ("current", "abolished", "exempt_older")
SHARING_BENEFITS = (BIJSTAND, AOW_AIO)
"""Benefits under the kostendelersnorm: bijstand, and the AIO supplement."""


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


def household_bijstand_share(n_adults, partners, counted_others, applies,
                             single_share: float) -> np.ndarray:
    """Bijstand of a household's recipients together, as a share of the gehuwdennorm.

    Args:
        n_adults: Adults of the household who receive the benefit (1 or 2).
        partners: True where the two adults are partners (one benefit unit, the gehuwdennorm).
        counted_others: Other persons 27+ in the dwelling counted by the norm (e.g. a lodger).
        applies: Whether the kostendelersnorm applies.
        single_share: Bijstand of a single without the norm (``costs.bijstand_single_share``).

    Returns:
        With the norm ``n_adults x kostendeler_share(n_adults + counted_others)``; without it 1.0 for
        partners and ``single_share`` for each single (housemates are two singles).
    """
    n_adults = np.asarray(n_adults)
    with_norm = n_adults * kostendeler_share(n_adults + np.asarray(counted_others))
    without = np.where(partners, 1.0, single_share * n_adults)
    return np.where(applies, with_norm, without)


def lodger_cut(ctx: Context, rows: np.ndarray, benefit: np.ndarray, per_year: np.ndarray) -> np.ndarray:
    """Yearly cut (EUR of 2025) a lodger would make in the benefit of households ``rows``.

    0 unless ``lodger_counts_for_kostendelersnorm`` and the household has bijstand or AIO under the
    norm; the lodger counts as one more sharer 27+ besides the co-residents already counted.
    ``per_year`` holds the households' benefits without sharing (``agents.money.benefit_amounts``).
    """
    hh = ctx.households
    out = np.zeros(len(rows))
    if not ctx.params.policy.lodger_counts_for_kostendelersnorm:
        return out
    idx = np.flatnonzero(is_one_of(benefit, SHARING_BENEFITS))
    if len(idx) == 0:
        return out
    r, b = rows[idx], benefit[idx]
    from_money = np.asarray(per_year, np.float64)[idx]
    n, shared = adult_count(hh, r), is_shared(hh, r)
    counted = counted_sharers(ctx, r, b)
    applies = norm_applies(ctx.params, b)
    now = shared_benefits(b, n, shared, counted, applies, ctx.params.costs, from_money)
    with_lodger = shared_benefits(b, n, shared, counted + 1, applies, ctx.params.costs, from_money)
    out[idx] = np.maximum(0.0, now - with_lodger)
    return out


def counted_sharers(ctx: Context, rows: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Persons 27+ besides the household's adults whom the norm counts, per household (``int64``).

    Adult co-residents aged 27 or more, and a lodger where ``lodger_counts_for_kostendelersnorm``;
    0 for households without bijstand or AIO.
    """
    hh = ctx.households
    sharing = is_one_of(benefit, SHARING_BENEFITS)
    out = np.zeros(len(rows), np.int64)
    idx = np.flatnonzero(sharing & (hh.n_coresidents[rows] > 0))
    if len(idx):
        out[idx] = coresidents_from_age(hh, rows[idx], ctx.month, KOSTENDELER_AGE_YEARS)
    if ctx.params.policy.lodger_counts_for_kostendelersnorm:
        out += sharing & (hh.lodger_pid[rows] >= 0)
    return out


def benefits(ctx: Context, rows: np.ndarray, benefit: np.ndarray, per_year: np.ndarray,
             cut: np.ndarray | None = None) -> np.ndarray:
    """Benefits per year of households that share their dwelling with persons the norm counts.

    Housemate households, and bijstand or AIO households with co-residents 27+ or a lodger who
    counts (:func:`counted_sharers`); other households keep ``per_year`` unchanged. Housemates each
    keep the single AOW; the AIO supplement (per single) is reduced by the cut the norm makes in the
    bijstand level (assumption: AIO tops up to the bijstand norm, so the cut comes off the supplement,
    not below zero).

    Args:
        ctx: The process context.
        rows: Household rows.
        benefit: Their benefit codes.
        per_year: Their benefits per year without sharing (EUR of 2025).
        cut: If given, receives the yearly cut the norm makes per household (EUR of 2025; 0 where none).
    """
    hh = ctx.households
    shared = is_shared(hh, rows)
    counted = counted_sharers(ctx, rows, benefit)
    special = shared | (counted > 0)
    if cut is not None:
        cut[:] = 0.0
    if not special.any():
        return per_year
    idx = np.flatnonzero(special)
    out = per_year.copy()
    out[idx] = shared_benefits(benefit[idx], adult_count(hh, rows[idx]), shared[idx], counted[idx],
                               norm_applies(ctx.params, benefit[idx]), ctx.params.costs, per_year[idx])
    if cut is not None:
        cut[idx] = np.maximum(0.0, per_year[idx] - out[idx])
    return out


def norm_applies(params, benefit) -> np.ndarray:
    """Whether the scenario's kostendelersnorm applies to households with these benefit codes."""
    return kostendelersnorm_applies(params.policy.kostendelersnorm, benefit)


def shared_benefits(benefit, n_adults, shared, counted, applies, cp, per_year) -> np.ndarray:
    """Benefits per year of households sharing their dwelling (the rule of :func:`benefits`).

    Args:
        benefit: Benefit codes.
        n_adults: Adults of each household (1 or 2).
        shared: True for housemate households (two singles).
        counted: Other persons 27+ the norm counts (:func:`counted_sharers`).
        applies: Whether the norm applies (:func:`norm_applies`).
        cp: ``CostParams``.
        per_year: The benefits without sharing; kept for households on neither bijstand nor AIO.
    """
    b, sh, n = np.asarray(benefit), np.asarray(shared), np.asarray(n_adults)
    partners = ~sh & (n == 2)
    single = cp.bijstand_single_share
    share = household_bijstand_share(n, partners, counted, applies, single)
    cut_eur = (household_bijstand_share(n, partners, 0, False, single) - share) * cp.bijstand_couple_eur_year
    aow = np.where(sh, n * cp.aow_single_eur_year,
                   np.where(n == 2, cp.aow_couple_eur_year, cp.aow_single_eur_year))
    aio = aow + np.maximum(0.0, np.where(sh, n, 1) * cp.aio_supplement_eur_year - cut_eur)
    return np.select([b == BIJSTAND, b == AOW_AIO], [share * cp.bijstand_couple_eur_year, aio], per_year)


def under_norm(ctx: Context, rows: np.ndarray, benefit: np.ndarray, per_year: np.ndarray) -> np.ndarray:
    """True for households whose benefit the kostendelersnorm cuts (below the level without sharers)."""
    cut = np.zeros(len(rows))
    benefits(ctx, rows, benefit, per_year, cut)
    return cut > 0


def share_dwellings(ctx: Context) -> None:
    """Ready single households 55+ on bijstand or AIO are paired and move in together.

    An eligible single becomes ready at the sharing hazard and stays ready until paired. Pairs are
    formed within province and benefit (bijstand or AIO) in random order; the single with fewer rooms
    (the second of the pair on a tie) joins the other as a housemate in slot 1, and its dwelling
    becomes vacant (chain cause ``merger``).
    """
    hh, dw = ctx.households, ctx.dwellings
    pp = ctx.params.policy
    spy = ctx.steps_per_year
    rows = np.flatnonzero(is_one_of(hh.benefit, SHARING_BENEFITS))  # few: the rest is tested for them
    rows = rows[hh.active[rows] & ~hh.present[rows, 1] & is_home(hh.dwelling[rows])
                & (hh.age_months[rows, 0] >= pp.sharing_min_age_years * 12)
                & (hh.n_children[rows] == 0) & (hh.n_coresidents[rows] == 0)
                & (hh.lodger_pid[rows] < 0)]
    if len(rows) < 2:
        return
    cut = kostendelersnorm_applies(pp.kostendelersnorm, hh.benefit[rows])
    p = np.where(cut, step_probability(pp.sharing_per_year_with_cut, spy),
                 step_probability(pp.sharing_per_year, spy))
    u = ctx.streams.for_few("sharing", hh.pid[rows, 0], "ready")
    hh.sharing_ready[rows[u < p]] = True
    ready = rows[hh.sharing_ready[rows]]
    if len(ready) < 2:
        return
    key = hh.region[ready].astype(np.int64) * 8 + hh.benefit[ready]
    rank = rank_within(key, ctx.streams.generator("sharing", "pairing").random(len(ready)))
    order = np.lexsort((rank, key))
    s, ks, rs = ready[order], key[order], rank[order]
    first = np.flatnonzero((rs[:-1] % 2 == 0) & (ks[:-1] == ks[1:]))
    if len(first) == 0:
        return
    a, b = s[first], s[first + 1]
    a_hosts = dw.rooms[hh.dwelling_id[a]] > dw.rooms[hh.dwelling_id[b]]
    host, joiner = np.where(a_hosts, a, b), np.where(a_hosts, b, a)
    ctx.record.flow("households_sharing_formed", float(hh.weight[host].sum()))
    hh.sharing_ready[host] = False
    hh.sharing_ready[joiner] = False
    ctx.occupancy.merge(host, joiner, with_dependants=False)
    hh.shared_pid[host] = hh.pid[host, 1]


PROCESS = Process(
    "sharing", share_dwellings, reads=("policy",), streams=("sharing",),
    records=declare(("households_sharing_formed", "households per year",
                     "Shared households formed (the joining single's dwelling is freed)", "flow")),
)
