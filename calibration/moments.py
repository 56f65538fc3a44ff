"""Moments of a survey frame: weighted shares in a subpopulation, with survey standard errors.

A moment is an outcome (:data:`OUTCOMES`) in a subpopulation (``where``: column -> ``[low, high)``
range or list of values, on the columns of :data:`calibration.frame.COLUMNS`). On a data frame it is
the weighted share of households with the outcome, with the linearisation standard error of a ratio
estimator, ``sqrt(sum w_i^2 (y_i - p)^2) / sum w_i`` (households drawn with replacement, the usual
approximation for a weighted survey share); on a model frame it is the weighted mean of the
probabilities behind the outcome (its expectation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibration.frame import COLUMNS

OUTCOMES: dict[str, tuple[str, tuple[int, ...], tuple[str, ...]]] = {
    "intention_definite": ("intention", (2,), ("p_definite",)),
    "intention_maybe": ("intention", (1,), ("p_maybe",)),
    "intention_any": ("intention", (1, 2), ("p_definite", "p_maybe")),
    "limitation": ("limitation", (1,), ()),
    "mismatch": ("mismatch", (1,), ()),
}
"""Outcome name -> (frame column, values counted, model probability columns summed). An outcome
without probability columns is a state, not an answer drawn from probabilities: its model moment is
the weighted share of the state itself."""


class MomentError(ValueError):
    """A moment names an unknown outcome or column, or selects no household."""


@dataclass(frozen=True)
class Moment:
    """A weighted share and its standard error (0 for a model moment), over ``n`` households."""

    value: float
    se: float
    n: int


def subpopulation(frame: dict[str, np.ndarray], where: dict, columns=COLUMNS) -> np.ndarray:
    """Boolean mask of the frame's households in the subpopulation ``where``.

    Args:
        frame: A survey frame (or another frame whose columns are ``columns``).
        where: Column -> ``[low, high)`` (two numbers) or a list of values; ``{}`` is everyone.
        columns: The columns ``where`` may name.

    Raises:
        MomentError: For a column the frame does not have.
    """
    n = len(frame["weight"])
    mask = np.ones(n, bool)
    for col, sel in where.items():
        if col not in columns or col not in frame:
            raise MomentError(f"where: column {col!r} is not a frame column; expected one of "
                              f"{sorted(columns)}")
        values = np.asarray(frame[col])
        if isinstance(sel, dict):
            lo, hi = sel.get("from", -np.inf), sel.get("below", np.inf)
            mask &= (values >= lo) & (values < hi)
        else:
            mask &= np.isin(values, np.atleast_1d(sel))
    return mask


def _observed(frame: dict[str, np.ndarray], outcome: str, where: dict):
    """The households of ``where`` with a positive weight: mask, weights, answers (0/1), share."""
    if outcome not in OUTCOMES:
        raise MomentError(f"outcome {outcome!r} is not one of {sorted(OUTCOMES)}")
    col, values, _ = OUTCOMES[outcome]
    mask = subpopulation(frame, where) & (np.asarray(frame["weight"]) > 0)
    w = np.asarray(frame["weight"], float)[mask]
    if w.sum() <= 0:
        raise MomentError(f"{outcome} where {where}: no household with a positive weight")
    y = np.isin(np.asarray(frame[col])[mask], values).astype(float)
    return mask, w, y, float(np.sum(w * y) / w.sum())


def _influence(w: np.ndarray, y: np.ndarray, p: float) -> np.ndarray:
    """Linearisation ``w_i (y_i - p) / sum w`` of a share ``p`` (squares sum to its variance)."""
    return w * (y - p) / w.sum()


def moment(frame: dict[str, np.ndarray], outcome: str, where: dict, expected: bool) -> Moment:
    """The weighted share of ``outcome`` in the subpopulation ``where`` of ``frame``.

    Args:
        frame: A data frame (``expected=False``) or a model frame (``expected=True``).
        outcome: One of :data:`OUTCOMES`.
        where: The subpopulation (see :func:`subpopulation`).
        expected: Use the model's probabilities (the expectation) instead of the recorded answers.

    Raises:
        MomentError: For an unknown outcome, or when no household with positive weight is selected.
    """
    mask, w, y, p = _observed(frame, outcome, where)
    prob_cols = OUTCOMES[outcome][2]
    if expected and prob_cols:
        y = sum(np.asarray(frame[c], float)[mask] for c in prob_cols)
        return Moment(float(np.sum(w * y) / w.sum()), 0.0, int(mask.sum()))
    se = 0.0 if expected else float(np.sqrt(np.sum(_influence(w, y, p) ** 2)))
    return Moment(p, se, int(mask.sum()))


def moment_correlation(frame: dict[str, np.ndarray], specs: list[tuple[str, dict]]) -> np.ndarray:
    """Correlation of the survey estimates of several moments of one data frame.

    Each estimate's linearisation ``z_ik = w_i (y_ik - p_k) / W_k`` over the households ``i`` of its
    subpopulation (0 elsewhere) gives ``cov(k, l) = sum_i z_ik z_il``; its diagonal is the squared
    standard error of :func:`moment`. Moments on overlapping subpopulations are correlated.

    Args:
        frame: A data frame.
        specs: ``(outcome, where)`` of each moment.
    """
    z = np.zeros((len(specs), len(frame["weight"])))
    for k, (outcome, where) in enumerate(specs):
        mask, w, y, p = _observed(frame, outcome, where)
        z[k, mask] = _influence(w, y, p)
    cov = z @ z.T
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)
