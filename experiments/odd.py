"""The generated tables of the ODD document: state, codes, parameters, processes and indicators.

``docs/ODD.md`` describes the model by the ODD protocol (Grimm et al. 2006, 2010, 2020). Its prose is
written by hand; its tables are generated from the registries the model runs on, so that they cannot
drift from the code:

* the state variables: every column of the households, dwellings, applicants and the kin network's
  children (``COLUMNS`` of ``sim/households.py``, ``sim/dwellings.py``, ``sim/applicants.py``,
  ``agents/kin.py``: type, shape, value of an unused row, and a meaning kept here in
  :data:`COLUMN_NOTES`, so that a new column without one stops the rendering) in the block
  ``state-variables``, and the integer codes of ``sim/codes.py``, ``sim/chains.py`` and
  ``sim/applicants.py`` in the block ``codes``;
* the parameter groups (``sim.params.GROUPS`` and :func:`sim.params.parameter_table`, with the
  processes that read each group) between ``<!-- generated: parameter-groups -->`` and
  ``<!-- end generated -->``, and every parameter with its default, unit, kind and source in
  ``docs/parameters.md`` (a wholly generated file);
* the schedule (``agents.schedule.SCHEDULE``: order, process, module, parameter groups, streams,
  indicators) in the block ``schedule``;
* the indicators (``agents.schedule.REGISTRY``: name, unit, kind and how it is aggregated over a
  year, who records it, label) in the block ``indicators``.

``doorstroom odd`` rewrites the generated parts in place (atomically, file by file);
``doorstroom odd --check`` writes nothing and exits 1 naming the tables that are stale
(``tests/test_odd.py`` fails the same way).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

from agents.informal import CARER_KINDS, OVERBURDENED, RESPITE
from agents.kin import Kin
from agents.schedule import REGISTRY, SCHEDULE
from experiments.writers import atomic_write_bytes
from sim import applicants, chains, codes, outputs
from sim.applicants import Applicants
from sim.dwellings import Dwellings
from sim.households import CORESIDENT_SLOTS, Households
from sim.occupancy import INDICATORS as OCCUPANCY_INDICATORS
from sim.params import GROUPS, KINDS, parameter_table

DOCS = Path(__file__).resolve().parent.parent / "docs"
"""The documentation folder of the repository."""
ODD_FILE = "ODD.md"
"""The ODD document (hand-written prose with generated blocks), in the documentation folder."""
PARAMETERS_FILE = "parameters.md"
"""The full parameter table (a wholly generated file), in the documentation folder."""

BLOCK = re.compile(r"(<!-- generated: (?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)(<!-- end generated -->)",
                   re.DOTALL)
"""A generated block of ``ODD.md``: its opening marker, its body and its closing marker."""

PARAMETER_KINDS = {
    "policy": "a policy lever; its default is the baseline (current policy)",
    "input": "input-calibrated: taken or derived from the source named",
    "output": "output-calibrated: set so that model outputs meet published figures (by hand with "
              "`doorstroom validate`, or fitted by `doorstroom calibrate`: marked *calibrated*)",
    "assumption": "an assumption of the project; the source gives the reasoning",
}
"""What each parameter kind (``sim.params.KINDS``) means, for the tables' legends."""

INDICATOR_KINDS = {
    "stock": "measured on 1 January of the year by the census, before the year's first step",
    "flow": "summed over the year's steps",
    "mean": "weighted mean of the observations recorded in the year (a process that records once, "
            "in December, records a snapshot: one observation)",
    "rate": "a flow of the year divided by a stock of 1 January of the same year",
    "chain": "from the chain book at the year's end (the chains ended in the year)",
}
"""How each indicator kind (``sim.outputs.KINDS``) is aggregated over a year."""

STATE_TABLES = {
    "households": (Households, "sim/households.py"),
    "dwellings": (Dwellings, "sim/dwellings.py"),
    "applicants": (Applicants, "sim/applicants.py"),
    "kin": (Kin, "agents/kin.py"),
}
"""The column tables of the state, by the name :data:`COLUMN_NOTES` uses, with their modules."""

_CODE = "code of `sim.codes.{}`"
_STEP = "step index (0 = January 2025)"

COLUMN_NOTES = {
    "households": {
        "active": "row in use: the household exists",
        "hid": "number of the household in order of creation",
        "weight": "households of the population the row stands for (1 / scale)",
        "present": "the adult slot holds a person (slot 0 always does in an active row)",
        "pid": "person id; follows the person to another row; random draws are indexed by it",
        "age_months": "age in months",
        "sex": _CODE.format("SEXES"),
        "care": _CODE.format("CARE_STATES"),
        "dementia": "dementia diagnosed",
        "wlz_step": f"{_STEP} of the Wlz indication, or of the end of the informal care of a person "
                    "with one (from then the person weighs registering anew); -1: none, or from before 2025",
        "carer": f"main informal carer: kind in the low bits ({', '.join(CARER_KINDS)}), flags "
                 f"{OVERBURDENED} overburdened and {RESPITE} uses logeerzorg (`agents/informal.py`)",
        "lonely": "severely lonely (persons followed from `loneliness.age_band_starts_years[0]`)",
        "tenure": _CODE.format("TENURES"),
        "dwelling": _CODE.format("DWELLING_TYPES") + " of the household's dwelling",
        "region": "province (row of `sim/data/regions.csv`)",
        "benefit": _CODE.format("BENEFITS"),
        "income_eur_year": "own gross income besides benefits (earnings or pension), EUR of 2025 per year "
                           "(grown with `money.income_growth_per_year` where used)",
        "savings_eur": "wealth besides the own home, EUR of 2025",
        "children_nearby": "an adult has a child within reach (10 km; from the kin network)",
        "n_children": "children 0-17 living in the household (counted, not followed)",
        "n_coresidents": "adult co-residents (mostly adult children at home; counted)",
        "coresident_birth_month": f"birth month (months since January 2025) of up to {CORESIDENT_SLOTS} "
                                  "co-residents; a fixed marker in an unused slot",
        "months_in_dwelling": "months in the current dwelling",
        "dwelling_id": "row of the dwelling (-1: none)",
        "wlz_wait_since": f"{_STEP} of registration on the verpleeghuis waiting list (a minimum "
                          "integer: not waiting)",
        "widowed_step": f"{_STEP} of the last widowhood (a minimum integer: never)",
        "arrived_step": f"{_STEP} the first adult arrived from abroad (a minimum integer: not a recent "
                        "immigrant)",
        "intention": _CODE.format("INTENTIONS") + " (move intention)",
        "search_since": f"{_STEP} the search started (a minimum integer: not searching)",
        "search_type": _CODE.format("DWELLING_TYPES") + " sought (-1: none)",
        "search_tenure": _CODE.format("TENURES") + " sought (-1: none)",
        "shared_pid": "person id of a housemate in slot 1 (house sharing; not a partner)",
        "sharing_ready": "a single ready to share a dwelling, waiting for a housemate",
        "lodger_pid": "person id of a lodger (hospitaverhuur; -1: none)",
        "lodger_age_months": "the lodger's age in months",
        "lodger_sex": "the lodger's sex (" + _CODE.format("SEXES") + ")",
        "lodger_until": f"{_STEP} at which the lodging contract ends",
    },
    "dwellings": {
        "active": "row in use: the dwelling or institution place exists",
        "weight": "dwellings the row stands for (1 / scale)",
        "type": _CODE.format("DWELLING_TYPES"),
        "family": "a family home: a regular dwelling with at least `housing.family_home_min_rooms` rooms",
        "tenure": _CODE.format("TENURES"),
        "rooms": "number of rooms",
        "step_free": "step-free: every type but regular, and regular homes adapted (Wmo)",
        "region": "province (row of `sim/data/regions.csv`)",
        "occupant": "household row of the occupant (-1: vacant)",
        "vacant_since": f"{_STEP} since which it is vacant, read only while vacant (set to -1 when "
                        "occupied; 0 or below for the vacancies of 1 January 2025)",
        "chain": "id of the vacancy chain it carries (-1: none)",
        "rent_eur_month": "rent of a rented dwelling, EUR per month of the current year",
        "market_rent_eur_month": "rent a new tenant pays (social rent: the corporation's target rent), EUR "
                                 "per month",
        "value_eur": "WOZ value of an owner-occupied dwelling, EUR of the current year",
        "priced_for": "household row the price was last set for (-1: vacant then; -2: not priced yet)",
    },
    "applicants": {
        "active": "row in use: still searching (not housed, not lodging, not gone)",
        "weight": "households to be that the row stands for (1 / scale)",
        "kind": "1 starter, 2 immigrant household, 3 partner who moved out at a separation",
        "pid": "person id",
        "age_months": "age in months",
        "sex": _CODE.format("SEXES"),
        "region": "province searched in",
        "since": f"{_STEP} the search started",
        "search_type": _CODE.format("DWELLING_TYPES") + " sought",
        "search_tenure": _CODE.format("TENURES") + " sought",
        "care": _CODE.format("CARE_STATES"),
        "dementia": "dementia diagnosed",
        "benefit": _CODE.format("BENEFITS"),
        "children_nearby": "a child within reach",
        "from_type": _CODE.format("DWELLING_TYPES") + " left (a separated partner; -1 otherwise)",
        "partner_pid": "person id of an immigrant couple's second adult (-1: none)",
        "partner_age_months": "the partner's age in months",
        "partner_sex": "the partner's sex",
        "n_children": "minors arriving with an immigrant household",
        "income_eur_year": "own yearly income taken along, EUR of 2025 (-1: not set)",
    },
    "kin": {
        "active": "row in use: the child is in the network",
        "drawer": "person id of the parent who drew the child (with `nth`, the key of the child's draws)",
        "nth": "rank of the child among the drawer's children",
        "parent": "person id of a parent (-1: none)",
        "coparent": "person id of the other parent (-1: none)",
        "birth_month": "birth month, months since January 2025 (negative before)",
        "sex": _CODE.format("SEXES"),
        "region": "province the child lives in",
        "parent_region": "province of the parents at the last yearly update",
        "near": "lives within reach (10 km) of the parents",
    },
}
"""The meaning and unit of every state column; a column without a note stops :func:`state_block`."""

CODE_TABLES = (
    ("sexes", "`sim/codes.py` `SEXES`", codes.SEXES),
    ("tenures", "`sim/codes.py` `TENURES`", codes.TENURES),
    ("dwelling types", "`sim/codes.py` `DWELLING_TYPES`", codes.DWELLING_TYPES),
    ("care states", "`sim/codes.py` `CARE_STATES`", codes.CARE_STATES),
    ("benefits", "`sim/codes.py` `BENEFITS`", codes.BENEFITS),
    ("move intentions", "`sim/codes.py` `INTENTIONS`", codes.INTENTIONS),
    ("household types (chain links)", "`sim/codes.py` `HOUSEHOLD_TYPES`", codes.HOUSEHOLD_TYPES),
    ("informal carer kinds", "`agents/informal.py` `CARER_KINDS`", CARER_KINDS),
    ("chain start causes", "`sim/chains.py` `START_CAUSES`", chains.START_CAUSES),
    ("chain end causes", "`sim/chains.py` `END_CAUSES`", chains.END_CAUSES),
    ("mover kinds (chain links)", "`sim/chains.py` `MOVER_KINDS`", chains.MOVER_KINDS),
)
"""The integer codes of the state and of the chain tables: the index of a name is its code."""



class OddError(ValueError):
    """The generated parts cannot be made.

    A block of ``ODD.md`` is missing, repeated or unknown, or a registry has something the generator
    does not describe (a state column without a note, a kind without a legend).
    """


GENERATED_NOTE = ("*Generated by `doorstroom odd` from {what}; do not edit by hand "
                  "(`doorstroom odd --check` tells whether it is current).*")


def _cell(text: object) -> str:
    """Text fit for one Markdown table cell: no pipes, no line breaks, no HTML tags."""
    out = " ".join(str(text).split()).replace("|", "\\|")
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", out)


def _code_list(names) -> str:
    """Names in backticks, comma-separated (an en dash for none)."""
    return ", ".join(f"`{n}`" for n in names) if names else "–"


def _table(header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    """A Markdown table as lines."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _legend(kinds: dict[str, str], known: tuple[str, ...], what: str) -> list[str]:
    """A bullet list explaining every kind, refusing a kind the legend does not know."""
    missing = sorted(set(known) - set(kinds))
    if missing:
        raise OddError(f"experiments/odd.py: no legend for the {what} kind(s) {missing}; add them")
    return [f"- **{k}**: {kinds[k]}" for k in known]


def _readers() -> dict[str, list[str]]:
    """Parameter group -> the processes of the schedule that read it, in schedule order."""
    out: dict[str, list[str]] = {g.group_name(): [] for g in GROUPS}
    for p in SCHEDULE:
        for group in p.reads:
            out[group].append(p.name)
    return out


def _module_path(process) -> str:
    """Source file of a process's function, relative to the repository."""
    return process.run.__module__.replace(".", "/") + ".py"


# --- the generated parts ----------------------------------------------------------------------------
def _dtype(dtype) -> str:
    """Short name of a column's numpy type."""
    return np.dtype(dtype).name


def _shape(width) -> str:
    """Shape of a column per row: one value, one per adult slot, or ``k`` slots."""
    if width is True:
        return "per adult (2)"
    if width is False:
        return "1"
    return str(width)


def state_block() -> str:
    """Every column of the state tables: type, shape per row, value of an unused row, meaning.

    Raises:
        OddError: For a column without a note in :data:`COLUMN_NOTES` (or a note for none).
    """
    lines = [GENERATED_NOTE.format(what="the `COLUMNS` of " + ", ".join(
        f"`{mod}`" for _, mod in STATE_TABLES.values()) + " with the notes of `experiments/odd.py`"), ""]
    for name, (table, module) in STATE_TABLES.items():
        notes = COLUMN_NOTES[name]
        missing = [c for c in table.COLUMNS if c not in notes]
        extra = [c for c in notes if c not in table.COLUMNS]
        if missing or extra:
            raise OddError(f"experiments/odd.py COLUMN_NOTES[{name!r}]: no note for the column(s) "
                             f"{missing} of {module}, or a note for none: {extra}")
        rows = [(f"`{col}`", _dtype(dtype), _shape(width), repr(fill), notes[col])
                for col, (dtype, width, fill) in table.COLUMNS.items()]
        lines += [f"**{name}** (`{module}`, `{table.__name__}`)", ""]
        lines += _table(("column", "type", "per row", "unused", "meaning (unit)"), rows)
        lines.append("")
    return "\n".join(lines[:-1]) + "\n"


def codes_block() -> str:
    """The integer codes of the state and the chain tables (code = index of the name)."""
    lines = [GENERATED_NOTE.format(what="`sim/codes.py`, `sim/chains.py`, `sim/applicants.py` and "
                                   "`agents/informal.py`"), ""]
    rows = [(what, where, ", ".join(f"{i} `{n}`" for i, n in enumerate(names)))
            for what, where, names in CODE_TABLES]
    kinds = {applicants.STARTER: "starter", applicants.IMMIGRANT: "immigrant",
             applicants.SEPARATED: "separated"}
    rows.append(("applicant kinds", "`sim/applicants.py`",
                 ", ".join(f"{k} `{n}`" for k, n in sorted(kinds.items()))))
    lines += _table(("codes", "defined in", "code and name"), rows)
    return "\n".join(lines) + "\n"


def parameter_groups_block() -> str:
    """The parameter groups: what each holds, its parameters by kind, the processes that read it."""
    rows = parameter_table()
    readers = _readers()
    lines = [GENERATED_NOTE.format(what="`sim/params.py` and `agents/schedule.py`"), ""]
    table = []
    for g in GROUPS:
        name = g.group_name()
        mine = [r for r in rows if r["name"].startswith(f"{name}.")]
        counts = {k: sum(r["kind"] == k for r in mine) for k in KINDS}
        fitted = sum(bool(r["calibrated"]) for r in mine)
        output = f"{counts['output']} ({fitted} calibrated)" if fitted else str(counts["output"])
        doc = (g.__doc__ or "").strip().splitlines()[0] if g.__doc__ else ""
        table.append((f"`{name}`", doc, len(mine), counts["policy"], counts["input"], output,
                      counts["assumption"], _code_list(readers[name])))
    lines += _table(("group", "what it holds", "parameters", "policy", "input", "output", "assumption",
                     "read by processes"), table)
    lines += ["", f"{len(rows)} parameters in {len(GROUPS)} groups; every one with its default, unit, "
              f"kind and source in [parameters.md]({PARAMETERS_FILE}). Kinds:", ""]
    lines += _legend(PARAMETER_KINDS, KINDS, "parameter")
    return "\n".join(lines) + "\n"


def schedule_block() -> str:
    """The schedule: every process in order with its module, parameter groups, streams and indicators."""
    lines = [GENERATED_NOTE.format(what="`agents/schedule.py` (`SCHEDULE`)"), ""]
    rows = []
    for i, p in enumerate(SCHEDULE, 1):
        setup = "yes" if p.setup is not None else "–"
        if p.setup is not None and p.setup_after:
            setup = f"yes, after {_code_list(p.setup_after)}"
        rows.append((i, f"`{p.name}`", f"`{_module_path(p)}`", p.summary, _code_list(p.reads),
                     _code_list(p.streams), setup, _code_list([r.name for r in p.records])))
    lines += _table(("#", "process", "module", "what it does", "parameter groups", "random streams",
                     "set-up", "indicators recorded"), rows)
    return "\n".join(lines) + "\n"


def indicators_block() -> str:
    """Every indicator of the registry: name, unit, kind (how aggregated), who records it, label."""
    census = {i.name for i in outputs.CENSUS}
    occupancy = {i.name for i in OCCUPANCY_INDICATORS}
    by_process = {i.name: p.name for p in SCHEDULE for i in p.records}
    lines = [GENERATED_NOTE.format(what="`agents.schedule.REGISTRY` (`sim/outputs.py`, "
                                   "`sim/occupancy.py` and the processes' declarations)"), ""]
    lines += [f"{len(REGISTRY)} indicators, all at national scale (household weights applied). Kinds:", ""]
    lines += _legend(INDICATOR_KINDS, outputs.KINDS, "indicator")
    lines.append("")
    rows = []
    for name, ind in REGISTRY.items():
        kind = ind.kind
        if kind == "rate":
            flow, stock = outputs.RATES[name]
            kind = f"rate: `{flow}` / `{stock}`"
        if name in census:
            who = "census (`sim/outputs.py`)"
        elif name in occupancy:
            who = "occupancy (`sim/occupancy.py`)"
        else:
            who = f"`{by_process[name]}`"
        rows.append((f"`{name}`", ind.unit, kind, who, ind.label))
    lines += _table(("indicator", "unit", "kind", "recorded by", "label"), rows)
    return "\n".join(lines) + "\n"


BLOCKS = {
    "state-variables": state_block,
    "codes": codes_block,
    "parameter-groups": parameter_groups_block,
    "schedule": schedule_block,
    "indicators": indicators_block,
}
"""The generated blocks of ``ODD.md`` by marker name, and the functions that render them."""


def parameters_document() -> str:
    """The whole of ``docs/parameters.md``: every parameter by group, with default, unit, kind, source."""
    rows = parameter_table()
    lines = ["# Parameters of doorstroom", "",
             GENERATED_NOTE.format(what="`sim/params.py` (`sim.params.parameter_table`)"), "",
             "Every model parameter, by group, as a scenario file names it (`[group] name = value`) and "
             "`doorstroom params` lists it. *Dated change*: whether a `[[change]]` of a scenario may set it "
             "from a later year (*at start only*: read only when the model is built on 1 January 2025). "
             "The methods document is [ODD.md](ODD.md). Kinds:", ""]
    lines += _legend(PARAMETER_KINDS, KINDS, "parameter")
    for g in GROUPS:
        name = g.group_name()
        mine = [r for r in rows if r["name"].startswith(f"{name}.")]
        doc = (g.__doc__ or "").strip().splitlines()[0] if g.__doc__ else ""
        lines += ["", f"## `{name}`", "", doc, ""]
        table = []
        for r in mine:
            kind = f"{r['kind']}: calibrated" if r["calibrated"] else r["kind"]
            table.append((f"`{r['name']}`", r["default"], r["unit"], kind, r["changeable"]))
        lines += _table(("parameter", "default", "unit", "kind", "dated change"), table)
        lines += ["", "Sources:", ""]
        lines += [f"- `{r['name']}`: {_cell(r['source'])}" for r in mine]
    return "\n".join(lines) + "\n"


# --- checking and writing ---------------------------------------------------------------------------
def render_odd(text: str) -> str:
    """``ODD.md`` with every generated block replaced by its current content.

    Raises:
        OddError: For a missing, repeated or unknown block, naming it (or see :func:`state_block`).
    """
    found = [m.group("name") for m in BLOCK.finditer(text)]
    unknown = sorted(set(found) - set(BLOCKS))
    twice = sorted({n for n in found if found.count(n) > 1})
    missing = [n for n in BLOCKS if n not in found]
    if unknown or twice or missing:
        parts = [f"unknown block(s) {unknown}" if unknown else "",
                 f"block(s) {twice} more than once" if twice else "",
                 f"no block(s) {missing}" if missing else ""]
        raise OddError(f"{ODD_FILE}: " + "; ".join(p for p in parts if p) + "; a block is "
                       "'<!-- generated: NAME -->' ... '<!-- end generated -->' on lines of their own, "
                       f"NAME one of {list(BLOCKS)}")
    rendered = {name: render() for name, render in BLOCKS.items()}
    return BLOCK.sub(lambda m: m.group(1) + rendered[m.group("name")] + m.group(4), text)


def expected_files(docs: Path = DOCS) -> dict[Path, str]:
    """What the generated files should hold: ``ODD.md`` (its blocks regenerated) and ``parameters.md``.

    Raises:
        OddError: When ``ODD.md`` is missing, its blocks are wrong (see :func:`render_odd`) or a
            registry has something the generator does not describe.
    """
    odd = docs / ODD_FILE
    try:
        text = odd.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OddError(f"{odd} is missing: it is written by hand, with the generated blocks "
                       f"{list(BLOCKS)}") from None
    return {odd: render_odd(text), docs / PARAMETERS_FILE: parameters_document()}


def stale_tables(docs: Path = DOCS) -> list[str]:
    """Names of the generated tables that differ from what would be generated now (empty if current).

    A block of ``ODD.md`` is named by its marker (``schedule``), the parameter file by its file name; a
    document whose blocks cannot be found is reported with the reason.
    """
    odd = docs / ODD_FILE
    try:
        expected = expected_files(docs)
    except OddError as exc:
        return [f"{ODD_FILE} ({exc})"]
    stale = []
    current = {m.group("name"): m.group("body") for m in BLOCK.finditer(odd.read_text(encoding="utf-8"))}
    for m in BLOCK.finditer(expected[odd]):
        if current.get(m.group("name")) != m.group("body"):
            stale.append(f"{m.group('name')} ({ODD_FILE})")
    params = docs / PARAMETERS_FILE
    if not params.exists() or params.read_text(encoding="utf-8") != expected[params]:
        stale.append(PARAMETERS_FILE)
    return stale


def write_tables(docs: Path = DOCS) -> list[Path]:
    """Rewrites the generated parts in place, each file atomically; returns the files that changed.

    Raises:
        OddError: When ``ODD.md`` is missing or its blocks are wrong (nothing is written).
    """
    changed = []
    for path, text in expected_files(docs).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write_bytes(path, text.encode("utf-8"))
            changed.append(path)
    return changed


def cmd_odd(args) -> int:
    """``doorstroom odd``: regenerate the ODD document's tables, or with ``--check`` say which are stale."""
    if args.check:
        stale = stale_tables(DOCS)
        if stale:
            print("doorstroom odd: stale generated tables: " + "; ".join(stale)
                  + "; run doorstroom odd to regenerate them", file=sys.stderr)
            return 1
        print(f"doorstroom odd: the generated tables of {DOCS.name}/{ODD_FILE} and "
              f"{DOCS.name}/{PARAMETERS_FILE} are current")
        return 0
    try:
        changed = write_tables(DOCS)
    except OddError as exc:
        print(f"doorstroom odd: error: {exc}", file=sys.stderr)
        return 2
    names = ", ".join(f"{DOCS.name}/{p.name}" for p in changed)
    print(f"doorstroom odd: rewrote {names}" if changed else "doorstroom odd: the tables were current")
    return 0
