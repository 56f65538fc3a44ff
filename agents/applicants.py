"""Starters and immigrants joining the pool of applicants, and what they seek as a first dwelling.

An applicant seeks a first dwelling in its province: a regular dwelling with probability
``turnover.applicant_regular_share``, else an apartment (nultreden); tenure by
``turnover.applicant_tenure_shares`` (private, social, owner), each from its own sub-stream of the
``applicant_target`` stream by person id (keyed by the process that adds the applicant, so that no two
readers share draws in a step). When an applicant is housed it becomes a one-adult household
(:func:`household_columns`).
"""

from __future__ import annotations

import numpy as np

from sim.applicants import IMMIGRANT, STARTER
from sim.codes import NOT_SEARCHING, NULTREDEN, OWNER, PRIVATE, REGULAR, SOCIAL, WORK
from sim.params import PopulationParams, TurnoverParams
from sim.process import Context


def first_dwelling_target(u_type: np.ndarray, u_tenure: np.ndarray,
                          tp: TurnoverParams) -> tuple[np.ndarray, np.ndarray]:
    """Dwelling type and tenure sought by applicants with uniform draws ``u_type``, ``u_tenure``."""
    dtype = np.where(u_type < tp.applicant_regular_share, REGULAR, NULTREDEN).astype(np.int8)
    cum = np.cumsum(tp.applicant_tenure_shares)
    tenure = np.where(u_tenure < cum[0], PRIVATE,
                      np.where(u_tenure < cum[1], SOCIAL, OWNER)).astype(np.int8)
    return dtype, tenure


def join(ctx: Context, kind: int, pids, region, age_months, sex, weight) -> np.ndarray:
    """Adds persons ``pids`` to the applicants, searching from now for a first dwelling.

    The calling process declares the ``applicant_target`` stream and reads the ``turnover`` group.

    Returns:
        The applicant rows added.
    """
    k = len(pids)
    if k == 0:
        return np.zeros(0, np.int64)
    u_type = ctx.streams.for_few("applicant_target", pids, f"{ctx.name}/type")
    u_tenure = ctx.streams.for_few("applicant_target", pids, f"{ctx.name}/tenure")
    dtype, tenure = first_dwelling_target(u_type, u_tenure, ctx.params.turnover)
    return ctx.applicants.append({
        "weight": np.asarray(weight, np.float32), "kind": np.full(k, kind, np.int8),
        "pid": np.asarray(pids, np.int32), "age_months": age_months, "sex": sex, "region": region,
        "since": np.full(k, ctx.step, np.int32), "search_type": dtype, "search_tenure": tenure,
        "children_nearby": np.full(k, kind == STARTER),  # a starter's parents live nearby
    })


def household_columns(ctx: Context, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Columns of the households that applicants ``idx`` form when housed (besides their person).

    The applicant's benefit and network (``children_nearby``) go with it, an immigrant's arrival
    step too (``arrived_step``); own income: the separated partner's share of the couple's
    (``income_eur_year`` of the applicant), else ``starter_income_eur_year`` for a working applicant
    and none for one on a benefit.
    """
    pp: PopulationParams = ctx.params.population
    ap = ctx.applicants
    return {
        "arrived_step": np.where(ap.kind[idx] == IMMIGRANT, ap.since[idx], NOT_SEARCHING),
        "benefit": ap.benefit[idx],
        "income_eur_year": np.where(
            ap.income_eur_year[idx] >= 0, ap.income_eur_year[idx],
            np.where(ap.benefit[idx] == WORK, pp.starter_income_eur_year, 0.0)).astype(np.float32),
        "children_nearby": ap.children_nearby[idx],
    }
