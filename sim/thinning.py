"""Rare per-person events drawn by thinning: only the persons who could have the event are looked at.

A decision every person faces every step with a small probability ``p`` (death, a care onset) can be
drawn with one uniform number per person and step, at a cost of every person every step. Thinning
draws the same law at a fraction of the cost. At the first step of a year, each step of the year
becomes a *candidate step* of each person independently with probability ``p_max``, a bound of ``p``
over the year that depends only on sex and age (whatever the person's state becomes). At a candidate
step the event happens with probability ``p / p_max``. So the event happens at a step with probability
``p_max * p / p_max = p``, independently across steps, given the person's state then: exactly the law
of one Bernoulli draw per person and step. A person who arrives later in the year (a starter, an
immigrant) has the bound 1 until the next year: every step is a candidate, and the person draws every
step as without thinning.

The candidate steps follow each other by geometric gaps, drawn counter-based by person id from the
event's own stream under the keys ``screen1``, ``screen2``, ... (one key per gap); the draw at a
candidate step comes from the same stream without a key, as a uniform ``u``, and the caller compares
``u * p_max`` (uniform in ``[0, p_max)``) with ``p``. Every draw depends only on the seed, the stream,
the step and the person id, and ``p_max`` only on sex and age: a policy run gives every person the
same candidate steps and draws as its baseline (common random numbers).

The persons are found by their ids: :class:`Thinning` keeps one byte per person id (screened this year,
event due this step), and a step reads it for every id it is given, one cheap pass over the ids instead
of the per-person work of the draw. A bound that ``p`` exceeds is a bug; the caller checks it
(:func:`check_bound`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

BOUND_MARGIN = 1.0 + 1e-9
"""Factor on a bound computed from the ends of the year, against rounding in the steps' calendar times.
Any bound at least the probability gives the same law; a larger one only makes more candidates."""
SCREEN_CHUNK = 1 << 20
"""Persons screened at a time at a year's first step (bounded temporaries; the draws are by id)."""
SCREENED = np.uint8(1)
"""Flag bit of a person whose candidate steps for the year are drawn."""


def max_ahead(table: np.ndarray, months: int) -> np.ndarray:
    """``out[..., a] = max(table[..., a:a + months + 1])`` over the last axis (capped at its end).

    A bound by age in months over the ages a person reaches within ``months`` months.
    """
    out = table.copy()
    for k in range(1, months + 1):
        np.maximum(out[..., :-k], table[..., k:], out=out[..., :-k])
    return out


def max_from(table: np.ndarray) -> np.ndarray:
    """``out[..., a] = max(table[..., a:])`` over the last axis: a bound over every age from ``a`` on.

    For a probability that depends on the age of someone at least as old as the person screened (the
    older partner, the oldest adult of the household).
    """
    return np.maximum.accumulate(table[..., ::-1], axis=-1)[..., ::-1].copy()


def check_bound(event: str, p: np.ndarray, p_max: np.ndarray) -> None:
    """Raises if a probability exceeds its thinning bound (the draws would lose events).

    Raises:
        RuntimeError: Naming the event and the largest excess.
    """
    over = p > p_max
    if over.any():
        i = int(np.argmax(np.where(over, p - p_max, -np.inf)))
        raise RuntimeError(f"thinning bound of {event!r} exceeded: probability {p[i]:.6g} above its "
                           f"bound {p_max[i]:.6g}; the bound must hold for every state of the year")


class Thinning:
    """Candidate steps of one or more events per person id, for one process (kept in its memory).

    Args:
        events: The events, each named by the random stream it draws from (at most 7).
    """

    def __init__(self, events: Sequence[str]):
        if not 0 < len(events) <= 7:
            raise ValueError(f"thinning events {list(events)}: expected 1 to 7 events")
        self.events = tuple(events)
        self.bits = {e: np.uint8(2 << i) for i, e in enumerate(self.events)}
        self.flags = np.zeros(1, np.uint8)  # per person id; the last entry is pid -1's (an empty slot)
        self.flags[-1] = SCREENED
        self.year: int | None = None
        self.due: dict[str, dict[int, list[tuple[np.ndarray, np.ndarray]]]] = {e: {} for e in events}
        self.candidates = dict.fromkeys(self.events, 0)
        """Candidate steps drawn so far per event (for measurement)."""

    def nbytes(self) -> int:
        """Bytes held: the flags per person id and the candidate steps still to come."""
        due = sum(p.nbytes + q.nbytes for steps in self.due.values() for parts in steps.values()
                  for p, q in parts)
        return self.flags.nbytes + due

    def _prepare(self, ctx) -> bool:
        """Makes room for every person id; at a new year's first step unscreens everyone (True)."""
        year = ctx.step // ctx.steps_per_year
        need = ctx.pid_bound + 1
        if len(self.flags) < need:
            grown = np.zeros(max(need, len(self.flags) * 5 // 4), np.uint8)
            grown[:len(self.flags) - 1] = self.flags[:-1]  # the old sentinel's id is a newcomer's
            self.flags = grown
        new_year = year != self.year
        if new_year:
            self.flags.fill(0)
            self.due = {e: {} for e in self.events}
            self.year = year
        self.flags[-1] = SCREENED
        return new_year

    def step(self, ctx, pids: Sequence[np.ndarray],
             bounds: Callable[[list[np.ndarray]], dict[str, np.ndarray]]
             ) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
        """Returns the persons with an event due now; screens everyone at a year's first step.

        At the first step of a year every person given is screened: candidate steps are drawn for the
        whole year. A person first seen later in the year (a newcomer) is not screened: every step is a
        candidate with bound 1 until the next year, i.e. the person draws every step.

        Args:
            ctx: The process's context (clock, streams of the events, ``pid_bound``).
            pids: Arrays of person ids (``-1`` for an empty slot), e.g. the adult slots of the
                households and the applicants waiting; each id at most once over all arrays.
            bounds: Given one array of positions per array of ``pids`` (the persons to screen), returns
                per event the bound ``p_max`` of each of these persons, in the order of the arrays.

        Returns:
            ``(positions, p_max)``: per array of ``pids`` the sorted positions of the persons with at
            least one event due at this step, and per event ``p_max`` of each of these persons (in the
            same order, the arrays one after the other), 0 where that event is not due.
        """
        new_year = self._prepare(ctx)
        flags, t = self.flags, ctx.step
        now: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for e in self.events:
            now[e] = _join(self.due[e].pop(t, []))
            flags[now[e][0]] |= self.bits[e]
        # pid -1 reads the last entry; an index array of int32 (the pid columns) reads faster by
        # fancy indexing than by np.take
        codes = [flags[p] for p in pids]
        hits = [np.flatnonzero(c != SCREENED) for c in codes]
        if new_year:
            counters: dict[tuple[str, int], Callable] = {}
            for i, c in enumerate(codes):
                fresh = hits[i][(c[hits[i]] & SCREENED) == 0]
                for lo in range(0, len(fresh), SCREEN_CHUNK):
                    part = fresh[lo:lo + SCREEN_CHUNK]
                    parts = [part if j == i else part[:0] for j in range(len(pids))]
                    self._screen_all(ctx, pids[i][part], bounds(parts), now, counters)
            for p, c, h in zip(pids, codes, hits, strict=True):
                c[h] = flags[p[h]]
        # due: a candidate now, or a newcomer (never screened this year)
        positions = [h[c[h] != SCREENED] for c, h in zip(codes, hits, strict=True)]
        newcomer = np.concatenate([(c[pos] & SCREENED) == 0 for c, pos in zip(codes, positions,
                                                                             strict=True)])
        due_pids = np.concatenate([p[pos] for p, pos in zip(pids, positions, strict=True)])
        out = {}
        for e in self.events:
            e_pids, e_pmax = now[e]
            if len(e_pids):
                order = np.argsort(e_pids, kind="stable")
                e_pids, e_pmax = e_pids[order], e_pmax[order]
                at = np.minimum(np.searchsorted(e_pids, due_pids), len(e_pids) - 1)
                out[e] = np.where(e_pids[at] == due_pids, e_pmax[at], 0.0)
                flags[e_pids] &= ~self.bits[e]
            else:
                out[e] = np.zeros(len(due_pids))
            out[e][newcomer] = 1.0
        return positions, out

    def unscreen(self, pids: np.ndarray) -> None:
        """Makes persons newcomers until the next year: they draw every step (bound 1).

        For a person whose bound no longer holds after an event of the year (the bound was chosen
        for the state at the screening); from the next step on, as the caller handles this step.
        """
        self.flags[pids] &= ~SCREENED

    def _screen_all(self, ctx, pids: np.ndarray, p_max: dict[str, np.ndarray],
                    now: dict[str, tuple[np.ndarray, np.ndarray]], counters: dict) -> None:
        """Screens ``pids`` for every event; marks those due now and adds them to ``now``."""
        self.flags[pids] |= SCREENED
        for e in self.events:
            due_now = self._screen(ctx, e, pids, np.asarray(p_max[e], np.float64), counters)
            if len(due_now[0]):
                self.flags[due_now[0]] |= self.bits[e]
                now[e] = _join([now[e], due_now])

    def _screen(self, ctx, event: str, pids: np.ndarray, p_max: np.ndarray, counters: dict
                ) -> tuple[np.ndarray, np.ndarray]:
        """Draws the candidate steps of ``pids`` from now to the year's end; returns those due now.

        Each step is a candidate with probability ``p_max``: the gap to the next candidate is
        geometric, ``floor(log(1 - u) / log(1 - p_max))`` steps, drawn under key ``screen<k>`` for the
        k-th gap of the person in this step's screening (``counters`` keeps each key's read of the
        step, for screening in parts).
        """
        t = ctx.step
        end = (t // ctx.steps_per_year + 1) * ctx.steps_per_year
        due_now: list[tuple[np.ndarray, np.ndarray]] = []
        # the first gap of everyone from step t: a candidate this year with 1 - (1 - p)^(steps left)
        u = self._counter(ctx, event, 1, counters)(pids)
        with np.errstate(divide="ignore", invalid="ignore"):
            who = np.flatnonzero(u < -np.expm1((end - t) * np.log1p(-p_max)))
            at = t + _gap(u[who], p_max[who], end - t)
        del u
        k = 1
        while len(who):
            self.candidates[event] += len(who)
            order = np.argsort(at, kind="stable")
            steps, first = np.unique(at[order], return_index=True)
            for step, sel in zip(steps.tolist(), np.split(who[order], first[1:]), strict=True):
                part = (pids[sel], p_max[sel])
                if step == t:
                    due_now.append(part)
                else:
                    self.due[event].setdefault(step, []).append(part)
            at += 1
            keep = at < end
            who, at = who[keep], at[keep]
            if len(who) == 0:
                break
            k += 1
            u = self._counter(ctx, event, k, counters)(pids[who])
            p = p_max[who]
            with np.errstate(divide="ignore", invalid="ignore"):
                has = u < -np.expm1((end - at) * np.log1p(-p))
            who, at = who[has], at[has] + _gap(u[has], p[has], end - at[has])
        return _join(due_now)

    @staticmethod
    def _counter(ctx, event: str, k: int, counters: dict):
        """The draws of key ``screen<k>`` of ``event`` at this step (one read, kept in ``counters``)."""
        if (event, k) not in counters:
            counters[event, k] = ctx.streams.counter(event, key=f"screen{k}")
        return counters[event, k]


def _gap(u: np.ndarray, p: np.ndarray, left) -> np.ndarray:
    """Geometric gaps ``floor(log(1 - u) / log(1 - p))`` of persons with a candidate among ``left`` steps.

    ``p`` 1 gives 0 (every step); the gap is kept below ``left`` against rounding.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.floor(np.log1p(-u) / np.log1p(-p))
    return np.minimum(np.nan_to_num(gap, nan=0.0), np.asarray(left) - 1).astype(np.int64)


def _join(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenates (pids, p_max) pairs."""
    if not parts:
        return np.zeros(0, np.int32), np.zeros(0)
    return (np.concatenate([p for p, _ in parts]).astype(np.int32, copy=False),
            np.concatenate([q for _, q in parts]))
