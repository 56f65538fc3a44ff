"""Costs (every step, summed over the year, EUR of 2025) and the switch to AOW at AOW age.

Costs use the unit costs of ``CostParams``: Wlz (verpleeghuis residents and Wlz care at home), Wmo
(persons at home with moderate care or loss of regie) and benefits (AOW, AIO, bijstand; under the
kostendelersnorm for housemates and hosts, :func:`agents.policies.kostendelersnorm.benefits`).
Verzorgingshuis residents count as at home for Wlz and Wmo (care is the same as at home, CPB 2020) and
keep their benefits (they pay their own rent); their extra cost (``verzorgingshuis_eur_per_client_year``,
mainly housing, net of Wmo and Zvw savings) is ``cost_verzorgingshuis_eur``.

Pension (process ``pension``, on 1 January): households whose oldest adult reaches the AOW age move
from earnings or bijstand to AOW (with a pension with ``pension_share_aow``, or with AIO for former
bijstand households); their own income becomes a pension at the rank their earnings had (the ratio of
the medians ``pension_median_eur_year`` / ``earnings_median_eur_year``), or none.
"""

from __future__ import annotations

import numpy as np

from agents import money
from sim.codes import (
    AOW,
    AOW_AIO,
    AOW_PENSION,
    BIJSTAND,
    HEAVY,
    MODERATE,
    NONE,
    REGIE,
    VERPLEEGHUIS,
    VERZORGINGSHUIS,
    WORK,
    is_one_of,
)
from sim.households import oldest_age_months
from sim.outputs import declare
from sim.process import Context, Process


def to_aow(ctx: Context) -> None:
    """On 1 January: households whose oldest adult has reached the AOW age receive AOW from now on."""
    if not ctx.first_step_of_year:
        return
    hh = ctx.households
    pp = ctx.params.population
    rows = np.flatnonzero(hh.active & ((hh.benefit == WORK) | (hh.benefit == BIJSTAND)))
    old = rows[oldest_age_months(hh, rows) >= pp.aow_age_years * 12]
    if len(old) == 0:
        return
    u = ctx.streams.for_few("pension", hh.pid[old, 0])
    was_bijstand = hh.benefit[old] == BIJSTAND
    hh.benefit[old] = np.where(was_bijstand, AOW_AIO,
                               np.where(u < pp.pension_share_aow, AOW_PENSION, AOW))
    # own income: a pension at the earnings' rank of the pension distribution, or none
    earnings = hh.income_eur_year[old].astype(np.float64)
    pension = earnings * (pp.pension_median_eur_year / max(pp.earnings_median_eur_year, 1.0))
    hh.income_eur_year[old] = np.where(hh.benefit[old] == AOW_PENSION, pension, 0.0).astype(np.float32)


def accounting(ctx: Context) -> None:
    """Adds this step's costs to the yearly cost indicators.

    Works on whole columns, inactive rows weighing zero (faster than gathering the active rows).
    """
    hh = ctx.households
    cp = ctx.params.costs
    spy = ctx.steps_per_year
    w = np.multiply(hh.weight, hh.active, dtype=np.float64)
    inst = hh.dwelling == VERPLEEGHUIS
    home = ~inst
    # persons at home by care state, as 0/1 per slot (int8) summed over the two slots (an empty slot
    # holds care state NONE: sim.households.clear_slots)
    care0 = np.where(home, hh.care[:, 0], NONE)
    care1 = np.where(home, hh.care[:, 1], NONE)
    heavy_home = (care0 == HEAVY).view(np.int8) + (care1 == HEAVY).view(np.int8)
    wmo = (is_one_of(care0, (MODERATE, REGIE)).view(np.int8)
           + is_one_of(care1, (MODERATE, REGIE)).view(np.int8))
    wlz = (w[inst].sum() * cp.verpleeghuis_eur_per_resident_year
           + (w * heavy_home).sum() * cp.wlz_at_home_eur_per_person_year)
    ctx.record.flow("cost_wlz_eur", wlz / spy)
    ctx.record.flow("cost_wmo_eur", (w * wmo).sum() * cp.wmo_eur_per_user_year / spy)
    vzh = hh.dwelling == VERZORGINGSHUIS
    if vzh.any():
        ctx.record.flow("cost_verzorgingshuis_eur",
                        w[vzh].sum() * cp.verzorgingshuis_eur_per_client_year / spy)
    rows = np.flatnonzero(hh.active & home & (hh.benefit != WORK))
    per_year = money.statutory_benefits(ctx, rows)
    # institution residents' benefits are not counted here; WORK households receive none
    ctx.record.flow("cost_benefits_eur", (w[rows] * per_year).sum() / spy)


PENSION = Process("pension", to_aow, reads=("population",), streams=("pension",))

PROCESS = Process(
    "accounting", accounting, reads=("costs", "policy"),
    records=declare(
        ("cost_wlz_eur", "EUR per year", "Wlz costs (verpleeghuis and Wlz care at home)", "flow"),
        ("cost_wmo_eur", "EUR per year", "Wmo costs (moderate care and loss of regie at home)",
         "flow"),
        ("cost_benefits_eur", "EUR per year", "Benefits: AOW, AIO and bijstand", "flow"),
        ("cost_verzorgingshuis_eur", "EUR per year",
         "Extra cost of verzorgingshuis residents on top of care at home", "flow"),
    ),
)
