"""Doorstroom incentives: priority for older movers, keeping the rent, a moving allowance.

Levers (``PolicyParams``), all off in the baseline; "older" is ``moving.older_mover_age_years`` (65).
Each acts through a rule, not a multiplier: what changes is who is first in line or what a move
costs, and the households' own weighing of cost (``money.accept_cost_sensitivity``) decides the rest.

* ``older_mover_priority_all_types``: the woningcorporaties give older movers priority for every
  dwelling type, not only geclusterd and zorggeschikt (read by the ``allocation`` process);
* ``keep_rent``: an older social tenant who moves to another social dwelling pays the old rent when
  it is lower than the re-let rent (huurprijs meenemen); the corporation forgoes the difference
  (indicator ``keep_rent_forgone_eur``). With no rent rise on moving the lever changes nothing;
* ``moving_allowance_eur``: a one-off allowance to older movers that offsets the moving cost
  (``money.moving_cost_eur``) in the cost of an offer.
"""

from __future__ import annotations

import numpy as np

from sim.codes import CARE_DWELLING_TYPES, SOCIAL, is_one_of
from sim.process import Context

CENT = 0.01
"""EUR; rents that differ by less than half a cent are the same rent (float32 columns)."""


def older_priority_types(ctx: Context, search_type: np.ndarray) -> np.ndarray:
    """True where an older mover gets priority for the dwelling type sought."""
    if ctx.params.policy.older_mover_priority_all_types:
        return np.ones(len(search_type), bool)
    return is_one_of(search_type, CARE_DWELLING_TYPES)


def rent_paid(ctx: Context, keeps: np.ndarray, rent_now: np.ndarray, offered_tenure: np.ndarray,
              offered_rent: np.ndarray) -> np.ndarray:
    """The monthly rent a household pays in an offered dwelling.

    Args:
        ctx: Context of the allocation process.
        keeps: True for older social tenants (who may keep their rent under the lever).
        rent_now: Their current monthly rent.
        offered_tenure: Tenure of the offered dwelling.
        offered_rent: The re-let rent of the offered dwelling.
    """
    if not ctx.params.policy.keep_rent:
        return offered_rent
    kept = keeps & (offered_tenure == SOCIAL) & (offered_rent - rent_now > CENT / 2)
    return np.where(kept, rent_now, offered_rent)


def moving_allowance(ctx: Context, older: np.ndarray) -> np.ndarray:
    """One-off moving allowance (EUR) per household: the lever's amount for older households."""
    return np.where(older, ctx.params.policy.moving_allowance_eur, 0.0)


def rent_kept(ctx: Context, paid: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """True where a mover pays less than the re-let rent because the keep-rent lever applies."""
    if not ctx.params.policy.keep_rent:
        return np.zeros(len(paid), bool)
    return paid < offered - CENT / 2
