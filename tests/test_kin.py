"""The kin network (agents/kin.py): its 2025 draw, its yearly upkeep and its graph."""

import dataclasses

import networkx as nx
import numpy as np
import pytest
from chunked import SMALL_CHUNK, assert_same_indicators, whole_and_chunked

from agents import kin
from agents.model import DoorstroomModel
from experiments.scenario import scenario_from_dict
from sim.households import present_persons
from sim.params import Parameters, RunSettings


@pytest.fixture(scope="module")
def built():
    return DoorstroomModel(Parameters(), RunSettings(scale=0.004, seed=3, end_year=2026))


def _children_of(table: kin.Kin) -> dict[int, int]:
    rows = np.flatnonzero(table.active)
    parents = np.concatenate([table.parent[rows], table.coparent[rows]])
    parents = parents[parents >= 0]
    return dict(zip(*np.unique(parents, return_counts=True), strict=True))


def test_the_2025_draw_follows_the_cohort_figures(built):
    """Persons born around 1945 (aged 78-82) are childless at CBS's 11.7%, their parents have about
    2.00 / 0.883 = 2.27 children, and about child_near_share of the children live within reach."""
    ctx = built.contexts["kin"]
    table: kin.Kin = ctx.memory["kin"]
    hh = built.households
    flat = present_persons(hh)
    years = hh.age_months.ravel()[flat] // 12
    pid = hh.pid.ravel()[flat]
    counts = _children_of(table)
    cohort = (years >= 78) & (years <= 82)
    k = np.array([counts.get(int(p), 0) for p in pid[cohort]])
    assert cohort.sum() > 1000
    assert np.mean(k == 0) == pytest.approx(0.117, abs=0.03)
    assert k[k > 0].mean() == pytest.approx(2.0 / 0.883, abs=0.15)
    assert table.near[table.active].mean() == pytest.approx(Parameters().network.child_near_share, abs=0.02)
    # nobody under the entry age has children in the network
    young = pid[years < 50]
    assert not np.isin(young, table.parent[table.active]).any()
    assert (hh.children_nearby[hh.active].any()) and not hh.children_nearby[hh.active].all()


def test_the_household_flag_is_having_a_child_within_reach(built):
    ctx = built.contexts["kin"]
    table: kin.Kin = ctx.memory["kin"]
    hh = built.households
    near = np.flatnonzero(table.active & table.near)
    with_near = set(table.parent[near]) | set(table.coparent[near]) - {-1}
    rows = np.flatnonzero(hh.active)
    expected = np.array([any(int(p) in with_near for p in hh.pid[r] if p >= 0) for r in rows])
    assert np.array_equal(hh.children_nearby[rows], expected)


def test_the_graph_of_a_sample(built):
    """networkx: adults and their children; a person's degree is its children plus its partner; every
    component holds one household (children are shared by partners only), and every child has one or
    two parents in it."""
    ctx = built.contexts["kin"]
    hh = built.households
    rows = np.flatnonzero(hh.active)[:400]
    g = kin.kin_graph(ctx, rows)
    counts = _children_of(ctx.memory["kin"])
    persons = [n for n in g if n[0] == "p"]
    assert len(persons) == int(hh.present[rows].sum())
    for node in persons:
        partner = sum(1 for _, _, d in g.edges(node, data=True) if d["kind"] == "partner")
        assert g.degree(node) == counts.get(node[1], 0) + partner
    for comp in nx.connected_components(g):
        households = {g.nodes[n]["household"] for n in comp if n[0] == "p"}
        assert len(households) == 1
    for node in (n for n in g if n[0] == "c"):
        assert 1 <= g.degree(node) <= 2
        assert all(d["near"] == g.nodes[node]["near"] for _, _, d in g.edges(node, data=True))
    # the care network on it: a person cared for by a partner has a partner edge, one cared for by a
    # child lives in a household with a child within reach
    near_household = {g.nodes[p]["household"] for p, c, e in g.edges(data=True)
                      if e["kind"] == "child" and e["near"] for p in (p, c) if p[0] == "p"}
    for node in persons:
        d = g.nodes[node]
        if d["carer"] == "partner":
            assert any(e["kind"] == "partner" for _, _, e in g.edges(node, data=True))
        if d["carer"] == "child":
            assert d["household"] in near_household
        assert isinstance(d["lonely"], bool)
    assert {g.nodes[n]["carer"] for n in persons} >= {"none", "partner"}


def test_a_run_keeps_the_network_consistent_and_its_draws_common():
    """After two yearly updates every child has a parent in the population; a policy that changes
    moves keeps who is whose child and each child's birth month and sex for the parents of the 2025
    population (common random numbers; new persons are numbered in order of arrival, which a policy
    may change, see sim/streams.py)."""
    settings = RunSettings(scale=0.003, seed=2, end_year=2026)
    base = DoorstroomModel(Parameters(), settings)
    first_new_pid = int(base.households.pid.max()) + 1
    base.run()
    data = {"scenario": {"name": "d"}, "policy": {"keep_rent": True, "moving_allowance_eur": 2500.0,
                                                  "older_mover_priority_all_types": True}}
    other = DoorstroomModel(scenario_from_dict(data).parameters(), settings)
    other.run()
    moves = [sum(v for y, n, v in m.records if n == "moves_55plus") for m in (base, other)]
    assert moves[0] != moves[1], "the policy must change moves for this test to mean anything"
    tables = [m.contexts["kin"].memory["kin"] for m in (base, other)]
    hh = base.households
    alive = set(hh.pid[hh.present].tolist()) | set(base.applicants.pid[base.applicants.active].tolist())
    t = tables[0]
    rows = np.flatnonzero(t.active)
    assert all(int(p) in alive or int(c) in alive for p, c in zip(t.parent[rows], t.coparent[rows],
                                                                   strict=True))
    keyed = []
    for table in tables:
        r = np.flatnonzero(table.active)
        r = r[table.drawer[r] < first_new_pid]
        ids, born, sex = kin.child_id(table, r), table.birth_month[r], table.sex[r]
        keyed.append({int(i): (int(b), int(s)) for i, b, s in zip(ids, born, sex, strict=True)})
    common = keyed[0].keys() & keyed[1].keys()
    assert len(common) > 0.95 * len(keyed[0])
    assert all(keyed[0][i] == keyed[1][i] for i in common)


def test_children_pass_to_the_other_parent_and_leave_with_the_last():
    """The yearly update: a parent who is gone passes its children to the coparent; children whose
    parents are both gone leave the network."""
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=4, end_year=2025))
    ctx = model.contexts["kin"]
    table: kin.Kin = ctx.memory["kin"]
    shared = np.flatnonzero(table.active & (table.coparent >= 0))
    single = np.flatnonzero(table.active & (table.coparent < 0))
    assert len(shared) and len(single)
    a, b = shared[0], single[0]
    coparent = int(table.coparent[a])
    gone = np.array([table.parent[a], table.parent[b]])
    persons = kin._persons(ctx)
    keep = ~np.isin(persons["pid"], gone)
    persons = {k: v[keep] for k, v in persons.items()}
    kin._keep(ctx, table, persons, kin._pid_map(persons["pid"]))
    assert table.parent[a] == coparent and table.coparent[a] == -1 and table.active[a]
    assert not table.active[b]


def test_network_parameters_are_checked():
    with pytest.raises(Exception, match="one per cohort"):
        dataclasses.replace(Parameters().network, childless_share_by_cohort=(0.1, 0.2))


def test_the_network_command_writes_a_graphml_sample_and_never_replaces_it(tmp_path, capsys):
    from experiments.cli import main

    out = tmp_path / "net.graphml"
    args = ["network", "--out", str(out), "--scale", "0.002", "--year", "2026", "--households", "150"]
    assert main(args) == 0
    g = nx.read_graphml(out)
    households = {d["household"] for n, d in g.nodes(data=True) if n.startswith("p")}
    assert len(households) == 150
    assert g.graph["year"] == 2026 and g.graph["scenario"] == "baseline"
    assert all(d["kind"] in ("partner", "child") for _, _, d in g.edges(data=True))
    assert all("near" in d for n, d in g.nodes(data=True) if n.startswith("c"))
    assert all(d["carer"] in ("none", "partner", "child", "other") for n, d in g.nodes(data=True)
               if n.startswith("p"))
    before = out.read_bytes()
    assert main(args) == 2
    assert "exists" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["network", "--out", str(tmp_path / "x.txt")]) == 2


def test_the_yearly_update_in_chunks_gives_the_same_network(monkeypatch):
    """agents.kin._keep updates the children in chunks of rows: the network, the households' flags and
    the indicators are the same whatever the chunk (each child's update depends on its own row, its
    parents and its draws by child id alone)."""
    whole, chunked = whole_and_chunked(monkeypatch, kin, "_CHUNK",
                                       RunSettings(scale=0.002, seed=3, end_year=2026))
    a, b = whole.contexts["kin"].memory["kin"], chunked.contexts["kin"].memory["kin"]
    assert a.n == b.n and a.n > 20 * SMALL_CHUNK
    for name in kin.Kin.COLUMNS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(whole.households.children_nearby, chunked.households.children_nearby)
    assert_same_indicators(whole, chunked)


def test_the_table_is_compacted_in_place_and_holds_only_the_living():
    """Each year's update frees the rows of the children who left in place, keeping the order of the
    others (the newcomers' rows after them): after the update every row in use is a child in the
    network."""
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=3, end_year=2026))
    table = model.contexts["kin"].memory["kin"]
    before = [int(i) for i in kin.child_id(table, np.arange(table.n))]
    for _ in range(12):
        model.step()
    assert model.contexts["kin"].memory["kin"] is table
    assert table.active.all()
    after = [int(i) for i in kin.child_id(table, np.arange(table.n))]
    stayed = set(after)
    kept = [i for i in before if i in stayed]
    assert 0.9 * len(before) < len(kept) < len(before)  # some left, most stayed
    assert after[:len(kept)] == kept
    assert not stayed.intersection(after[len(kept):]) & set(before)


def _young_entrants(steps: int):
    """A model where persons enter the network at 30, so that children not yet born are in it, run
    ``steps`` steps: the model, the kin context and the network."""
    params = Parameters.from_dict({"network": {"entry_age_years": 30.0}})
    model = DoorstroomModel(params, RunSettings(scale=0.002, seed=4, end_year=2025))
    for _ in range(steps):
        model.step()
    ctx = model.contexts["kin"]
    return model, ctx, ctx.memory["kin"]


def test_children_not_yet_born_do_not_die(monkeypatch):
    """A parent who enters young (network.entry_age_years under 45) has children born later: they are
    in the network before their birth and cannot die then, while every child born dies under a hazard
    of 1,000 a year."""
    model, ctx, table = _young_entrants(steps=11)
    ids = kin.child_id(table, np.arange(table.n))
    unborn = set(ids[table.active & (table.birth_month >= ctx.month + 2)].tolist())
    born = set(ids[table.active & (table.birth_month <= ctx.month - 2)].tolist())
    assert len(unborn) > 50 and len(born) > 50
    monkeypatch.setattr(kin, "base_hazard", lambda age, sex, year, dp: np.full(len(age), 1000.0))
    model.step()  # December: the yearly update
    after = set(kin.child_id(table, np.flatnonzero(table.active)).tolist())
    assert not born & after
    assert len(unborn & after) > 0.9 * len(unborn)  # all but those whose parents both left


def test_only_children_born_count_for_their_parents():
    """A parent whose children in the network are all still to be born (entry age 30) has no child,
    and none within reach, until the first is born."""
    _, ctx, table = _young_entrants(steps=12)
    has_child, nearby = kin._parent_flags(ctx, table)
    born = table.birth_month <= ctx.month
    live, unborn = table.active & born, table.active & ~born
    parents_born = set(table.parent[live].tolist()) | set(table.coparent[live].tolist())
    only_unborn = (set(table.parent[unborn].tolist()) - parents_born) - {-1}
    assert len(only_unborn) > 20
    ids = np.array(sorted(only_unborn))
    assert not has_child[ids].any() and not nearby[ids].any()
    assert has_child[np.array(sorted(parents_born - {-1}))].all()
