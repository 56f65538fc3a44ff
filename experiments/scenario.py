"""Scenario files (TOML): a named, validated difference from the baseline, plus optional run settings.

Layout::

    [scenario]
    name = "baseline"
    description = "..."
    description_nl = "..."   # optional: the description in Dutch (for the Dutch report)

    [run]            # optional; command-line options override it
    scale = 0.01
    seed = 1
    start_year = 2025
    end_year = 2050
    steps_per_year = 12

    [demography]     # any parameter group of sim.params, with any of its names
    mortality_improvement_scale = 0.8

    [[change]]       # optional dated changes, applied on 1 January of `year` (a Mesa event)
    year = 2027
    [change.policy]
    keep_rent = true

Everything is checked before any work starts: unknown tables or keys are rejected with the valid list,
impossible values with the bound they break.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sim.params import GROUPS, ParameterError, Parameters, RunSettings, check_changeable

RUN_KEYS = tuple(f.name for f in fields(RunSettings))
SHIPPED = Path(__file__).resolve().parent / "scenarios"
"""The folder of the scenarios shipped with the model (found by their file's stem, ``"doorstroom"``)."""
SCENARIO_KEYS = ("name", "description", "description_nl")


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its name, parameter changes and run settings from the file."""

    name: str
    description: str
    changes: dict[str, dict[str, Any]]
    run: dict[str, Any]
    path: str | None = None
    dated: tuple[tuple[int, dict[str, dict[str, Any]]], ...] = ()
    description_nl: str = ""

    def parameters(self) -> Parameters:
        """The full parameter set: defaults with this scenario's changes."""
        return Parameters.from_dict(self.changes)

    def fixed_parameters(self) -> set[str]:
        """``group.name`` of every parameter the scenario sets, from the start or in a dated change."""
        fixed = {f"{g}.{n}" for g, values in self.changes.items() for n in values}
        return fixed | {f"{g}.{n}" for _year, ch in self.dated for g, values in ch.items() for n in values}


def find_scenario(entry: str | Path, folder: str | Path | None = None) -> Scenario:
    """Loads a scenario named by a file or by the stem of a shipped one (:data:`SHIPPED`).

    Args:
        entry: A scenario file (relative to ``folder`` when given), or a shipped scenario's stem.
        folder: The folder a relative file name is relative to (default: the working folder).

    Raises:
        ParameterError: For a name that is neither a file nor a shipped scenario (listing those), or
            a bad file.
    """
    if not isinstance(entry, str | Path) or not str(entry):
        raise ParameterError(f"scenario {entry!r}: expected a scenario file or the name of a shipped "
                             "scenario")
    path = Path(entry)
    if folder is not None and not path.is_absolute():
        path = Path(folder) / path
    text = str(entry)
    if not path.exists() and "/" not in text and not text.endswith(".toml"):
        path = SHIPPED / f"{text}.toml"
        if not path.exists():
            shipped = sorted(p.stem for p in SHIPPED.glob("*.toml"))
            raise ParameterError(f"scenario {text!r} is neither a file nor a shipped scenario "
                                 f"({', '.join(shipped)})")
    return load_scenario(path)


def load_scenario(path: str | Path | None) -> Scenario:
    """Reads and validates a scenario file; ``None`` gives the baseline.

    Raises:
        ParameterError: On a missing or unreadable file, bad TOML, unknown table or key, or an
            impossible value; the message names the file and the value.
    """
    if path is None:
        return Scenario("baseline", "Defaults of all parameters", {}, {})
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"scenario file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"scenario file {str(path)!r} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"scenario file {str(path)!r} is not valid TOML: {exc}") from None
    return scenario_from_dict(data, source=str(path))


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validates a parsed scenario (see the module docstring for the layout)."""
    groups = [g.group_name() for g in GROUPS]
    valid_tables = ["scenario", "run", "change", *groups]
    unknown = sorted(set(data) - set(valid_tables))
    if unknown:
        raise ParameterError(
            f"{source}: unknown table(s) or key(s) {unknown}; valid tables: {valid_tables}"
        )
    for table in data:
        if table == "change":
            continue
        if not isinstance(data[table], dict):
            raise ParameterError(f"{source}: [{table}] must be a table, got {data[table]!r}")
    meta = data.get("scenario", {})
    bad = sorted(set(meta) - set(SCENARIO_KEYS))
    if bad:
        raise ParameterError(f"{source}: unknown key(s) {bad} in [scenario]; valid: {SCENARIO_KEYS}")
    run = dict(data.get("run", {}))
    bad = sorted(set(run) - set(RUN_KEYS))
    if bad:
        raise ParameterError(f"{source}: unknown key(s) {bad} in [run]; valid: {list(RUN_KEYS)}")
    changes = {g: data[g] for g in groups if g in data}
    dated = _dated_changes(data.get("change", []), changes, groups, source)
    try:
        Parameters.from_dict(changes)
        RunSettings(**run)
    except ParameterError as exc:
        raise ParameterError(f"{source}: {exc}") from None
    except TypeError as exc:
        raise ParameterError(f"{source}: bad [run] table: {exc}") from None
    name = meta.get("name", Path(source).stem)
    return Scenario(str(name), str(meta.get("description", "")), changes, run, source, dated,
                    str(meta.get("description_nl", "")))


def _dated_changes(entries, changes, groups, source):
    """Validates ``[[change]]`` entries.

    Each needs a year after 2025 and parameter tables that are valid merged, in order of year, with
    the scenario's own changes.
    """
    if not isinstance(entries, list):
        raise ParameterError(f"{source}: [[change]] must be an array of tables, got {entries!r}")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ParameterError(f"{source}: change {i + 1} must be a table, got {entry!r}")
        year = entry.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2025 < year <= 2100:
            raise ParameterError(f"{source}: change {i + 1}: year = {year!r}: expected an integer "
                                 "year from 2026 to 2100")
        for key, value in entry.items():
            if key not in ("year", *groups):
                raise ParameterError(f"{source}: unknown table {key!r} in the change of {year}; "
                                     f"valid: {groups}")
            if key != "year" and not isinstance(value, dict):
                raise ParameterError(f"{source}: change of {year}: [change.{key}] must be a table "
                                     f"of parameters (name = value), got {value!r}")
    merged = {g: dict(v) for g, v in changes.items()}
    out = []
    for entry in sorted(entries, key=lambda e: e["year"]):
        year = entry["year"]
        tables = {k: v for k, v in entry.items() if k != "year"}
        for group, values in tables.items():
            merged.setdefault(group, {}).update(values)
        try:
            Parameters.from_dict(merged)
            check_changeable(tables)
        except ParameterError as exc:
            raise ParameterError(f"{source}: change of {year}: {exc}") from None
        out.append((year, tables))
    return tuple(out)
