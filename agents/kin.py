"""The kin network: the children of persons aged 50+, and which of them live within reach.

Every person enters the network when they reach ``network.entry_age_years`` (in 2025, everyone of 50
and over). Their children are drawn then, from their birth cohort (CBS 81612NED): childless with the
cohort's share, otherwise ``1 + Poisson(m - 1)`` children, ``m`` the cohort's children per mother.
A partner already in the network shares its children (the children of a couple entering together are
drawn once, for the adult in the first slot). Each child has a birth month (the parent's age at birth
drawn), a sex, a province and whether it lives within reach (within 10 km, CBS's measure; the share
``child_near_share`` derived from CBS's figure for persons in their sixties).

The network is kept once a year (the last step; the children's lives are on a yearly clock):

- a parent who died or left the country passes its children to the other parent, or the children
  leave the network;
- children die by the model's life table (:func:`agents.mortality.base_hazard`); a child not born yet
  (a parent entered younger than the oldest age at birth) cannot die, and counts as a child (within
  reach or not) only from its birth;
- children within reach move away with ``child_move_away_per_year``, those beyond it come within
  reach at the rate that keeps the share within reach at ``child_near_share`` (a child drawn beyond
  reach lives in the parent's province with ``child_same_province_share``, else in a province drawn
  uniformly; a child that comes within reach moves to the parent's province);
- a parent who moved to another province is beyond reach of its children unless they live in the new
  province (moving towards a child), and within reach of those who do;
- a parent of ``move_near_child_min_age_years`` or more who moved home within its province comes
  within reach of each child living beyond reach in that province with ``move_near_child_share``
  (indicator ``moves_nearer_children``: such parents without a child within reach before);
- persons who reached the entry age enter.

The household column ``children_nearby`` (and the applicants') is then true where an adult has a
child within reach: the network of the care transitions (:mod:`agents.care`) and of the admission
urgency. Draws: stream ``kin``, one key per decision, by person id (parents) or child id (``pid x
16 + k``, the ``k``-th child): a policy that changes moves does not reshuffle who is whose child.

The network is stored in arrays (:class:`Kin`, in this process's memory); :func:`kin_graph` gives a
sample of households and their kin as a ``networkx`` graph for analysis and for the tests.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy.special import ndtri, pdtr

from agents import informal
from agents.mortality import base_hazard
from sim.codes import FEMALE, LIMITATION, MALE, is_home
from sim.columns import ColumnTable
from sim.households import gather, present_persons
from sim.outputs import declare
from sim.process import Context, Process

MAX_CHILDREN = 15
"""Children drawn per parent at most (a child's id is ``pid x 16 + k``)."""

_CHUNK = 1 << 18
"""Rows taken at a time (bounded temporaries at full scale): parents whose number of children is
looked up (a row of the Poisson table each, 120 bytes), children kept by :func:`_keep` (about 60
bytes each); children are drawn for ``_CHUNK // MAX_CHILDREN`` parents at a time."""

NEAR_KM = 10
"""Within reach: living within this distance of the parent (CBS's measure), in km."""


class Kin(ColumnTable):
    """Children in the network, one row each (see :class:`sim.columns.ColumnTable`).

    Columns: ``drawer`` and ``nth`` (the child is the ``nth`` of the parent ``drawer`` who drew it: its
    id is :func:`child_id`), ``parent`` and ``coparent`` (person
    ids; -1 for none), ``birth_month`` (months from January 2025, negative before), ``sex``,
    ``region`` (province), ``near`` (within reach of the parents), ``parent_region`` (the province the
    parents lived in at the last yearly update).
    """

    COLUMNS = {
        "active": (np.bool_, False, False),
        "drawer": (np.int32, False, -1),
        "nth": (np.int8, False, 0),
        "parent": (np.int32, False, -1),
        "coparent": (np.int32, False, -1),
        # int16: from about -1,300 (a child born around 1917 to a parent of 110 in 2025) to 2050's 311
        "birth_month": (np.int16, False, 0),
        "sex": (np.int8, False, MALE),
        "region": (np.int8, False, -1),
        "parent_region": (np.int8, False, -1),
        "near": (np.bool_, False, False),
    }


def child_id(kin: Kin, rows: np.ndarray) -> np.ndarray:
    """The ids of children ``rows`` (``drawer x 16 + nth``: the key of their draws)."""
    return kin.drawer[rows].astype(np.int64) * (MAX_CHILDREN + 1) + kin.nth[rows]


def _cohort_value(birth_year, cohorts, values) -> np.ndarray:
    """A cohort figure at each birth year, interpolated (the nearest cohort outside the range)."""
    return np.interp(np.asarray(birth_year, np.float64), np.asarray(cohorts), np.asarray(values))


def draw_children(ctx: Context, kin: Kin, parents: np.ndarray, coparents: np.ndarray,
                  age_months: np.ndarray, region: np.ndarray, n_regions: int) -> None:
    """Draws the children of entering parents and adds them to ``kin`` (in the parents' order).

    The numbers of children are drawn first, room is made for all of them at once, and the
    children are then drawn and added for ``_CHUNK // MAX_CHILDREN`` parents at a time (bounded
    temporaries at full scale; every draw is by parent or child id, read in parts).

    Args:
        ctx: The kin process's context (its stream ``kin`` and the ``network`` parameters).
        kin: The network.
        parents: Person ids of the parents who draw (one per family).
        coparents: Person ids of their partners entering with them (-1 for none).
        age_months: The drawing parents' ages (months).
        region: Their provinces.
        n_regions: Number of provinces.
    """
    npar = ctx.params.network
    # the cohort figures once per distinct age (parents of one age share their birth cohort)
    ages, inverse = np.unique(age_months, return_inverse=True)
    birth_year = ctx.year - ages / 12.0
    childless = _cohort_value(birth_year, npar.cohort_years, npar.childless_share_by_cohort)
    per_woman = _cohort_value(birth_year, npar.cohort_years, npar.children_per_woman_by_cohort)
    lam = np.maximum(per_woman / np.maximum(1.0 - childless, 1e-9) - 1.0, 1e-9)
    has = ctx.streams.for_few("kin", parents, "childless") >= childless[inverse]
    u = np.clip(ctx.streams.for_few("kin", parents, "children"), 1e-12, 1.0 - 1e-12)
    # 1 + Poisson(m - 1) children by inverting its distribution function, tabulated by distinct age:
    # the count of j < MAX_CHILDREN with P(K - 1 <= j) < u (as scipy's poisson.ppf, capped)
    cdf = pdtr(np.arange(MAX_CHILDREN)[None, :], lam[:, None])  # Poisson's distribution function
    k = np.zeros(len(parents), np.int64)
    for lo in range(0, len(parents), _CHUNK):
        hi = min(lo + _CHUNK, len(parents))
        k[lo:hi] = (u[lo:hi, None] > cdf[inverse[lo:hi]]).sum(axis=1)
    k = np.where(has, np.minimum(1 + k, MAX_CHILDREN), 0)
    del has, u
    kin.reserve(int(k.sum()))
    draws = {key: ctx.streams.counter("kin", key=key) for key in ("age_at_birth", "near", "province", "sex")}
    step = max(_CHUNK // MAX_CHILDREN, 1)
    for lo in range(0, len(parents), step):
        part = slice(lo, lo + step)
        kin.append(_children(ctx, draws, k[part], parents[part], coparents[part], age_months[part],
                             region[part], n_regions))


def _children(ctx: Context, draws: dict, k: np.ndarray, parents: np.ndarray, coparents: np.ndarray,
              age_months: np.ndarray, region: np.ndarray, n_regions: int
              ) -> dict[str, np.ndarray]:
    """The ``k`` children of each of ``parents``, as columns of new :class:`Kin` rows."""
    npar = ctx.params.network
    fam = np.repeat(np.arange(len(parents)), k)
    nth = np.arange(len(fam)) - np.repeat(np.cumsum(k) - k, k)
    ids = parents[fam].astype(np.int64) * (MAX_CHILDREN + 1) + nth
    mean, sd = npar.mother_age_at_birth_years
    at_birth = ndtri(np.clip(draws["age_at_birth"](ids), 1e-12, 1.0 - 1e-12))
    at_birth = np.clip(mean + sd * at_birth, 18.0, 45.0)
    born = (ctx.month - age_months[fam] + np.round(at_birth * 12)).astype(np.int16)
    del at_birth
    near = draws["near"](ids) < npar.child_near_share
    where = draws["province"](ids)
    same = near | (where < npar.child_same_province_share)
    elsewhere = np.minimum((where * n_regions).astype(np.int8), n_regions - 1)
    del where
    home = region[fam].astype(np.int8)
    sex = np.where(draws["sex"](ids) < npar.child_male_share, MALE, FEMALE)
    return {
        "drawer": parents[fam].astype(np.int32),
        "nth": nth.astype(np.int8), "parent": parents[fam].astype(np.int32),
        "coparent": coparents[fam].astype(np.int32), "birth_month": born, "sex": sex.astype(np.int8),
        "region": np.where(same, home, elsewhere).astype(np.int8), "parent_region": home, "near": near,
    }


def _persons(ctx: Context) -> dict[str, np.ndarray]:
    """Everyone who can be a parent: the adults of households and the applicants (heads, partners).

    Each array is gathered part by part (adults, applicant heads, their partners) into one
    (:func:`sim.households.gather`), not joined from copies: the yearly pass's temporaries are of the
    length of all persons.
    """
    hh, ap = ctx.households, ctx.applicants
    flat = present_persons(hh).astype(np.int32)  # person indices fit int32 (two per row)
    idx = np.flatnonzero(ap.active)
    n, k = len(flat), len(idx)
    rows = flat >> 1  # row_of, in int32
    out = {name: gather([(adults, index), (heads, idx), (partners, idx)])
           for name, adults, index, heads, partners in (
               ("pid", hh.pid.ravel(), flat, ap.pid, ap.partner_pid),
               ("partner", hh.pid.ravel(), flat ^ 1, ap.partner_pid, ap.pid),
               ("age", hh.age_months.ravel(), flat, ap.age_months, ap.partner_age_months),
               ("region", hh.region, rows, ap.region, ap.region),
               ("weight", hh.weight, rows, ap.weight, ap.weight))}
    out["slot"] = np.zeros(n + 2 * k, np.int8)
    out["slot"][:n] = flat & 1
    out["slot"][n + k:] = 1
    # moved home this year (months_in_dwelling counts from 0 at the move; applicants have not)
    out["moved"] = np.zeros(n + 2 * k, bool)
    np.less(np.take(hh.months_in_dwelling, rows), 12, out=out["moved"][:n])
    return out


def _pid_map(pid: np.ndarray) -> np.ndarray:
    """Position of each person id in ``pid`` (the person arrays), -1 for ids not there."""
    top = int(pid.max(initial=-1)) + 1
    where = np.full(top + 1, -1, np.int32)  # the last entry answers for ids out of range
    where[np.where(pid >= 0, pid, top)] = np.arange(len(pid), dtype=np.int32)
    where[top] = -1
    return where


def _locate(where: np.ndarray, pid: np.ndarray) -> np.ndarray:
    """Position of each ``pid`` by :func:`_pid_map`; -1 where it is not found."""
    return where[np.where((pid >= 0) & (pid < len(where) - 1), pid, len(where) - 1)]


def _enter(ctx: Context, kin: Kin, persons: dict[str, np.ndarray], entered: np.ndarray) -> np.ndarray:
    """Persons who reached the entry age join the network; returns the grown ``entered`` flags."""
    pid, partner = persons["pid"], persons["partner"]
    top = int(max(pid.max(initial=-1), partner.max(initial=-1))) + 1
    if len(entered) < top:
        entered = np.concatenate([entered, np.zeros(top - len(entered) + top // 4, bool)])
    valid = pid >= 0
    new = valid & (persons["age"] >= ctx.params.network.entry_age_years * 12)
    new[valid] &= ~entered[pid[valid]]
    if not new.any():
        return entered
    has_partner = partner >= 0
    partner_in = np.zeros(len(pid), bool)
    partner_in[has_partner] = entered[partner[has_partner]]
    partner_new = np.zeros(len(pid), bool)
    if new.any():
        joining = np.zeros(len(entered), bool)
        joining[pid[new]] = True
        partner_new[has_partner] = joining[partner[has_partner]]
    # a partner already in the network shares its children with the newcomer
    share = new & partner_in
    if share.any():
        sharer = np.full(len(entered), -1, np.int32)  # by person id: one int32 each, no copy
        sharer[partner[share]] = pid[share]
        open_rows = np.flatnonzero(kin.active & (kin.coparent < 0))
        take = sharer[kin.parent[open_rows]]
        ok = take >= 0
        kin.coparent[open_rows[ok]] = take[ok]
    # a couple entering together draws once, for the adult in the first slot (or the applicant head)
    draw = new & ~partner_in & ~(partner_new & (persons["slot"] == 1))
    co = np.where(partner_new[draw], partner[draw], -1)
    if draw.any():
        n_regions = int(ctx.households.region.max(initial=0)) + 1 if len(ctx.households.region) else 1
        n_regions = max(n_regions, int(persons["region"].max(initial=0)) + 1)
        draw_children(ctx, kin, pid[draw], co, persons["age"][draw].astype(np.float64),
                      persons["region"][draw], n_regions)
    entered[pid[new]] = True
    return entered


def _keep(ctx: Context, kin: Kin, persons: dict[str, np.ndarray], where: np.ndarray) -> None:
    """The yearly update of the children already in the network (see the module docstring).

    The children are taken in chunks of :data:`_CHUNK` rows (bounded temporaries at full scale): each
    child's update depends on its own row, its parents and its draws by child id alone.
    """
    rows = np.flatnonzero(kin.active)
    if len(rows) == 0:
        return
    # the death probability by sex and age in months, looked up (a table, not a temporary per child)
    grid = np.arange(max(ctx.month - int(kin.birth_month[rows].min()), 0) + 1)
    table = -np.expm1(-np.stack([base_hazard(grid / 12.0, np.full(len(grid), sex), ctx.year + 0.5,
                                             ctx.params.demography) for sex in (MALE, FEMALE)]))
    draws = {key: ctx.streams.counter("kin", key=key) for key in ("death", "moves", "move_near")}
    had_near = np.zeros(len(persons["pid"]), bool)
    got = np.zeros(len(persons["pid"]), bool)
    for lo in range(0, len(rows), _CHUNK):
        _keep_rows(ctx, kin, persons, where, rows[lo:lo + _CHUNK], table, draws, had_near, got)
    ctx.record.flow("moves_nearer_children", float(persons["weight"][got & ~had_near].sum()))


def _keep_rows(ctx: Context, kin: Kin, persons: dict[str, np.ndarray], where: np.ndarray,
               rows: np.ndarray, table: np.ndarray, draws: dict, had_near: np.ndarray,
               got: np.ndarray) -> None:
    """:func:`_keep` for the children in ``rows``.

    Marks in ``had_near`` the parents who had a child within reach, in ``got`` those who moved
    towards one.
    """
    npar = ctx.params.network
    at = _locate(where, kin.parent[rows])
    co_at = _locate(where, kin.coparent[rows])
    # a parent who is gone passes the children on; with no parent left they leave the network
    gone = at < 0
    kin.parent[rows[gone]] = kin.coparent[rows[gone]]
    kin.coparent[rows[gone]] = -1
    at = np.where(gone, co_at, at)
    kin.coparent[rows[~gone & (co_at < 0)]] = -1
    del co_at, gone
    orphan = at < 0
    kin.active[rows[orphan]] = False
    rows, at = rows[~orphan], at[~orphan]
    ids = child_id(kin, rows)
    # a child not born yet (a parent who entered young: network.entry_age_years under 45, the
    # oldest age at birth) cannot die; its age would read the table from its end
    months = ctx.month - kin.birth_month[rows].astype(np.int32)
    p_die = np.where(months >= 0, table[kin.sex[rows], np.maximum(months, 0)], 0.0)
    del months
    died = draws["death"](ids) < p_die
    del p_die
    kin.active[rows[died]] = False
    alive = ~died
    rows, at, ids = rows[alive], at[alive], ids[alive]
    near = kin.near[rows]
    away = npar.child_move_away_per_year
    back = away * npar.child_near_share / max(1.0 - npar.child_near_share, 1e-9)
    u = draws["moves"](ids)
    near = np.where(near, u >= -np.expm1(-away), u < -np.expm1(-back))
    del u
    # a parent who moved to another province: within reach of the children who live there only
    region = persons["region"][at]
    moved = region != kin.parent_region[rows]
    near = np.where(moved, kin.region[rows] == region, near)
    # an older parent who moved within its province comes within reach of a child living there
    had_near[at[kin.near[rows]]] = True
    cand = np.flatnonzero(~moved & ~near & persons["moved"][at] & (kin.region[rows] == region)
                          & (persons["age"][at] >= npar.move_near_child_min_age_years * 12))
    turned = cand[draws["move_near"](ids[cand]) < npar.move_near_child_share]
    near[turned] = True
    got[at[turned]] = True
    kin.near[rows] = near
    # children within reach live in the parent's province
    kin.region[rows[near]] = region[near]
    kin.parent_region[rows] = region


def _parent_flags(ctx: Context, kin: Kin) -> tuple[np.ndarray, np.ndarray]:
    """``(has_child, nearby)`` by person id: a parent of a child in the network, of one within reach.

    Only children born by now count (a parent who entered younger than the oldest age at birth has
    children in the network before their birth). Long enough for every person id of the network, the
    households and the applicants, plus a last entry (False) that answers for pid -1.
    """
    hh, ap = ctx.households, ctx.applicants
    top = int(max(kin.parent.max(initial=-1), kin.coparent.max(initial=-1), hh.pid.max(initial=-1),
                  ap.pid.max(initial=-1), ap.partner_pid.max(initial=-1))) + 1
    has_child, nearby = np.zeros(top + 1, bool), np.zeros(top + 1, bool)
    born = kin.active & (kin.birth_month <= ctx.month)
    for parent in (kin.parent, kin.coparent):  # one column at a time (no concatenated copy)
        valid = born & (parent >= 0)
        has_child[parent[valid]] = True
        valid &= kin.near
        nearby[parent[valid]] = True
    return has_child, nearby


def _flag_households(ctx: Context, nearby: np.ndarray) -> None:
    """``children_nearby`` of households and applicants: an adult has a child within reach."""
    hh, ap = ctx.households, ctx.applicants
    active = np.flatnonzero(hh.active)
    # nearby[-1] is False: pid -1 (an empty slot) reads it; the two slots column by column (a
    # reduction along rows of two is many times slower in numpy)
    hh.children_nearby[active] = nearby[hh.pid[active, 0]] | nearby[hh.pid[active, 1]]
    idx = np.flatnonzero(ap.active)
    ap.children_nearby[idx] = nearby[ap.pid[idx]] | nearby[ap.partner_pid[idx]]


def setup(ctx: Context) -> None:
    """Draws the 2025 network: the children of everyone aged ``entry_age_years`` and over."""
    kin = Kin(capacity=1024)
    persons = _persons(ctx)
    ctx.memory["entered"] = _enter(ctx, kin, persons, np.zeros(0, bool))
    ctx.memory["kin"] = kin
    _flag_households(ctx, _parent_flags(ctx, kin)[1])


def kin(ctx: Context) -> None:
    """Keeps the kin network once a year (deaths, moves, newcomers) and who has a child within reach."""
    if not ctx.last_step_of_year:
        return
    kin_table: Kin = ctx.memory["kin"]
    persons = _persons(ctx)
    _keep(ctx, kin_table, persons, _pid_map(persons["pid"]))
    # the rows of the children who left, freed in place (in their order) before the newcomers' are
    # added: the table grows only with the network, never by a copy of itself
    kin_table.compact()
    ctx.memory["entered"] = _enter(ctx, kin_table, persons, ctx.memory["entered"])
    del persons  # freed before the flags and the indicators: the December peak at full scale
    has_child, nearby = _parent_flags(ctx, kin_table)
    _flag_households(ctx, nearby)
    _record(ctx, has_child, nearby)


def _record(ctx: Context, has_child: np.ndarray, nearby: np.ndarray) -> None:
    """The network's indicators for 31 December (persons by their household weight).

    ``has_child``, ``nearby``: :func:`_parent_flags`.
    """
    hh = ctx.households
    flat = present_persons(hh).astype(np.int32)  # person indices fit int32 (two per row)
    rows = flat >> 1  # row_of, in int32
    pid = np.take(hh.pid.ravel(), flat)
    has_near, no_child = nearby[pid], ~has_child[pid]
    del pid
    years = np.take(hh.age_months.ravel(), flat) // 12
    w = hh.weight[rows].astype(np.float64)
    for name, lo, hi in (("share_60_69_child_within_reach", 60, 70),
                         ("share_65plus_child_within_reach", 65, 200),
                         ("share_75plus_child_within_reach", 75, 200)):
        sel = (years >= lo) & (years < hi)
        if sel.any():
            ctx.record.mean(name, has_near[sel].astype(np.float64), w[sel])
    old = years >= 70
    if old.any():
        ctx.record.mean("share_70plus_without_children", no_child[old].astype(np.float64), w[old])
    # persons in need at home with neither a partner nor a child within reach
    home = is_home(hh.dwelling[rows])
    alone = ~hh.present.ravel()[flat ^ 1]
    need = (hh.care.ravel()[flat] >= LIMITATION) & home
    ctx.record.mean("persons_in_need_without_network", np.array([w[need & alone & ~has_near].sum()]),
                    np.ones(1))


def kin_graph(ctx: Context, rows: np.ndarray) -> nx.Graph:
    """The households ``rows`` and their kin as a graph (for analysis at small scale and for tests).

    Nodes ``("p", pid)`` are the households' adults (attributes ``age_years``, ``sex``, ``care``,
    ``region``, ``household``, ``lonely`` and ``carer``: the kind of their main informal carer,
    :data:`agents.informal.CARER_KINDS`) and ``("c", id)`` their children in the network (``birth_year``,
    ``sex``, ``region``, ``near``); edges join partners (``kind="partner"``) and parents to their
    children (``kind="child"``, with ``near``).
    """
    hh = ctx.households
    kin_table: Kin = ctx.memory["kin"]
    g = nx.Graph()
    rows = np.asarray(rows)
    for row in rows:
        slots = [s for s in (0, 1) if hh.present[row, s]]
        for s in slots:
            g.add_node(("p", int(hh.pid[row, s])), age_years=int(hh.age_months[row, s]) // 12,
                       sex=int(hh.sex[row, s]), care=int(hh.care[row, s]), region=int(hh.region[row]),
                       household=int(row), lonely=bool(hh.lonely[row, s]),
                       carer=informal.CARER_KINDS[int(informal.carer_kind(hh.carer[row, s]))])
        if len(slots) == 2:
            g.add_edge(("p", int(hh.pid[row, 0])), ("p", int(hh.pid[row, 1])), kind="partner")
    members = {n[1] for n in g.nodes}
    k = np.flatnonzero(kin_table.active & (np.isin(kin_table.parent, list(members))
                                           | np.isin(kin_table.coparent, list(members))))
    for r in k:
        child = ("c", int(child_id(kin_table, np.array([r]))[0]))
        g.add_node(child, birth_year=2025 + int(kin_table.birth_month[r]) // 12, sex=int(kin_table.sex[r]),
                   region=int(kin_table.region[r]), near=bool(kin_table.near[r]))
        for parent in (int(kin_table.parent[r]), int(kin_table.coparent[r])):
            if parent in members:
                g.add_edge(("p", parent), child, kind="child", near=bool(kin_table.near[r]))
    return g


PROCESS = Process(
    "kin", kin, reads=("network", "demography"), streams=("kin",), setup=setup,
    records=declare(
        ("share_60_69_child_within_reach", "share of persons",
         f"Persons 60-69 with a child within reach ({NEAR_KM} km)", "mean"),
        ("share_65plus_child_within_reach", "share of persons",
         f"Persons 65+ with a child within reach ({NEAR_KM} km)", "mean"),
        ("share_75plus_child_within_reach", "share of persons",
         f"Persons 75+ with a child within reach ({NEAR_KM} km)", "mean"),
        ("share_70plus_without_children", "share of persons",
         "Persons 70+ without a living child in the country", "mean"),
        ("persons_in_need_without_network", "persons",
         "Persons at home with a care need (limitation or more), no partner and no child within reach "
         "(31 December)", "mean"),
        ("moves_nearer_children", "households per year",
         "Older parents whose move brought them within reach of a child (none within reach before)", "flow"),
    ),
)
