"""Logeerzorg: respite stays relieve the carers of persons with a Wlz indication living at home.

Levers (``PolicyParams``): ``logeerzorg_share`` of the main carers of persons with a Wlz indication
use respite stays (drawn once per caring spell, stream ``logeerzorg``, by the receiver's person id);
their hazards of becoming overburdened and of stopping once overburdened are multiplied by
``logeerzorg_burden_factor``. The care at home lasts longer, so registration for a verpleeghuis place
and admission come later (:mod:`agents.informal`, :mod:`agents.admission`). Called by the
``informal_care`` process.
"""

from __future__ import annotations

import numpy as np

from sim.outputs import declare
from sim.process import Context

INDICATORS = declare(
    ("logeerzorg_users", "persons per year", "Carers who start using logeerzorg", "flow"),
)


def uses_respite(ctx: Context, pids: np.ndarray) -> np.ndarray:
    """True for the carers (of the receivers ``pids``) who use logeerzorg.

    Args:
        ctx: The context of the ``informal_care`` process (declares stream ``logeerzorg``).
        pids: Person ids of receivers with a Wlz indication whose carer has not been asked yet.
    """
    share = ctx.params.policy.logeerzorg_share
    if share <= 0 or len(pids) == 0:
        return np.zeros(len(pids), bool)
    return ctx.streams.for_few("logeerzorg", pids) < share


def burden_factor(ctx: Context, respite: np.ndarray) -> np.ndarray:
    """Factor on the burden hazards of carers: ``logeerzorg_burden_factor`` for users, else 1."""
    return np.where(respite, ctx.params.policy.logeerzorg_burden_factor, 1.0)
