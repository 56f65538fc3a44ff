"""Vacancy-chain bookkeeping (sim.chains) on small hand-made and random inputs."""

import math
from collections import Counter

import numpy as np
import pyarrow.parquet as pq
import pytest

from experiments import writers
from sim.chains import (
    CONTINUES,
    END_CAUSES,
    IMMIGRANT,
    LEAVES_BEHIND,
    START_CAUSES,
    STARTER,
    ChainBook,
)
from sim.invariants import InvariantError


def _start(book, k=1, *, cause="death", year=2025, step=0, dtype=0, tenure=0, weight=1.0):
    return book.start(year=year, step=step, dwelling_type=np.full(k, dtype), tenure=np.full(k, tenure),
                      cause=cause, weight=np.full(k, weight))


def _link(book, chain, kind, *, year=2025, step=1, age=70, hh=1, from_type=None, to_type=2):
    chain = np.atleast_1d(np.asarray(chain, np.int64))
    kind = np.broadcast_to(np.asarray(kind, np.int8), chain.shape)
    if from_type is None:
        from_type = np.where((kind == STARTER) | (kind == IMMIGRANT), -1, 0)
    return book.link(chain, year=year, step=step, mover_age=np.broadcast_to(age, chain.shape),
                     household_type=np.broadcast_to(hh, chain.shape),
                     from_type=np.broadcast_to(from_type, chain.shape),
                     to_type=np.broadcast_to(to_type, chain.shape), mover_kind=kind)


def test_three_links_death_to_starter():
    book = ChainBook()
    c = _start(book, cause="death", dtype=3, tenure=1, weight=100.0)
    assert c.tolist() == [0], f"first chain id should be 0, got {c}"
    nxt = _link(book, c, CONTINUES, step=1)
    assert nxt.tolist() == [0], f"kind 0 must return the continuing chain id, got {nxt}"
    nxt = _link(book, nxt, CONTINUES, step=2)
    nxt = _link(book, nxt, STARTER, step=3, age=24)
    assert nxt.tolist() == [-1], f"a starter ends the chain, so -1 is returned; got {nxt}"
    book.check()
    ch = book.chains_table()
    assert ch["n_links"].tolist() == [3], f"n_links should be 3, got {ch['n_links']}"
    assert ch["start_cause"].tolist() == ["death"], f"start cause wrong: {ch['start_cause']}"
    assert ch["end_cause"].tolist() == ["starter"], f"end cause wrong: {ch['end_cause']}"
    assert ch["end_year"].tolist() == [2025], f"end year wrong: {ch['end_year']}"
    assert ch["start_dwelling_type"].tolist() == [3], f"start type wrong: {ch['start_dwelling_type']}"
    assert ch["start_tenure"].tolist() == [1], f"start tenure wrong: {ch['start_tenure']}"
    lk = book.links_table()
    assert lk["link_number"].tolist() == [1, 2, 3], f"link numbers should be 1..3, got {lk['link_number']}"
    assert lk["from_type"].tolist() == [0, 0, -1], f"starter's from_type must be -1: {lk['from_type']}"
    assert lk["mover_age"].tolist() == [70, 70, 24], f"mover ages wrong: {lk['mover_age']}"


def test_stays_behind_ends_chain():
    book = ChainBook()
    c = _start(book, cause="institution")
    _link(book, c, CONTINUES)
    out = _link(book, c, LEAVES_BEHIND, step=2)
    assert out.tolist() == [-1], f"stays_behind ends the chain; got {out}"
    book.check()
    ch = book.chains_table()
    assert ch["end_cause"].tolist() == ["stays_behind"], f"end cause wrong: {ch['end_cause']}"
    assert ch["n_links"].tolist() == [2], f"n_links should be 2: {ch['n_links']}"


def test_immigrant_ends_chain():
    book = ChainBook()
    c = _start(book, cause="emigration")
    out = _link(book, c, IMMIGRANT)
    assert out.tolist() == [-1], f"an immigrant ends the chain; got {out}"
    assert book.chains_table()["end_cause"].tolist() == ["immigrant"], "end cause should be immigrant"
    book.check()


def test_demolition_of_vacant_chain_dwelling():
    book = ChainBook()
    c = _start(book, 2, cause="new_build")
    nxt = _link(book, c[:1], CONTINUES)  # chain 0 moves on to the dwelling the mover left
    book.end(nxt, "demolition", year=2026, step=14)
    book.check()
    ch = book.chains_table()
    assert ch["end_cause"].tolist() == ["demolition", ""], f"end causes wrong: {ch['end_cause']}"
    assert ch["end_year"].tolist() == [2026, -1], f"end years wrong: {ch['end_year']}"
    assert ch["n_links"].tolist() == [1, 0], f"n_links wrong: {ch['n_links']}"
    assert book.running().tolist() == [1], f"only chain 1 should still run: {book.running()}"


def test_close_marks_running_open_and_keeps_ended():
    book = ChainBook()
    c = _start(book, 3, cause="merger")
    _link(book, c[0], STARTER)
    book.end(c[1:2], "demolition", year=2027, step=30)
    book.close(year=2050)
    book.check()
    ch = book.chains_table()
    assert ch["end_cause"].tolist() == ["starter", "demolition", "open"], f"end causes: {ch['end_cause']}"
    assert ch["end_year"].tolist() == [2025, 2027, 2050], f"end years: {ch['end_year']}"
    book.close(year=2051)  # nothing left to close
    assert book.chains_table()["end_year"].tolist() == [2025, 2027, 2050], "second close must change nothing"


def test_refusals_name_the_chain_ids():
    book = ChainBook()
    c = _start(book, 8, cause="death")
    _link(book, c[5], STARTER)
    book.end(c[6:7], "demolition", year=2025, step=2)
    with pytest.raises(ValueError, match=r"already ended: 5\b"):
        _link(book, [4, 5], CONTINUES, step=3)
    with pytest.raises(ValueError, match=r"already ended: 6\b"):
        book.end(np.array([6]), "demolition", year=2025, step=3)
    with pytest.raises(ValueError, match=r"already ended: 5\b"):
        book.end(np.array([5]), "demolition", year=2025, step=3)
    with pytest.raises(ValueError, match=r"more than once.*\b3\b"):
        book.end(np.array([3, 3]), "demolition", year=2025, step=3)
    with pytest.raises(ValueError, match=r"unknown chain ids 99"):
        _link(book, [99], CONTINUES)
    with pytest.raises(ValueError, match="start cause"):
        _start(book, cause="fire")
    with pytest.raises(ValueError, match="close"):
        book.end(np.array([0]), "open", year=2025, step=3)
    with pytest.raises(ValueError, match="from_type"):
        _link(book, [0], STARTER, from_type=2)
    # a refused call leaves the book unchanged
    assert book.n_links == 1, f"refused calls must not add links, got {book.n_links}"
    assert book.chains_table()["n_links"].tolist() == [0] * 5 + [1, 0, 0], "refused calls changed n_links"
    assert book.running().tolist() == [0, 1, 2, 3, 4, 7], f"refused calls changed ends: {book.running()}"
    book.check()


def test_sequence_within_one_call_and_early_end_refused():
    book = ChainBook()
    c = _start(book, 2)
    # chain 0 twice in one call: continues, then a starter fills the dwelling the first mover left
    out = _link(book, [0, 1, 0], [CONTINUES, CONTINUES, STARTER])
    assert out.tolist() == [0, 1, -1], f"continuing ids wrong: {out}"
    lk = book.links_table()
    assert lk["link_number"].tolist() == [1, 1, 2], f"link numbers in call order wrong: {lk['link_number']}"
    with pytest.raises(ValueError, match=r"ended earlier in the same call: 1\b"):
        _link(book, [1, 1], [STARTER, CONTINUES])
    book.check()
    assert c.tolist() == [0, 1], "ids should be 0, 1"


def test_check_detects_corruption():
    book = ChainBook()
    c = _start(book, 2)
    _link(book, c, CONTINUES)
    book.check()
    book._c["n_links"][1] = 5  # tamper
    with pytest.raises(InvariantError, match=r"n_links.*\b1\b"):
        book.check()


def test_many_chains_random_sequences_match_recount():
    rng = np.random.default_rng(20250101)
    book = ChainBook(capacity=16)  # forces repeated doubling
    n_start = 10_000
    causes = rng.choice(len(START_CAUSES), n_start)
    ids = []
    for code in range(len(START_CAUSES)):
        k = int((causes == code).sum())
        ids.append(_start(book, k, cause=START_CAUSES[code], dtype=code, weight=rng.uniform(50, 150)))
    assert np.concatenate(ids).tolist() == list(range(n_start)), "chain ids must be 0..n-1 in start order"

    # the simple Python recount of what the test feeds in
    n_links = Counter()
    end = {}
    active = np.arange(n_start)  # chains carried by a vacant dwelling
    for step in range(1, 25):
        if len(active) == 0:
            break
        take = active[rng.random(len(active)) < 0.6]
        kind = rng.choice(4, len(take), p=[0.55, 0.25, 0.1, 0.1]).astype(np.int8)
        out = _link(book, take, kind, year=2025 + step // 12, step=step, age=rng.integers(18, 100, len(take)))
        for ch, kd in zip(take.tolist(), kind.tolist(), strict=True):
            n_links[ch] += 1
            if kd != CONTINUES:
                end[ch] = END_CAUSES[kd - 1]
        assert np.array_equal(out, np.where(kind == CONTINUES, take, -1)), "continuing ids wrong"
        active = np.setdiff1d(active, take[kind != CONTINUES])
        demolish = active[rng.random(len(active)) < 0.01]
        book.end(demolish, "demolition", year=2025 + step // 12, step=step)
        end.update(dict.fromkeys(demolish.tolist(), "demolition"))
        active = np.setdiff1d(active, demolish)
    book.close(year=2027)
    end.update(dict.fromkeys(active.tolist(), "open"))
    book.check()

    ch = book.chains_table()
    lk = book.links_table()
    expected_links = np.array([n_links[i] for i in range(n_start)])
    assert np.array_equal(ch["n_links"], expected_links), "n_links differ from the recount"
    assert len(lk["chain_id"]) == sum(n_links.values()), "number of links differs from the recount"
    assert ch["end_cause"].tolist() == [end[i] for i in range(n_start)], "end causes differ from the recount"
    assert Counter(ch["start_cause"].tolist()) == Counter(START_CAUSES[k] for k in causes), "start causes"
    per_chain = np.bincount(lk["chain_id"], minlength=n_start)
    assert np.array_equal(per_chain, expected_links), "links per chain in the links table differ"
    assert set(ch["end_cause"].tolist()) <= set(END_CAUSES), "every chain must have ended after close()"


def test_year_summary_hand_example():
    book = ChainBook()
    a = _start(book, cause="death", year=2025, step=1, weight=100.0)  # 2 links, ends 2026 (starter)
    b = _start(book, cause="new_build", year=2026, step=13, weight=300.0)  # 1 link, ends 2026 (demolition)
    c = _start(book, cause="initial", year=2025, step=0, weight=50.0)  # no links, open at close 2027
    _link(book, a, CONTINUES, year=2025, step=2)
    _link(book, a, STARTER, year=2026, step=14)
    _link(book, b, CONTINUES, year=2026, step=15)
    book.end(b, "demolition", year=2026, step=16)
    book.close(year=2027)
    book.check()
    s25, s26, s27 = (book.year_summary(y) for y in (2025, 2026, 2027))
    assert s25["chains_started"] == 150.0, f"2025 starts: {s25}"
    assert s26["chains_started"] == 300.0, f"2026 starts: {s26}"
    assert math.isnan(s25["chain_links_mean"]), f"no chain ended in 2025: {s25}"
    # 2026: chain a (2 links, w 100) and b (1 link, w 300) -> (200 + 300) / 400
    assert s26["chain_links_mean"] == pytest.approx(1.25), f"2026 mean links: {s26}"
    assert s27["chain_links_mean"] == 0.0, f"2027: the open chain c has no links: {s27}"
    assert s25["links"] == 100.0, f"2025 links: {s25}"
    assert s26["links"] == 400.0, f"2026 links (a: 100, b: 300): {s26}"
    assert c.tolist() == [2], "third chain id should be 2"


def test_write_parquet_round_trip(tmp_path):
    book = ChainBook()
    c = _start(book, 3, cause="transformation", weight=75.0)
    _link(book, c, [CONTINUES, STARTER, LEAVES_BEHIND])  # chain 0 keeps running
    chains_path, links_path = tmp_path / "chains.parquet", tmp_path / "links.parquet"
    writers.write_table(chains_path, "chains", writers.labelled(book.chains_table()))
    writers.write_table(links_path, "links", writers.labelled(book.links_table()))
    chains = pq.read_table(chains_path).to_pydict()
    links = pq.read_table(links_path).to_pydict()
    assert chains["end_cause"] == ["", "starter", "stays_behind"], f"end causes: {chains['end_cause']}"
    assert chains["start_cause"] == ["transformation"] * 3, f"start causes: {chains['start_cause']}"
    assert chains["n_links"] == [1, 1, 1], f"n_links: {chains['n_links']}"
    assert chains["weight"] == [75.0] * 3, f"weights: {chains['weight']}"
    assert links["chain_id"] == [0, 1, 2], f"link chain ids: {links['chain_id']}"
    assert links["mover_kind"] == ["continues", "starter", "leaves_behind"], f"kinds: {links['mover_kind']}"
    assert pq.read_schema(chains_path).field("end_cause").type == "string", "cause columns must be strings"
    tab = book.chains_table()
    assert set(chains) == set(tab), f"columns differ: {set(chains) ^ set(tab)}"
