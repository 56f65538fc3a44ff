"""Hospitaverhuur: households with spare rooms take a starter as lodger, on contracts up to 5 years.

Levers (``PolicyParams``): ``hospitaverhuur`` (off in the baseline) lets owners (and tenants, with
``hospita_tenants_allowed``) with ``hospita_min_spare_rooms`` rooms or more than persons take a lodger
at ``hospita_per_year`` (stream ``hospita``, by person id): within a province the k-th ready host
(random order) takes the k-th longest-waiting starter, who leaves the applicant pool and lives with
them for a contract drawn uniformly from one month to ``hospita_contract_max_years``. Then, or when the
host's household ends or moves into an institution, the lodger returns to the pool as a starter. A
lodger moves along if the host moves (simplification). The host receives ``hospita_rent_eur_month``;
the rent above the kamerverhuurvrijstelling is counted as taxable. A bijstand or AIO host subject to the
kostendelersnorm takes no lodger when the lodger counts for it
(:func:`agents.policies.kostendelersnorm.blocks_lodger`).
"""

from __future__ import annotations

import numpy as np

from agents import applicants
from agents.allocation import pair_within_groups
from agents.policies import kostendelersnorm
from sim.applicants import STARTER
from sim.codes import OWNER, PRIVATE, SOCIAL, is_institution
from sim.households import household_size
from sim.outputs import declare
from sim.process import Context, Process
from sim.rates import step_probability


def hospita(ctx: Context) -> None:
    """Ends lodgings, lets eligible hosts take a lodger from the starters, books the rent."""
    hh = ctx.households
    pp, cp = ctx.params.policy, ctx.params.costs
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
    lodging = hh.active & (hh.lodger_pid >= 0)
    if lodging.any():
        w = hh.weight[lodging].astype(np.float64).sum()
        rent_year = pp.hospita_rent_eur_month * 12.0
        ctx.record.flow("hospita_rent_income_eur", w * rent_year / spy)
        ctx.record.flow("hospita_rent_above_exemption_eur",
                        w * max(0.0, rent_year - cp.kamerverhuurvrijstelling_eur_year) / spy)


def take_lodgers(ctx: Context) -> None:
    """Eligible hosts take lodgers from the starters of their province (see the module docstring)."""
    hh, dw, ap = ctx.households, ctx.dwellings, ctx.applicants
    pp = ctx.params.policy
    tenures = (OWNER, SOCIAL, PRIVATE) if pp.hospita_tenants_allowed else (OWNER,)
    rows = np.flatnonzero(hh.active & (hh.lodger_pid < 0) & np.isin(hh.tenure, tenures)
                          & ~is_institution(hh.dwelling))
    rows = rows[~kostendelersnorm.blocks_lodger(ctx, hh.benefit[rows])]
    rows = rows[dw.rooms[hh.dwelling_id[rows]] - household_size(hh, rows) >= pp.hospita_min_spare_rooms]
    u = ctx.streams.for_few("hospita", hh.pid[rows, 0], "ready")
    hosts = rows[u < step_probability(pp.hospita_per_year, ctx.steps_per_year)]
    starters = np.flatnonzero(ap.active & (ap.kind == STARTER))
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


PROCESS = Process(
    "hospitaverhuur", hospita, reads=("policy", "costs", "turnover"),
    streams=("hospita", "applicant_target"),
    records=declare(
        ("lodgers_housed", "persons per year",
         "Starters housed as lodgers (hospitaverhuur), without a dwelling of their own", "flow"),
        ("lodgers_returned", "persons per year",
         "Lodgers back in the applicant pool (contract ended or host gone)", "flow"),
        ("hospita_rent_income_eur", "EUR per year", "Rent received by hospita hosts", "flow"),
        ("hospita_rent_above_exemption_eur", "EUR per year",
         "Hospita rent above the tax-free kamerverhuurvrijstelling (taxable, not taxed here)",
         "flow"),
    ),
)
