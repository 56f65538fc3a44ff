"""Thinning (sim/thinning.py): the events it draws follow the law of one Bernoulli draw per person and
step, whatever the state does within the bound; its draws depend on person ids alone."""

import numpy as np
import pytest

from sim.streams import RandomStreams
from sim.thinning import Thinning, check_bound, max_ahead, max_from


class Clock:
    """The part of a process context thinning reads."""

    def __init__(self, seed: int, steps_per_year: int, pid_bound: int):
        self.step, self.steps_per_year, self.pid_bound = 0, steps_per_year, pid_bound
        self._streams = RandomStreams(seed, log=True)

    @property
    def streams(self):
        clock = self

        class View:
            def for_few(self, name, ids, key=None):
                return clock._streams.for_few(name, clock.step, ids, key)

            def counter(self, name, key=None):
                return clock._streams.counter(name, clock.step, key)

        return View()


def probability(pid: np.ndarray, step: int, state: np.ndarray) -> np.ndarray:
    """A per-step probability that varies by person, step and state (at most 0.06)."""
    return 0.004 + 0.02 * (pid % 3) / 2 + 0.01 * (step % 12) / 11 + 0.02 * state


def simulate(seed: int, n: int = 200_000, steps: int = 24, spy: int = 12):
    """Persons die by thinning; half of them change state at step 5 (the bound covers both states)."""
    clock = Clock(seed, spy, n)
    thin = Thinning(("death",))
    pid = np.arange(n, dtype=np.int32)
    alive = np.ones(n, bool)
    state = np.zeros(n)
    p_max = 0.06
    deaths, expected, variance = [], [], []
    for t in range(steps):
        clock.step = t
        if t == 5:
            state[: n // 2] = 1.0
        # the last tenth arrives at step 7 (newcomers draw every step until the next year)
        clock.pid_bound = n if t >= 7 else n - n // 10
        ids = np.where(alive & (pid < clock.pid_bound), pid, -1)
        alive_now = ids >= 0
        p_all = probability(pid, t, state)
        expected.append(p_all[alive_now].sum())
        variance.append((p_all * (1 - p_all))[alive_now].sum())
        (pos,), bound = thin.step(clock, [ids], lambda parts: {"death": np.full(len(parts[0]), p_max)})
        p = p_all[pos]
        check_bound("death", p, bound["death"])
        u = clock.streams.for_few("death", pid[pos])
        dead = pos[u * bound["death"] < p]
        alive[dead] = False
        deaths.append(len(dead))
    return np.array(deaths), np.array(expected), np.array(variance), thin


def test_events_follow_the_per_step_law():
    deaths, expected, variance, thin = simulate(11)
    z = (deaths - expected) / np.sqrt(variance)
    assert np.abs(z).max() < 4.5, f"deaths per step off their expectation: z = {np.round(z, 1)}"
    chi2 = float((z ** 2).sum())
    assert chi2 < 60, f"chi-square {chi2:.1f} over 24 steps"  # P(chi2_24 > 60) < 1e-4
    # candidates are drawn at p_max = 0.06 a step: about 0.06 * 12 per person-year at risk
    assert thin.candidates["death"] < 0.06 * 24 * 200_000


def test_a_too_small_bound_is_caught():
    with pytest.raises(RuntimeError, match="thinning bound of 'death' exceeded"):
        check_bound("death", np.array([0.1, 0.3]), np.array([0.2, 0.2]))


def test_draws_depend_on_ids_and_bound_only():
    """Two runs whose states differ give the same candidate steps: the draws of a person at a step
    do not depend on the others (common random numbers)."""
    def candidates(order):
        clock = Clock(3, 12, 1000)
        thin = Thinning(("death",))
        seen = {}
        for t in range(12):
            clock.step = t
            ids = np.arange(1000, dtype=np.int32)[order]
            (pos,), bound = thin.step(clock, [ids], lambda parts: {"death": np.full(len(parts[0]), 0.2)})
            seen[t] = set(ids[pos].tolist())
        return seen
    forward, shuffled = candidates(np.arange(1000)), candidates(np.random.default_rng(0).permutation(1000))
    assert forward == shuffled
    per_step = np.array([len(forward[t]) for t in range(12)])
    assert abs(per_step.mean() - 200) < 4 * np.sqrt(1000 * 0.2 * 0.8)


def test_newcomers_draw_every_step_until_the_next_year():
    clock = Clock(5, 12, 10)
    thin = Thinning(("death",))
    due, bounds = [], []
    for t in range(24):
        clock.step = t
        clock.pid_bound = 10 if t < 7 else 20  # ids 10-19 arrive at step 7
        ids = np.arange(clock.pid_bound, dtype=np.int32)
        (pos,), bound = thin.step(clock, [ids], lambda parts: {"death": np.full(len(parts[0]), 0.1)})
        due.append(set(ids[pos].tolist()))
        bounds.append(dict(zip(ids[pos].tolist(), bound["death"].tolist(), strict=True)))
    newcomers = set(range(10, 20))
    for t in range(7, 12):  # the newcomers' first year: every step, bound 1
        assert newcomers <= due[t] and all(bounds[t][i] == 1.0 for i in newcomers)
    for t in range(12, 24):  # screened from the next January: candidates only, bound 0.1
        assert all(bounds[t][i] == 0.1 for i in due[t])
    assert thin.candidates["death"] < 24 * 10
    assert any(len(due[t] & newcomers) < 10 for t in range(12, 24))


def test_empty_slots_and_several_id_arrays():
    clock = Clock(1, 4, 6)
    thin = Thinning(("a", "b"))
    slots = np.array([0, -1, 2, -1, 4], np.int32)
    waiting = np.array([5], np.int32)
    (pos_slots, pos_wait), bound = thin.step(
        clock, [slots, waiting],
        lambda parts: {"a": np.ones(len(parts[0]) + len(parts[1])),
                       "b": np.zeros(len(parts[0]) + len(parts[1]))})
    assert pos_slots.tolist() == [0, 2, 4] and pos_wait.tolist() == [0]
    assert bound["a"].tolist() == [1.0] * 4 and bound["b"].tolist() == [0.0] * 4


def test_max_ahead():
    table = np.array([[1.0, 3.0, 2.0, 0.5, 0.1]])
    assert max_ahead(table, 2).tolist() == [[3.0, 3.0, 2.0, 0.5, 0.1]]


def test_max_from():
    table = np.array([[1.0, 3.0, 2.0, 0.5, 0.1], [0.0, 0.1, 0.2, 0.3, 0.4]])
    assert max_from(table).tolist() == [[3.0, 3.0, 2.0, 0.5, 0.1], [0.4, 0.4, 0.4, 0.4, 0.4]]


def test_screening_in_parts_draws_the_same(monkeypatch):
    from sim import thinning
    whole = simulate(2, n=5_000, steps=14)
    monkeypatch.setattr(thinning, "SCREEN_CHUNK", 7)
    parts = simulate(2, n=5_000, steps=14)
    assert whole[0].tolist() == parts[0].tolist()
    assert whole[3].candidates == parts[3].candidates
