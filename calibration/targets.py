"""Calibration targets as data: a TOML file of moments, each with its value, error, source and statistic.

A target file is a list of ``[[target]]`` tables (``calibration/data/targets.toml`` is the default;
its header explains the keys). :func:`load_targets` checks every entry before any run: an unknown key
or statistic, a missing source, a non-positive standard error or a subpopulation on a column the
frame lacks is refused with the target's name and the key. :data:`STATISTICS` is the one registry of
how a target is computed from a run.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from calibration.frame import COLUMNS, LINK_COLUMNS, PERSON_COLUMNS
from calibration.moments import OUTCOMES, moment, subpopulation

DEFAULT_TARGETS = "targets.toml"
"""The default target file in ``calibration/data/``."""

REQUIRED = ("name", "group", "statistic", "year", "value", "se", "se_source", "population", "source",
            "status", "use")
OPTIONAL = ("outcome", "where", "indicator", "denominator", "horizon_years", "note")
STATUSES = ("verified", "secondary", "derived", "synthetic", "assumption")
USES = ("fit", "check")


class TargetError(ValueError):
    """A target file or one of its targets is not usable."""


@dataclass(frozen=True)
class Target:
    """One moment to fit or check (see the header of ``calibration/data/targets.toml``)."""

    name: str
    group: str
    statistic: str
    year: int
    value: float
    se: float
    se_source: str
    population: str
    source: str
    status: str
    use: str
    outcome: str | None = None
    where: dict = field(default_factory=dict)
    indicator: str | None = None
    denominator: str | None = None
    horizon_years: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class RunView:
    """What a statistic reads from one run: its indicators, survey frames and who moved.

    ``moved[(Y, h)]``: for the frame of year ``Y`` followed for ``h`` years, who has moved (see
    :func:`calibration.frame.moved_since`). ``links``: the run's moves
    (:func:`calibration.frame.link_frame`). ``persons``: person frames of 1 January by year
    (:func:`calibration.frame.person_frame`).
    """

    indicators: dict[tuple[int, str], float]
    frames: dict[int, dict]
    moved: dict[tuple[int, int], object] = field(default_factory=dict)
    links: dict | None = None
    persons: dict[int, dict] = field(default_factory=dict)


def _survey_share(run: RunView, t: Target) -> float:
    if t.year not in run.frames:
        raise TargetError(f"target {t.name!r}: the run has no survey frame of {t.year}")
    return moment(run.frames[t.year], t.outcome, t.where, expected=True).value


def _realisation(run: RunView, t: Target) -> float:
    key = (t.year, t.horizon_years)
    if t.year not in run.frames or key not in run.moved:
        raise TargetError(f"target {t.name!r}: the run has no frame of {t.year} followed for "
                          f"{t.horizon_years} years")
    frame = run.frames[t.year]
    moved = np.asarray(run.moved[key])
    col, values, _ = OUTCOMES[t.outcome]
    mask = subpopulation(frame, t.where) & np.isin(frame[col], values) & (moved >= 0)
    w = np.asarray(frame["weight"], float)[mask]
    if w.sum() <= 0:
        raise TargetError(f"target {t.name!r}: no household of the frame of {t.year} with {t.outcome} "
                          f"in {t.where} is left after {t.horizon_years} years")
    return float(np.sum(w * moved[mask]) / w.sum())


LINK_OUTCOMES: dict[str, dict] = {
    "new_build": {"new_build": [1]},
    "mover_65plus": {"age": {"from": 65}},
}
"""Outcomes of a ``link_share`` target: a selection of links (columns of ``LINK_COLUMNS``)."""


def _selection_share(frame: dict, t: Target, base: np.ndarray, outcome: dict, columns: dict,
                     what: str) -> float:
    """Weighted share of the rows of ``frame`` in ``base`` and in ``where`` that meet ``outcome``."""
    base = base & subpopulation(frame, t.where, columns)
    w = np.asarray(frame["weight"], float)
    if w[base].sum() <= 0:
        raise TargetError(f"target {t.name!r}: no {what} in {t.where} in {t.year}")
    hit = base & subpopulation(frame, outcome, columns)
    return float(w[hit].sum() / w[base].sum())


def _link_share(run: RunView, t: Target) -> float:
    if run.links is None:
        raise TargetError(f"target {t.name!r}: the run has no link frame")
    return _selection_share(run.links, t, run.links["year"] == t.year, LINK_OUTCOMES[t.outcome],
                            LINK_COLUMNS, "move")


PERSON_OUTCOMES: dict[str, dict] = {
    "dementia": {"dementia": [1]},
    "limitation": {"limitation": [1]},
}
"""Outcomes of a ``person_share`` target: a selection of persons (columns of ``PERSON_COLUMNS``)."""


def _person_share(run: RunView, t: Target) -> float:
    if t.year not in run.persons:
        raise TargetError(f"target {t.name!r}: the run has no person frame of {t.year}")
    pf = run.persons[t.year]
    return _selection_share(pf, t, np.ones(len(pf["weight"]), bool), PERSON_OUTCOMES[t.outcome],
                            PERSON_COLUMNS, "person")


def _read_indicator(run: RunView, t: Target, name: str) -> float:
    key = (t.year, name)
    if key not in run.indicators:
        raise TargetError(f"target {t.name!r}: the run has no indicator {name!r} in {t.year}")
    return float(run.indicators[key])


def _indicator(run: RunView, t: Target) -> float:
    return _read_indicator(run, t, t.indicator)


def _ratio(run: RunView, t: Target) -> float:
    den = _read_indicator(run, t, t.denominator)
    if den == 0:
        raise TargetError(f"target {t.name!r}: indicator {t.denominator!r} is 0 in {t.year}")
    return _read_indicator(run, t, t.indicator) / den


STATISTICS: dict[str, Callable[[RunView, Target], float]] = {
    "survey_share": _survey_share,
    "indicator": _indicator,
    "ratio": _ratio,
    "realisation": _realisation,
    "link_share": _link_share,
    "person_share": _person_share,
}
"""Statistic name -> function of a run and a target giving the model's value of the target."""


def model_value(run: RunView, target: Target) -> float:
    """The model's value of ``target`` in ``run``."""
    return STATISTICS[target.statistic](run, target)


def _check(entry: dict, where: str, indicators: set[str] | None) -> Target:
    name = entry.get("name", "?")
    label = f"{where}: target {name!r}"
    unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise TargetError(f"{label}: unknown keys {sorted(unknown)}; expected {list(REQUIRED + OPTIONAL)}")
    missing = [k for k in REQUIRED if k not in entry or entry[k] in ("", None)]
    if missing:
        raise TargetError(f"{label}: missing {missing} (every target needs a source, its status, a "
                          "standard error and where that comes from)")
    if entry["statistic"] not in STATISTICS:
        raise TargetError(f"{label}: statistic {entry['statistic']!r} is not one of {sorted(STATISTICS)}")
    if entry["status"] not in STATUSES:
        raise TargetError(f"{label}: status {entry['status']!r} is not one of {list(STATUSES)}")
    if entry["use"] not in USES:
        raise TargetError(f"{label}: use {entry['use']!r} is not one of {list(USES)}")
    for key in ("value", "se"):
        if isinstance(entry[key], bool) or not isinstance(entry[key], int | float):
            raise TargetError(f"{label}: {key} = {entry[key]!r}: expected a number")
    if not entry["se"] > 0:
        raise TargetError(f"{label}: se = {entry['se']!r}: expected a standard error above 0")
    if ("horizon_years" in entry) != (entry["statistic"] == "realisation"):
        raise TargetError(f"{label}: horizon_years is for statistic 'realisation', and it needs one")
    if entry["statistic"] == "realisation":
        h = entry["horizon_years"]
        if isinstance(h, bool) or not isinstance(h, int) or h < 1:
            raise TargetError(f"{label}: horizon_years = {h!r}: expected a whole number of years, 1 or more")
    if entry["statistic"] in ("link_share", "person_share"):
        outcomes, columns = ((LINK_OUTCOMES, LINK_COLUMNS) if entry["statistic"] == "link_share"
                             else (PERSON_OUTCOMES, PERSON_COLUMNS))
        if entry.get("outcome") not in outcomes:
            raise TargetError(f"{label}: outcome {entry.get('outcome')!r} is not one of "
                              f"{sorted(outcomes)}")
        for col in entry.get("where", {}):
            if col not in columns:
                raise TargetError(f"{label}: where names column {col!r}; expected one of "
                                  f"{sorted(columns)}")
    if entry["statistic"] in ("survey_share", "realisation"):
        if entry.get("outcome") not in OUTCOMES:
            raise TargetError(f"{label}: outcome {entry.get('outcome')!r} is not one of {sorted(OUTCOMES)}")
        for col in entry.get("where", {}):
            if col not in COLUMNS:
                raise TargetError(f"{label}: where names column {col!r}; expected one of {sorted(COLUMNS)}")
    if "denominator" in entry and entry["statistic"] != "ratio":
        raise TargetError(f"{label}: denominator is only for statistic 'ratio'")
    if entry["statistic"] in ("indicator", "ratio"):
        keys = ("indicator", "denominator") if entry["statistic"] == "ratio" else ("indicator",)
        for key in keys:
            ind = entry.get(key)
            if not ind or (indicators is not None and ind not in indicators):
                raise TargetError(f"{label}: {key} {ind!r} is not an indicator of the model")
    return Target(**{k: entry[k] for k in (*REQUIRED, *OPTIONAL) if k in entry})


def load_targets(path: str | Path | None = None, indicators: set[str] | None = None) -> list[Target]:
    """Reads and checks a target file (the default file if ``path`` is ``None``).

    Args:
        path: A TOML file of ``[[target]]`` tables.
        indicators: The model's indicator names, to check ``indicator`` targets against.

    Raises:
        TargetError: For a missing or unreadable file, or the first unusable target (named).
    """
    text, where = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{where}: not a TOML file: {exc}") from exc
    entries = data.get("target")
    if not isinstance(entries, list) or not entries:
        raise TargetError(f"{where}: no [[target]] tables")
    targets = [_check(e, where, indicators) for e in entries]
    names = [t.name for t in targets]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise TargetError(f"{where}: target names used twice: {dup}")
    return targets


def targets_hash(path: str | Path | None = None) -> str:
    """SHA-256 of a target file's bytes (the default file if ``path`` is ``None``)."""
    return hashlib.sha256(_read(path)[0].encode("utf-8")).hexdigest()


def _read(path) -> tuple[str, str]:
    if path is None:
        return (resources.files("calibration").joinpath("data", DEFAULT_TARGETS)
                .read_text(encoding="utf-8"), f"calibration/data/{DEFAULT_TARGETS}")
    p = Path(path)
    if not p.is_file():
        raise TargetError(f"target file {str(p)!r} does not exist")
    return p.read_text(encoding="utf-8"), str(p)
