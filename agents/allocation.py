"""Search and allocation: matching searching households to vacant dwellings within submarkets.

One pure, vectorised function, :func:`allocate`, is used each month for every tenure: social rent (the
woningcorporatie of a region offers its vacancies to registered candidates in the order of its ranking,
see :func:`social_rent_order`), owner-occupied and private rent (market matching, searchers in random
order). The caller decides what a submarket is (an ``int64`` key, e.g. region x tenure x dwelling
segment); a searcher seeks in exactly one submarket per step.

Algorithm
---------
Within each submarket the vacancies are sorted by ``vac_order`` and the searchers by ``seek_order``
(ascending: lower = offered first / first in line). Exact ties in an order key are broken by array index
(lower index first); callers are expected to make ties impossible by adding a random fraction, so that the
result does not depend on array order at all.

Round ``r = 0, 1, ..., max_rounds - 1``:

1. Among the vacancies and searchers that are still unmatched, number them within their submarket in
   sorted order: vacancy position ``j = 0, 1, ...`` and searcher position ``i = 0, 1, ...``.
2. **Pairing rule:** the vacancy at position ``j`` is offered to the searcher at position ``i = j + r`` of
   the same submarket, if such a searcher exists. Every vacancy gets at most one offer and every searcher
   at most one offer per round; the first ``r`` searchers still in line receive no offer in round ``r``.
3. Each offer is evaluated independently: ``p = accept_prob(vac_idx, seek_idx)`` (vectorised over all
   offers of the round) and the searcher ``s`` accepts iff ``u_accept[r, s] < p``. Accepted pairs are
   matched and leave the market; refusing searchers and refused vacancies stay for the next round.

Rounds stop after ``max_rounds`` or as soon as a round has no offers (then no later round has any either:
nobody left the market, so positions are unchanged and the shift only grows).

Properties of the rule (proved below, checked in ``tests/test_allocation.py``):

* *A refused vacancy goes to the next searcher in line*: a vacancy refused in round ``r`` by searcher
  ``s`` is offered in round ``r + 1`` to the first unmatched searcher behind ``s`` (if any).
* *No pair is offered twice.*

Proof. Write ``d = i - j`` for a (vacancy, searcher) pair in the same submarket, with their positions at
the start of a round ``t``; the pair is offered in round ``t`` iff ``d = t``. During round ``t`` a matched
vacancy at position ``j'`` takes the searcher at ``j' + t``. Let ``Mv`` be the number of matched
vacancies ahead of the vacancy (``j' < j``) and ``Ms`` the number of matched searchers ahead of the
searcher (``j' + t < i``); the new difference is ``d' = d + Mv - Ms``.

* If ``d = t`` (the pair is offered and refused): ``j' < j  <=>  j' + t < i``, so ``Mv = Ms`` and
  ``d' = t``; in round ``t + 1`` the vacancy's target is ``j + t + 1 = i + 1``, the searcher right behind
  the refuser. This is the first property.
* If ``d < t``: every searcher ahead of the searcher that is matched has its vacancy ahead of the vacancy,
  and the only matched vacancies ahead of the vacancy whose searcher is *not* ahead are those with
  ``i <= j' + t < j + t``; excluding the searcher itself (then the pair is gone) at most ``j + t - i - 1 =
  t - d - 1`` of them. Hence ``d' <= t - 1``.

So after the pair is offered in round ``r1`` its difference is ``r1``, and by induction it is at most
``t - 1`` at the start of every later round ``t``: it is never offered again.

Contested vacancies (several searchers who would accept) are thus resolved by the explicit order keys,
never by array order. Everything is vectorised: one ``lexsort`` by (submarket, order, index) for each side,
positions within submarket from group starts, and the pairing by ``searchsorted`` on the (sorted)
submarket keys; only the rounds are a Python loop. Submarket keys are compared, never combined
arithmetically, so any ``int64`` values are safe.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

AcceptProb = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _sorted_group_positions(sorted_keys: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal keys in an already sorted key array."""
    n = sorted_keys.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=start[1:])
    group_start = np.maximum.accumulate(np.where(start, idx, 0))
    return idx - group_start


def _sort_by_key_then_order(keys: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Permutation sorting by key, then order, then index (``lexsort`` is stable, the index is explicit)."""
    return np.lexsort((np.arange(keys.size), order, keys))


def rank_within(keys, order) -> np.ndarray:
    """0-based rank of each element within its key group, by ascending order.

    Exact ties in ``order`` are broken by array index (lower index first).

    Args:
        keys: Group key per element (any integer dtype; compared, never combined arithmetically).
        order: Sort key per element; lower ranks first. Must not contain NaN.

    Returns:
        ``int64`` array of the same length: 0 for the first element of its group, 1 for the second, ...

    Raises:
        ValueError: If the lengths differ, the inputs are not 1-D or ``order`` contains NaN.
    """
    keys = np.asarray(keys)
    order = np.asarray(order, dtype=float)
    if keys.ndim != 1 or order.shape != keys.shape:
        raise ValueError(f"keys and order must be 1-D of equal length, got {keys.shape} and {order.shape}")
    if np.isnan(order).any():
        raise ValueError("order contains NaN")
    perm = _sort_by_key_then_order(keys, order)
    rank = np.empty(keys.size, dtype=np.int64)
    rank[perm] = _sorted_group_positions(keys[perm])
    return rank


def social_rent_order(urgent, registration_months, older_mover_priority, tiebreak) -> np.ndarray:
    """Order key for candidates of a woningcorporatie (lower = first in line).

    The ranking rule, lexicographic:

    1. urgent candidates (urgentieverklaring) first;
    2. then candidates with older-mover priority first — the caller sets ``older_mover_priority`` for the
       candidates that qualify in the submarket they search in (e.g. older movers seeking geclusterde or
       zorggeschikte dwellings, where the corporation gives them priority);
    3. then the longest registration time (inschrijfduur) first;
    4. then the random ``tiebreak``, lower first;
    5. exact ties in all four (which a continuous random tiebreak makes impossible) by array index.

    The key is encoded as one float: the candidate's 0-based position in this lexicographic order,
    computed over all candidates of the call. It is exact for any registration time (integer or
    fractional months) and tiebreak, and total, but only comparable among candidates of the same call —
    compute it once for all searchers of a step.

    Args:
        urgent: Bool per candidate.
        registration_months: Registration time per candidate (months, finite).
        older_mover_priority: Bool per candidate.
        tiebreak: Random number per candidate (finite), e.g. ``rng.random(n)``.

    Returns:
        ``float64`` array, 0.0 for the first in line, 1.0 for the second, ...

    Raises:
        ValueError: If the lengths differ or a numeric input is not finite.
    """
    urgent = np.asarray(urgent, dtype=bool)
    reg = np.asarray(registration_months, dtype=float)
    older = np.asarray(older_mover_priority, dtype=bool)
    tb = np.asarray(tiebreak, dtype=float)
    shapes = {a.shape for a in (urgent, reg, older, tb)}
    if len(shapes) != 1 or urgent.ndim != 1:
        raise ValueError(f"inputs must be 1-D of equal length, got shapes {sorted(shapes)}")
    if not (np.isfinite(reg).all() and np.isfinite(tb).all()):
        raise ValueError("registration_months and tiebreak must be finite")
    # lexsort: last key is primary. False sorts before True, so negate the flags; longest registration
    # first = ascending -registration.
    perm = np.lexsort((np.arange(urgent.size), tb, -reg, ~older, ~urgent))
    key = np.empty(urgent.size, dtype=float)
    key[perm] = np.arange(urgent.size, dtype=float)
    return key


def allocate(
    vac_market,
    vac_order,
    seek_market,
    seek_order,
    accept_prob: AcceptProb,
    u_accept,
    max_rounds: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Match searchers to vacancies within submarkets in rounds of offers (see the module docstring).

    Args:
        vac_market: ``int64`` submarket key per vacancy.
        vac_order: Float per vacancy, lower = offered first (e.g. longest vacant first, ties broken by a
            random fraction the caller adds). Exact ties are broken by index. No NaN.
        seek_market: ``int64`` submarket key per searcher (a searcher seeks in exactly one submarket).
        seek_order: Float per searcher, lower = first in line (social rent: :func:`social_rent_order`;
            market: a random number). Should be total; exact ties are broken by index. No NaN.
        accept_prob: Callable ``(vac_idx, seek_idx) -> p`` giving the acceptance probability in [0, 1]
            (fit and cost) for each offered pair, called once per round with all offers of that round (never
            with empty arrays); a scalar result is broadcast.
        u_accept: ``(max_rounds, n_seekers)`` uniform draws; searcher ``s`` accepts the offer of round ``r``
            iff ``u_accept[r, s] < p``. More rows than ``max_rounds`` are ignored.
        max_rounds: Maximum number of offer rounds (>= 0).

    Returns:
        ``(vac_idx, seek_idx)``: ``int64`` arrays of equal length, the matched vacancy and searcher indices
        into the input arrays, ordered by round and, within a round, by (submarket, vacancy position). Every
        vacancy and every searcher occurs at most once, and each pair shares its submarket.

    Raises:
        ValueError: On inconsistent shapes, NaN order keys, a negative ``max_rounds`` or acceptance
            probabilities that are NaN or outside [0, 1].
    """
    vac_market = np.asarray(vac_market, dtype=np.int64)
    seek_market = np.asarray(seek_market, dtype=np.int64)
    vac_order = np.asarray(vac_order, dtype=float)
    seek_order = np.asarray(seek_order, dtype=float)
    u_accept = np.asarray(u_accept, dtype=float)
    if vac_market.ndim != 1 or vac_order.shape != vac_market.shape:
        raise ValueError(f"vac_market and vac_order must be 1-D of equal length, got "
                         f"{vac_market.shape} and {vac_order.shape}")
    if seek_market.ndim != 1 or seek_order.shape != seek_market.shape:
        raise ValueError(f"seek_market and seek_order must be 1-D of equal length, got "
                         f"{seek_market.shape} and {seek_order.shape}")
    if max_rounds < 0:
        raise ValueError(f"max_rounds must be >= 0, got {max_rounds}")
    n_vac, n_seek = vac_market.size, seek_market.size
    if u_accept.ndim != 2 or u_accept.shape[0] < max_rounds or u_accept.shape[1] != n_seek:
        raise ValueError(f"u_accept must have shape ({max_rounds}, {n_seek}), got {u_accept.shape}")
    if np.isnan(vac_order).any() or np.isnan(seek_order).any():
        raise ValueError("vac_order and seek_order must not contain NaN")

    empty = np.empty(0, dtype=np.int64)
    if n_vac == 0 or n_seek == 0 or max_rounds == 0:
        return empty, empty.copy()

    # Original indices in (submarket, order, index) order; the sort is done once, removing matched
    # elements keeps the remaining ones sorted.
    vac_rem = _sort_by_key_then_order(vac_market, vac_order)
    seek_rem = _sort_by_key_then_order(seek_market, seek_order)

    out_vac: list[np.ndarray] = []
    out_seek: list[np.ndarray] = []
    for r in range(max_rounds):
        if vac_rem.size == 0 or seek_rem.size == 0:
            break
        v_mk = vac_market[vac_rem]
        s_mk = seek_market[seek_rem]
        target = _sorted_group_positions(v_mk) + r           # searcher position j + r per vacancy
        lo = np.searchsorted(s_mk, v_mk, side="left")        # searcher group of the vacancy's submarket
        hi = np.searchsorted(s_mk, v_mk, side="right")
        offered = target < hi - lo
        if not offered.any():
            break  # nobody leaves, so no later round has an offer either
        v_pos = np.flatnonzero(offered)                      # positions in vac_rem
        s_pos = lo[offered] + target[offered]                # positions in seek_rem
        v_idx, s_idx = vac_rem[v_pos], seek_rem[s_pos]

        p = np.asarray(accept_prob(v_idx, s_idx), dtype=float)
        try:
            p = np.broadcast_to(p, v_idx.shape)
        except ValueError as err:
            raise ValueError(f"accept_prob returned shape {p.shape} for {v_idx.size} offers") from err
        if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
            raise ValueError("accept_prob must return probabilities in [0, 1]")
        accepted = u_accept[r, s_idx] < p
        if accepted.any():
            out_vac.append(v_idx[accepted])
            out_seek.append(s_idx[accepted])
            keep_v = np.ones(vac_rem.size, dtype=bool)
            keep_v[v_pos[accepted]] = False
            keep_s = np.ones(seek_rem.size, dtype=bool)
            keep_s[s_pos[accepted]] = False
            vac_rem, seek_rem = vac_rem[keep_v], seek_rem[keep_s]

    if not out_vac:
        return empty, empty.copy()
    return np.concatenate(out_vac), np.concatenate(out_seek)


def pair_within_groups(group_a, order_a, group_b, order_b) -> tuple[np.ndarray, np.ndarray]:
    """Pairs the k-th element of each group of ``a`` with the k-th of the same group of ``b``.

    Within each group (e.g. a province), both sides are ranked by their order keys (ties by index);
    rank k of ``a`` is paired with rank k of ``b``; the surplus of the larger side stays unpaired.

    Returns:
        Indices into ``a`` and into ``b`` of the pairs, sorted by (group, rank).
    """
    key_a = np.asarray(group_a, np.int64) * 10**9 + rank_within(group_a, order_a)
    key_b = np.asarray(group_b, np.int64) * 10**9 + rank_within(group_b, order_b)
    _, ia, ib = np.intersect1d(key_a, key_b, assume_unique=True, return_indices=True)
    return ia, ib
