import time

import numpy as np
import pytest

from agents.allocation import allocate, rank_within, social_rent_order

BIG = np.int64(2**62 + 12345)  # a large int64 submarket key


def const_prob(p):
    return lambda v, s: np.full(v.size, p)


def pairs(result):
    v, s = result
    return list(zip(v.tolist(), s.tolist(), strict=True))


class Recorder:
    """accept_prob wrapper that records every round's offers."""

    def __init__(self, prob):
        self.prob = prob
        self.rounds = []

    def __call__(self, v, s):
        self.rounds.append((v.copy(), s.copy()))
        return self.prob(v, s)


def reference_allocate(vac_market, vac_order, seek_market, seek_order, accept_prob, u_accept, max_rounds):
    """Plain-Python implementation of the documented rule, per submarket and per offer."""
    out = []
    for r in range(max_rounds):
        offers = []
        matched_v = {v for v, _ in out}
        matched_s = {s for _, s in out}
        for m in sorted(set(vac_market.tolist())):
            vs = sorted((i for i in range(len(vac_market)) if vac_market[i] == m and i not in matched_v),
                        key=lambda i: (vac_order[i], i))
            ss = sorted((i for i in range(len(seek_market)) if seek_market[i] == m and i not in matched_s),
                        key=lambda i: (seek_order[i], i))
            offers += [(v, ss[j + r]) for j, v in enumerate(vs) if j + r < len(ss)]
        if not offers:
            break
        for v, s in offers:
            p = float(accept_prob(np.array([v]), np.array([s]))[0])
            if u_accept[r, s] < p:
                out.append((v, s))
    return out


def random_case(rng, n_vac, n_seek, n_markets, keys=None):
    keys = np.arange(n_markets, dtype=np.int64) * 7 - 3 if keys is None else keys
    vm = rng.choice(keys, n_vac)
    sm = rng.choice(keys, n_seek)
    return vm, rng.random(n_vac), sm, rng.random(n_seek)


def pair_prob(v, s):
    """A deterministic pair-dependent acceptance probability (fit and cost stand-in)."""
    return ((v * 7919 + s * 104729) % 97) / 96.0


def test_toy_two_submarkets_accept_all():
    # Submarket 5: vacancies 0, 2 ; searchers 1 (only one). Submarket BIG: vacancy 1 ; searchers 0, 2, 3.
    vac_market = np.array([5, BIG, 5], dtype=np.int64)
    vac_order = np.array([0.7, 0.1, 0.2])          # in 5: vacancy 2 before vacancy 0
    seek_market = np.array([BIG, 5, BIG, BIG], dtype=np.int64)
    seek_order = np.array([0.9, 0.5, 0.3, 0.4])    # in BIG: searcher 2, then 3, then 0
    u = np.zeros((3, 4))
    got = pairs(allocate(vac_market, vac_order, seek_market, seek_order, const_prob(1.0), u))
    # Round 0 only; ordered by submarket key (5 < BIG), then vacancy position.
    assert got == [(2, 1), (1, 2)], f"expected [(2, 1), (1, 2)], got {got}"


def test_accept_prob_zero_matches_nothing():
    rng = np.random.default_rng(1)
    vm, vo, sm, so = random_case(rng, 30, 50, 4)
    v, s = allocate(vm, vo, sm, so, const_prob(0.0), rng.random((3, 50)))
    assert v.size == 0 and s.size == 0, f"accept_prob = 0 must give no matches, got {v.size}"


def test_refused_vacancy_goes_to_next_searcher_in_line():
    # One submarket; vacancies 0, 1 and searchers 0, 1, 2 in index order. p = 0.5.
    mk2, mk3 = np.zeros(2, np.int64), np.zeros(3, np.int64)
    vo, so = np.array([0.0, 1.0]), np.array([0.0, 1.0, 2.0])
    # Searcher 0 refuses vacancy 0, searcher 1 accepts vacancy 1; round 1: vacancy 0 -> searcher 2.
    u = np.array([[0.9, 0.1, 0.9], [0.1, 0.1, 0.1], [0.1, 0.1, 0.1]])
    rec = Recorder(const_prob(0.5))
    got = pairs(allocate(mk2, vo, mk3, so, rec, u))
    assert got == [(1, 1), (0, 2)], f"got {got}"
    assert [pairs(r) for r in rec.rounds] == [[(0, 0), (1, 1)], [(0, 2)]], f"offers {rec.rounds}"
    # Both refuse in round 0: vacancy 0 -> searcher 1, vacancy 1 -> searcher 2; searcher 0 waits.
    u = np.array([[0.9, 0.9, 0.9], [0.9, 0.1, 0.1], [0.1, 0.1, 0.1]])
    rec = Recorder(const_prob(0.5))
    got = pairs(allocate(mk2, vo, mk3, so, rec, u))
    assert got == [(0, 1), (1, 2)], f"got {got}"
    assert [pairs(r) for r in rec.rounds] == [[(0, 0), (1, 1)], [(0, 1), (1, 2)]], f"offers {rec.rounds}"


def test_single_vacancy_walks_down_the_line():
    u = np.array([[0.9] * 4, [0.9] * 4, [0.9] * 4, [0.1] * 4])
    rec = Recorder(const_prob(0.5))
    got = pairs(allocate([3], [0.0], [3, 3, 3, 3], [3.0, 2.0, 1.0, 0.0], rec, u, max_rounds=4))
    offered = [pairs(r) for r in rec.rounds]
    assert offered == [[(0, 3)], [(0, 2)], [(0, 1)], [(0, 0)]], f"offers {offered}"
    assert got == [(0, 0)], f"got {got}"


def test_refusal_passes_to_next_remaining_searcher_random():
    rng = np.random.default_rng(7)
    for _ in range(20):
        vm, vo, sm, so = random_case(rng, 40, 60, 3)
        u = rng.random((6, 60))
        rec = Recorder(pair_prob)
        v_m, s_m = allocate(vm, vo, sm, so, rec, u, max_rounds=6)
        matched_round = {}
        for r, (v, s) in enumerate(rec.rounds):
            acc = u[r, s] < pair_prob(v, s)
            for vi, si in zip(v[acc].tolist(), s[acc].tolist(), strict=True):
                matched_round[vi] = matched_round[si + 10**6] = r
        for r in range(len(rec.rounds) - 1):
            v, s = rec.rounds[r]
            refused = ~(u[r, s] < pair_prob(v, s))
            nxt = dict(zip(*[a.tolist() for a in rec.rounds[r + 1]], strict=True))
            for vi, si in zip(v[refused].tolist(), s[refused].tolist(), strict=True):
                # Searchers of the submarket behind si still unmatched after round r.
                behind = [j for j in np.flatnonzero((sm == sm[si]) & (so > so[si])).tolist()
                          if matched_round.get(j + 10**6, 99) > r]
                expect = min(behind, key=lambda j: so[j]) if behind else None
                assert nxt.get(vi) == expect, f"round {r}: vacancy {vi} refused by {si} went to " \
                                              f"{nxt.get(vi)}, expected {expect}"


def test_no_double_matches_no_repeated_offers_same_submarket():
    rng = np.random.default_rng(2)
    for trial in range(10):
        vm, vo, sm, so = random_case(rng, 200, 300, 6, keys=np.array([-(2**63), -1, 0, 1, BIG, 2**63 - 1]))
        rec = Recorder(const_prob(0.3))
        v, s = allocate(vm, vo, sm, so, rec, rng.random((12, 300)), max_rounds=12)
        assert np.unique(v).size == v.size, f"trial {trial}: a vacancy matched twice"
        assert np.unique(s).size == s.size, f"trial {trial}: a searcher matched twice"
        assert np.array_equal(vm[v], sm[s]), f"trial {trial}: a match across submarkets"
        assert len(rec.rounds) > 3, f"trial {trial}: expected several rounds, got {len(rec.rounds)}"
        all_offers = []
        for r, (ov, os_) in enumerate(rec.rounds):
            assert np.unique(ov).size == ov.size, f"trial {trial} round {r}: vacancy offered twice"
            assert np.unique(os_).size == os_.size, f"trial {trial} round {r}: searcher got two offers"
            assert np.array_equal(vm[ov], sm[os_]), f"trial {trial} round {r}: offer across submarkets"
            all_offers += pairs((ov, os_))
        assert len(set(all_offers)) == len(all_offers), f"trial {trial}: a pair was offered twice"


def test_matches_equal_reference_implementation():
    rng = np.random.default_rng(3)
    for trial in range(30):
        n_v, n_s = rng.integers(0, 25, 2)
        vm, vo, sm, so = random_case(rng, n_v, n_s, int(rng.integers(1, 5)))
        u = rng.random((5, n_s))
        got = pairs(allocate(vm, vo, sm, so, pair_prob, u, max_rounds=5))
        want = reference_allocate(vm, vo, sm, so, pair_prob, u, 5)
        assert sorted(got) == sorted(want), f"trial {trial}: got {got}, reference {want}"


def test_independent_of_input_array_order():
    rng = np.random.default_rng(4)
    vm, vo, sm, so = random_case(rng, 500, 800, 10)
    u = rng.random((4, 800))
    base = set(pairs(allocate(vm, vo, sm, so, pair_prob, u, max_rounds=4)))
    assert len(base) > 100, f"too few matches ({len(base)}) for a meaningful check"
    for _ in range(3):
        pv, ps = rng.permutation(500), rng.permutation(800)  # new position k holds old element pv[k]

        def prob(v, s, pv=pv, ps=ps):
            return pair_prob(pv[v], ps[s])

        v, s = allocate(vm[pv], vo[pv], sm[ps], so[ps], prob, u[:, ps], max_rounds=4)
        got = set(zip(pv[v].tolist(), ps[s].tolist(), strict=True))
        assert got == base, f"{len(got ^ base)} matches differ after permuting the inputs"


def test_ties_broken_by_index():
    got = pairs(allocate([0, 0], [1.0, 1.0], [0, 0, 0], [2.0, 2.0, 2.0], const_prob(1.0), np.zeros((1, 3)),
                         max_rounds=1))
    assert got == [(0, 0), (1, 1)], f"equal order keys must be broken by index, got {got}"


def test_empty_and_one_sided_submarkets():
    u0 = np.zeros((3, 0))
    for args in [([], [], [], [], u0), ([1, 2], [0.1, 0.2], [], [], u0),
                 ([], [], [1, 2], [0.1, 0.2], np.zeros((3, 2)))]:
        v, s = allocate(*args[:4], const_prob(1.0), args[4])
        assert v.size == 0 and s.size == 0, f"no matches possible for {args}, got {v.size}"
        assert v.dtype == np.int64 and s.dtype == np.int64, "empty results must be int64"
    # Submarket 1 has only vacancies, 2 only searchers, BIG both.
    got = pairs(allocate([1, BIG, 1], [0.0, 0.0, 1.0], [2, BIG, 2], [0.0, 0.5, 1.0], const_prob(1.0),
                         np.zeros((3, 3))))
    assert got == [(1, 1)], f"only the BIG submarket can match, got {got}"
    v, s = allocate([1], [0.0], [1], [0.0], const_prob(1.0), np.zeros((0, 1)), max_rounds=0)
    assert v.size == 0, "max_rounds = 0 must give no matches"


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="u_accept"):
        allocate([0], [0.0], [0, 0], [0.0, 1.0], const_prob(1.0), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="NaN"):
        allocate([0], [np.nan], [0], [0.0], const_prob(1.0), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        allocate([0], [0.0], [0], [0.0], const_prob(1.5), np.zeros((3, 1)))


def test_large_random_case_fast_and_bounded():
    rng = np.random.default_rng(5)
    n_s, n_v, n_m = 10_000, 3_000, 50
    keys = rng.integers(-(2**62), 2**62, n_m)
    vm, vo, sm, so = random_case(rng, n_v, n_s, n_m, keys=keys)
    u = rng.random((3, n_s))
    allocate(vm, vo, sm, so, pair_prob, u)  # warm-up
    t0 = time.perf_counter()
    v, s = allocate(vm, vo, sm, so, pair_prob, u)
    elapsed = time.perf_counter() - t0
    assert elapsed < 0.5, f"allocate took {elapsed:.3f} s for {n_s} searchers and {n_v} vacancies"
    assert v.size > 0, "expected matches in the large case"
    assert np.unique(v).size == v.size and np.unique(s).size == s.size, "an element matched twice"
    assert np.array_equal(vm[v], sm[s]), "a match across submarkets"
    for k in keys:
        n_match = int(np.sum(vm[v] == k))
        cap = min(int(np.sum(vm == k)), int(np.sum(sm == k)))
        assert n_match <= cap, f"submarket {k}: {n_match} matches > min(vacancies, searchers) = {cap}"


def test_rank_within():
    keys = np.array([BIG, 1, BIG, 1, 1, -5], dtype=np.int64)
    order = np.array([0.5, 0.3, 0.1, 0.3, 0.2, 9.0])
    got = rank_within(keys, order).tolist()
    assert got == [1, 1, 0, 2, 0, 0], f"ranks {got}"  # ties (indices 1, 3) broken by index
    assert rank_within([], []).size == 0, "empty input must give an empty result"
    rng = np.random.default_rng(6)
    k, o = rng.integers(0, 20, 5000), rng.random(5000)
    r = rank_within(k, o)
    for g in (0, 7, 19):
        idx = np.flatnonzero(k == g)
        assert np.array_equal(r[idx[np.argsort(o[idx])]], np.arange(idx.size)), f"group {g} ranks wrong"


def test_social_rent_order_encoding():
    urgent = np.array([False, True, False, False, True, False, False])
    reg = np.array([100, 5, 100, 100.5, 5, 20, 100])
    older = np.array([False, False, True, False, True, True, False])
    tb = np.array([0.3, 0.9, 0.1, 0.2, 0.8, 0.5, 0.1])
    key = social_rent_order(urgent, reg, older, tb)
    order = np.argsort(key).tolist()
    # urgent+older (4), urgent (1), older: reg 100 (2) before reg 20 (5), then non-priority by reg
    # descending (3: 100.5), then reg 100 by tiebreak (6: 0.1, 0: 0.3).
    assert order == [4, 1, 2, 5, 3, 6, 0], f"order {order}"
    assert np.unique(key).size == key.size, "the key must be total"
    rng = np.random.default_rng(8)
    n = 2000
    u, o = rng.random(n) < 0.2, rng.random(n) < 0.3
    r, t = rng.integers(0, 120, n).astype(float), rng.random(n)
    key = social_rent_order(u, r, o, t)
    srt = np.argsort(key)
    tuples = list(zip((~u[srt]).tolist(), (~o[srt]).tolist(), (-r[srt]).tolist(), t[srt].tolist(),
                      strict=True))
    assert tuples == sorted(tuples), "the float key must follow (urgent, older, registration, tiebreak)"
