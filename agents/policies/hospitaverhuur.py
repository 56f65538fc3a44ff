"""Hospitaverhuur: households with spare rooms take a starter as lodger, on contracts up to 5 years.

Levers (``PolicyParams``): ``hospitaverhuur`` (off in the baseline) lets owners (and tenants, with
``hospita_tenants_allowed``) with ``hospita_min_spare_rooms`` rooms or more than persons consider a
lodger at ``hospita_per_year`` (stream ``hospita``, by person id); one that considers it takes a lodger
with the share ``1 - exp(-money.hospita_gain_sensitivity x gain)`` (:func:`host_gain_share`), where
``gain`` is the host's yearly net gain over its disposable income: the rent ``hospita_rent_eur_month``,
less income tax (``money.income_tax_rate_*``) on the rent above the kamerverhuurvrijstelling, less the
cut a lodger would make in a bijstand or AIO benefit where the lodger counts for the kostendelersnorm
(:func:`agents.policies.kostendelersnorm.lodger_cut`). A starter takes the room when it is not dearer
than its alternative, or with the acceptance ``exp(-money.accept_cost_sensitivity x extra)`` otherwise
(:func:`starter_takes_room`): ``extra`` is the yearly rent above the mean market rent of the private
rented dwellings of its province, over a starter's disposable income. Within a province the k-th
ready host (random order) takes the k-th longest-waiting willing starter, who leaves the applicant
pool and lives with them for a contract drawn uniformly from one month to
``hospita_contract_max_years``. Then, or when the host's household ends or moves into an institution,
the lodger returns to the pool as a starter. A lodger moves along if the host moves (simplification).
The rent grows with incomes (``money.income_growth_per_year``), the exemption is that of 2025 grown
the same way (assumption: it is indexed).
"""

from __future__ import annotations

import numpy as np

from agents import applicants, money
from agents.allocation import pair_within_groups
from agents.policies import kostendelersnorm
from sim.applicants import STARTER
from sim.codes import OWNER, PRIVATE, SOCIAL, WORK, is_home, is_institution, is_one_of
from sim.households import adult_count, household_size
from sim.outputs import declare
from sim.process import Context, Process
from sim.rates import step_probability


def hospita(ctx: Context) -> None:
    """Ends lodgings, lets eligible hosts take a lodger from the starters, books the rent."""
    hh = ctx.households
    pp = ctx.params.policy
    spy = ctx.steps_per_year
    lodging = np.flatnonzero(hh.lodger_pid >= 0)
    if len(lodging):
        hh.lodger_age_months[lodging] += 12 // spy
        end = lodging[~hh.active[lodging] | is_institution(hh.dwelling[lodging])
                      | (hh.lodger_until[lodging] <= ctx.step)]
        if len(end):
            back = ctx.occupancy.release_lodgers(end)
            applicants.join(ctx, STARTER, back["pid"], back["region"], back["age_months"],
                            back["sex"], back["weight"])
            ctx.record.flow("lodgers_returned", float(np.sum(back["weight"])))
    if pp.hospitaverhuur:
        take_lodgers(ctx)
    lodging = np.flatnonzero(hh.active & (hh.lodger_pid >= 0))
    if len(lodging):
        w = hh.weight[lodging].astype(np.float64)
        rent_year, tax = rent_and_tax(ctx, is_one_of(hh.benefit[lodging], money.AOW_BENEFITS))
        ctx.record.flow("hospita_rent_income_eur", w.sum() * rent_year / spy)
        exemption = ctx.params.costs.kamerverhuurvrijstelling_eur_year * money.income_index(ctx)
        ctx.record.flow("hospita_rent_above_exemption_eur", w.sum() * max(0.0, rent_year - exemption) / spy)
        ctx.record.flow("hospita_income_tax_eur", float((w * tax).sum()) / spy)


def take_lodgers(ctx: Context) -> None:
    """Eligible hosts take lodgers from the starters of their province (see the module docstring)."""
    hh, dw, ap = ctx.households, ctx.dwellings, ctx.applicants
    pp = ctx.params.policy
    tenures = (OWNER, SOCIAL, PRIVATE) if pp.hospita_tenants_allowed else (OWNER,)
    rows = np.flatnonzero(hh.active & (hh.lodger_pid < 0) & np.isin(hh.tenure, tenures)
                          & is_home(hh.dwelling))
    rows = rows[dw.rooms[hh.dwelling_id[rows]] - household_size(hh, rows) >= pp.hospita_min_spare_rooms]
    u = ctx.streams.for_few("hospita", hh.pid[rows, 0], "ready")
    p = step_probability(pp.hospita_per_year, ctx.steps_per_year)
    rows, u = rows[u < p], u[u < p]
    # u / p is uniform on [0, 1) given u < p: the same draw decides on the gain
    hosts = rows[u / p < 1.0 - np.exp(-ctx.params.money.hospita_gain_sensitivity
                                      * host_gain_share(ctx, rows))]
    starters = np.flatnonzero(ap.active & (ap.kind == STARTER))
    starters = starters[starter_takes_room(ctx, starters)]
    if len(hosts) == 0 or len(starters) == 0:
        return
    g = ctx.streams.generator("hospita", "match")
    ih, is_ = pair_within_groups(hh.region[hosts], g.random(len(hosts)),
                                 ap.region[starters], ap.since[starters])
    if len(ih) == 0:
        return
    h, s = hosts[ih], starters[is_]
    months = np.ceil(g.random(len(h)) * pp.hospita_contract_max_years * 12).clip(min=1)
    until = ctx.step + (months * ctx.steps_per_year // 12).astype(np.int32).clip(min=1)
    ctx.occupancy.take_lodgers(h, s, until)
    ctx.record.flow("lodgers_housed", float(ap.weight[s].sum()))


def rent_and_tax(ctx: Context, aow: np.ndarray) -> tuple[float, np.ndarray]:
    """The hospita rent per year (EUR of the current year) and the income tax a host pays on it."""
    pp, mp, cp = ctx.params.policy, ctx.params.money, ctx.params.costs
    incomes = money.income_index(ctx)
    rent_year = pp.hospita_rent_eur_month * 12.0 * incomes
    taxable = max(0.0, rent_year - cp.kamerverhuurvrijstelling_eur_year * incomes)
    return rent_year, taxable * np.where(aow, mp.income_tax_rate_aow_age, mp.income_tax_rate_working_age)


def host_gain_share(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """A would-be host's yearly net gain from a lodger over its disposable income (not below 0)."""
    hh = ctx.households
    m = money.Household(ctx, rows)
    rent_year, tax = rent_and_tax(ctx, m.aow)
    benefit = hh.benefit[rows]
    per_year = money.benefit_amounts(benefit, adult_count(hh, rows) == 2, ctx.params.costs)
    cut = kostendelersnorm.lodger_cut(ctx, rows, benefit, per_year) * money.income_index(ctx)
    return np.maximum(0.0, rent_year - tax - cut) / m.disposable


def starter_takes_room(ctx: Context, starters: np.ndarray) -> np.ndarray:
    """Whether each waiting starter takes a hospita room (draw ``hospita``/``lodger``, by person id)."""
    ap = ctx.applicants
    pp, mp = ctx.params.policy, ctx.params.money
    if len(starters) == 0:
        return np.zeros(0, bool)
    incomes = money.income_index(ctx)
    alternative = money.regional_market_rents(ctx.dwellings)[:, PRIVATE]
    extra = np.maximum(0.0, pp.hospita_rent_eur_month * incomes - alternative[ap.region[starters]]) * 12
    if not (extra > 0).any():
        return np.ones(len(starters), bool)
    disposable = money.net_income(ctx.params.population.starter_income_eur_year * incomes,
                                  np.full(len(starters), WORK), mp, 1, incomes)
    u = ctx.streams.for_few("hospita", ap.pid[starters], "lodger")
    return u < np.exp(-mp.accept_cost_sensitivity * extra / disposable)


PROCESS = Process(
    "hospitaverhuur", hospita, reads=("policy", "costs", "turnover", "money", "prices", "population"),
    streams=("hospita", "applicant_target"),
    records=declare(
        ("lodgers_housed", "persons per year",
         "Starters housed as lodgers (hospitaverhuur), without a dwelling of their own", "flow"),
        ("lodgers_returned", "persons per year",
         "Lodgers back in the applicant pool (contract ended or host gone)", "flow"),
        ("hospita_rent_income_eur", "EUR per year", "Rent received by hospita hosts", "flow"),
        ("hospita_rent_above_exemption_eur", "EUR per year",
         "Hospita rent above the tax-free kamerverhuurvrijstelling (taxable)", "flow"),
        ("hospita_income_tax_eur", "EUR per year",
         "Income tax hosts pay on the hospita rent above the kamerverhuurvrijstelling", "flow"),
    ),
)
