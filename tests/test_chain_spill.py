"""Chains and links written as the run goes (ChainBook.spill, experiments.writers.ChainSink): the same
tables as a run that keeps them all, with about one year of links in memory."""

import numpy as np
import pyarrow.parquet as pq
import pytest

from experiments.cli import main
from experiments.folders import recover
from experiments.runner import run_scenario
from experiments.scenario import load_scenario
from experiments.writers import ChainSink, labelled, write_results
from sim.chains import ChainBook
from sim.params import RunSettings

SETTINGS = RunSettings(scale=0.002, seed=4, end_year=2029)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same run twice: chains kept in memory, and spilled every year (with every invariant checked
    each step, the book's own after every spill)."""
    scenario = load_scenario(None)
    kept, _ = run_scenario(scenario, SETTINGS)
    folder = tmp_path_factory.mktemp("spill")
    sink = ChainSink(folder / "sink")
    spilled, manifest = run_scenario(scenario, SETTINGS, debug=True, chain_sink=sink)
    in_memory = (spilled.chains.n_links, len(spilled.chains.links_table()["chain_id"]))
    out = write_results(spilled, manifest, folder / "out", sink)
    sink.discard()
    return kept, spilled, out, in_memory


def _sorted(table, key):
    order = np.argsort(np.asarray(table[key]), kind="stable")
    return {k: np.asarray(v)[order].tolist() for k, v in table.items()}


def test_spilled_tables_equal_the_kept_ones(runs):
    kept, _, out, _ = runs
    chains = pq.read_table(out / "chains.parquet").to_pydict()
    links = pq.read_table(out / "links.parquet").to_pydict()
    want_chains = labelled(kept.chains.chains_table())
    want_links = labelled(kept.chains.links_table())
    assert len(chains["chain_id"]) == kept.chains.n_chains > 1000
    assert _sorted(chains, "chain_id") == _sorted(want_chains, "chain_id")
    assert links == {k: np.asarray(v).tolist() for k, v in want_links.items()}  # in recording order


def test_indicators_do_not_depend_on_spilling(runs):
    kept, spilled, _, _ = runs
    assert [r[:2] for r in kept.records] == [r[:2] for r in spilled.records]
    np.testing.assert_array_equal([r[2] for r in kept.records], [r[2] for r in spilled.records])


def test_only_the_last_year_and_running_chains_stay_in_memory(runs):
    kept, spilled, _, (total_links, links_in_memory) = runs
    assert total_links == kept.chains.n_links
    assert 0 < links_in_memory < total_links / 3, (links_in_memory, total_links)
    # in memory at the end: the chains that ended in the last year or were still running
    assert len(spilled.chains.chains_table()["chain_id"]) < kept.chains.n_chains / 3


def test_a_spilled_chain_cannot_be_linked_or_ended():
    book = ChainBook()
    done = book.start(year=2025, step=0, dwelling_type=[1], tenure=[0], cause="death", weight=[1.0])
    live = book.start(year=2025, step=0, dwelling_type=[1], tenure=[0], cause="death", weight=[1.0])
    book.link(done, year=2025, step=1, mover_age=[30], household_type=[0], from_type=[-1], to_type=[1],
              mover_kind=[1])
    got = {}
    book.spill(type("Sink", (), {"chains": lambda self, c: got.setdefault("chains", c),
                                 "links": lambda self, c: got.setdefault("links", c)})())
    assert got["chains"]["chain_id"].tolist() == [0] and got["links"]["chain_id"].tolist() == [0]
    with pytest.raises(ValueError, match="already ended"):
        book.end(done, "demolition", year=2026, step=13)
    book.link(live, year=2026, step=13, mover_age=[70], household_type=[0], from_type=[2], to_type=[1],
              mover_kind=[0])
    book.link(live, year=2026, step=14, mover_age=[30], household_type=[0], from_type=[-1], to_type=[2],
              mover_kind=[1])
    book.check()
    assert book.links_table()["link_number"].tolist() == [1, 2]
    assert book.chains_table()["n_links"].tolist() == [2]


def test_the_run_command_streams_and_leaves_nothing_behind(tmp_path):
    out = tmp_path / "res"
    assert main(["run", "--scale", "0.001", "--end", "2026", "--out", str(out), "--quiet"]) == 0
    assert pq.read_table(out / "chains.parquet").num_rows > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"], "the sink's folder is left"
    # a killed run's sink folder is removed by the next command on the folder
    ChainSink.beside(out)
    assert any(".tmp-" in p.name for p in tmp_path.iterdir())
    recover(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]
