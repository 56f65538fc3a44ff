"""``doorstroom network``: a sample of households and their kin as a graph file (GraphML).

For analysis of the care network outside the model (``networkx``, Gephi, igraph): the model runs
until 31 December of ``--year - 1`` (or is only built, for 2025), then ``--households`` households
drawn at random (``--sample-seed``) and their children in the kin network are written with
:func:`agents.kin.kin_graph`. Nodes are ``p<person id>`` (adults: ``age_years``, ``sex``, ``care``,
``region``, ``household``) and ``c<child id>`` (children: ``birth_year``, ``sex``, ``region``,
``near``); edges carry ``kind`` (``partner`` or ``child``) and, for children, ``near``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from agents import kin
from agents.model import DoorstroomModel
from experiments.folders import check_new_file, ensure_parent
from experiments.scenario import load_scenario
from sim.params import ParameterError, RunSettings


def cmd_network(args) -> int:
    """Runs ``doorstroom network``; returns the exit code."""
    out = check_new_file(args.out, ".graphml", args.households, 1)
    if args.year < 2025:
        raise ParameterError(f"--year {args.year}: expected 2025 or later (1 January of that year)")
    scenario = load_scenario(args.scenario)
    model = DoorstroomModel(scenario.parameters(),
                            RunSettings(scale=args.scale, seed=args.seed, end_year=max(args.year - 1, 2025)))
    if args.year > 2025:
        while model.running:
            model.step()
    rows = np.flatnonzero(model.households.active & model.households.present.any(axis=1))
    rng = np.random.default_rng(args.sample_seed)
    rows = np.sort(rng.choice(rows, size=min(args.households, len(rows)), replace=False))
    graph = nx.relabel_nodes(kin.kin_graph(model.contexts["kin"], rows),
                             lambda node: f"{node[0]}{node[1]}")
    graph.graph.update(scenario=scenario.name, scale=args.scale, seed=args.seed, year=args.year,
                       sample_seed=args.sample_seed)
    ensure_parent(out)
    tmp = out.with_name(out.name + ".tmp")
    nx.write_graphml(graph, tmp)
    tmp.replace(out)
    adults = sum(1 for n in graph if n.startswith("p"))
    children = graph.number_of_nodes() - adults
    near = sum(1 for _, d in graph.nodes(data=True) if d.get("near"))
    print(f"{out}: {len(rows)} households, {adults} adults, {children} children ({near} within reach), "
          f"{graph.number_of_edges()} edges, {nx.number_connected_components(graph)} components; "
          f"1 January {args.year}, scenario {scenario.name}, scale {args.scale:g}, seed {args.seed}")
    return 0
