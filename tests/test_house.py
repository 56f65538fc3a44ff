"""The house: processes declare what they touch, policies live in one module each, layers stay apart."""

import ast
from dataclasses import fields
from pathlib import Path

import golden
import numpy as np
import pytest

from agents.model import DoorstroomModel
from agents.policies.catalogue import LEVERS
from agents.schedule import REGISTRY, SCHEDULE
from sim.engine import check_schedule
from sim.outputs import declare
from sim.params import PolicyParams, RunSettings
from sim.process import Process, UndeclaredError
from sim.streams import StreamReuseError

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sim", "agents", "experiments", "calibration")
SETTINGS = RunSettings(scale=0.002, seed=5, end_year=2026)


# --- a toy process: the whole of what adding a process takes ------------------------------------
def toy(ctx):
    """Households of 80+ living alone are visited, at random, by a toy volunteer."""
    hh = ctx.households
    rows = np.flatnonzero(hh.active & ~hh.present[:, 1] & (hh.age_months[:, 0] >= 80 * 12))
    u = ctx.streams.for_ids("toy_visit", rows)
    visited = rows[u < ctx.params.moving.accept_probability / 100]
    ctx.record.flow("toy_visits", hh.weight[visited].sum())


TOY = Process("toy", toy, reads=("moving",), streams=("toy_visit",),
              records=declare(("toy_visits", "households per year", "Toy volunteer visits", "flow")))


def test_adding_a_process_is_one_module_and_one_line():
    with_toy = DoorstroomModel(settings=SETTINGS, processes=(*SCHEDULE, TOY))  # the one line
    with_toy.run()
    plain = DoorstroomModel(settings=SETTINGS)
    plain.run()
    toy_values = [v for _, n, v in with_toy.records if n == "toy_visits"]
    assert len(toy_values) == 2 and min(toy_values) > 0, f"the toy records every year: {toy_values}"
    others = [r for r in with_toy.records if r[1] != "toy_visits"]
    assert same_records(others, plain.records), "a process with its own stream changes no other result"


def same_records(a, b) -> bool:
    """Records equal, a mean with no observations (NaN) equal to NaN."""
    if len(a) != len(b):
        return False
    return all(x[:2] == y[:2] and (x[2] == y[2] or (np.isnan(x[2]) and np.isnan(y[2])))
               for x, y in zip(a, b, strict=True))


def test_undeclared_stream_indicator_or_group_is_refused():
    def greedy_stream(ctx):
        ctx.streams.generator("mortality")

    def greedy_record(ctx):
        ctx.record.flow("deaths", 1.0)

    def greedy_params(ctx):
        return ctx.params.care

    for run, what in ((greedy_stream, "stream 'mortality'"), (greedy_record, "records 'deaths'"),
                      (greedy_params, "parameter group 'care'")):
        model = DoorstroomModel(settings=SETTINGS, processes=(*SCHEDULE, Process("greedy", run)))
        with pytest.raises(UndeclaredError, match=what):
            model.step()


def test_schedule_is_checked():
    with pytest.raises(ValueError, match="used twice"):
        check_schedule((*SCHEDULE, SCHEDULE[0]))
    with pytest.raises(ValueError, match="unknown parameter group"):
        check_schedule((Process("x", toy, reads=("moving", "mooving")),))
    twice = Process("twice", toy, records=declare(("deaths", "persons", "Deaths again", "flow")))
    with pytest.raises(ValueError, match="declared twice"):
        DoorstroomModel(settings=SETTINGS, processes=(*SCHEDULE, twice))


def test_every_indicator_is_declared_once_with_unit_and_label():
    assert len(REGISTRY) >= 80, f"{len(REGISTRY)} indicators"
    for ind in REGISTRY.values():
        assert ind.unit and ind.label, f"{ind.name}: unit and label required"


# --- the policy catalogue -----------------------------------------------------------------------
def _sources(*folders: str):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, path.read_text(encoding="utf-8")


def test_catalogue_lists_every_lever_once_with_a_real_module_and_process():
    names = [lev.name for lev in LEVERS]
    assert sorted(names) == sorted(f.name for f in fields(PolicyParams)), (
        f"catalogue and PolicyParams differ: {set(names) ^ {f.name for f in fields(PolicyParams)}}")
    assert len(names) == len(set(names)), "a lever is listed twice"
    processes = {p.name: p for p in SCHEDULE}
    for lev in LEVERS:
        assert (ROOT / "agents" / "policies" / f"{lev.module}.py").exists(), f"{lev.name}: {lev.module}"
        for name in lev.processes:
            assert name in processes, f"{lev.name}: unknown process {name!r}"
            assert "policy" in processes[name].reads, f"process {name!r} must declare reads 'policy'"


def _attributes(text: str) -> set[str]:
    """Names read as attributes (``x.name``) in a source file."""
    return {node.attr for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Attribute)}


def test_each_lever_is_read_in_its_policy_module_only():
    schema = ROOT / "sim" / "params.py"  # declares and validates the levers
    read = {path.relative_to(ROOT).as_posix(): _attributes(text)
            for path, text in _sources("sim", "agents") if path != schema}
    for lev in LEVERS:
        readers = {rel for rel, attrs in read.items() if lev.name in attrs}
        assert readers == {f"agents/policies/{lev.module}.py"}, f"{lev.name} is read in {sorted(readers)}"


# --- layers -------------------------------------------------------------------------------------
def _imports(text: str):
    """(module imported, inside a function or class?) for every import of a source file."""
    tree = ast.parse(text)
    nested = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            nested |= {id(n) for n in ast.walk(node) if n is not node}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((a.name, id(node) in nested) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, id(node) in nested


def test_no_function_level_imports():
    hidden = [f"{path.relative_to(ROOT)}: {mod}" for path, text in _sources(*PACKAGES)
              for mod, inside in _imports(text) if inside]
    assert not hidden, f"imports inside functions: {hidden}"


def test_layers_import_downwards_only():
    for path, text in _sources(*PACKAGES):
        rel = path.relative_to(ROOT).as_posix()
        mods = {mod for mod, _ in _imports(text)}
        if rel.startswith("sim/"):
            bad = {m for m in mods if m.split(".")[0] in ("agents", "experiments", "matplotlib")}
            assert not bad, f"{rel}: the ground floor imports {bad}"
        if rel.startswith("agents/") and rel != "agents/model.py":
            assert "agents.model" not in mods, f"{rel} imports the model class"
            bad = {m for m in mods if m.split(".")[0] in ("experiments", "matplotlib")}
            assert not bad, f"{rel} imports {bad}"


def _written_columns(text: str) -> set[str]:
    """Attributes written by subscript assignment (``x.name[...] = ...`` or ``+=``) in a source file."""
    out = set()
    for node in ast.walk(ast.parse(text)):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AugAssign) else [])
        for t in targets:
            if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute):
                out.add(t.value.attr)
    return out


def test_only_the_occupancy_writes_who_lives_where():
    links = {"occupant", "dwelling_id", "chain", "vacant_since", "lodger_pid"}
    chain_calls = ("chains.start(", "chains.link(", "chains.end(")
    for path, text in _sources("sim", "agents"):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "sim/occupancy.py":
            continue
        written = _written_columns(text) & links
        if rel == "sim/dwellings.py":  # builds the 2025 state: every household's first dwelling
            written -= {"dwelling_id"}
        assert not written, f"{rel} writes {sorted(written)}; only sim/occupancy.py may"
        assert not any(c in text for c in chain_calls), f"{rel} books vacancy chains"


# --- random streams: no two decisions share draws ---------------------------------------------------
def _twice(ctx):
    """Reads its stream twice in one step: the two decisions would get the same draws."""
    ctx.streams.generator("toy_visit").random(3)
    ctx.streams.generator("toy_visit").random(3)


def _care_again(ctx):
    """Reads the care process's stream in the same step."""
    ctx.streams.for_few("care", np.arange(5))


def test_every_decision_draws_from_its_own_stream_in_a_debug_run():
    scenario = golden.scenario_from_dict(golden.ALL_POLICIES)
    model = DoorstroomModel(scenario.parameters(), RunSettings(scale=0.002, seed=2, end_year=2027),
                            debug=True)  # the read log refuses a second read of a stream in a step
    for year, changes in scenario.dated:
        model.schedule_parameter_change(year, changes)
    model.run()


@pytest.mark.parametrize("run, streams", [(_twice, ("toy_visit",)), (_care_again, ("care",))])
def test_a_reused_draw_is_caught(run, streams):
    greedy = Process("greedy", run, streams=streams)
    model = DoorstroomModel(settings=SETTINGS, processes=(*SCHEDULE, greedy), debug=True)
    with pytest.raises(StreamReuseError, match="read twice"):
        model.step()
    DoorstroomModel(settings=SETTINGS, processes=(*SCHEDULE, greedy)).step()  # not logged without debug
