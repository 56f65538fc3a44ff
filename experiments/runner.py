"""One run: build the model, step it to the end, write its tables and ``manifest.json``.

Tables: ``indicators.parquet`` (tidy ``year``, ``indicator``, ``value``), ``chains.parquet`` and
``links.parquet`` (vacancy chains, see :mod:`sim.chains`), ``flows.parquet`` (moves from dwelling type
to dwelling type per year: households and persons).

Results are written atomically: everything goes to a temporary folder beside the target, which then
replaces the target in one rename. An interrupted or failed run leaves the previous results as they were.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import numpy as np

from agents.market import HOUSEHOLD_TYPES
from experiments.scenario import Scenario
from sim.chains import MOVER_KINDS
from sim.model import DoorstroomModel
from sim.params import ParameterError, RunSettings
from sim.population import DWELLING_TYPES, TENURES

OUTPUT_MARKER = "manifest.json"


def check_output_dir(out: str | Path) -> Path:
    """Checks that ``out`` can receive results, before any work is done.

    An existing folder is replaced only if it holds earlier doorstroom results (a manifest.json) or is
    empty; anything else is refused so that no unrelated files are lost.

    Raises:
        ParameterError: Naming the folder and the problem.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {str(out)!r} is a file; expected a folder for the results")
    if out.is_dir() and any(out.iterdir()) and not (out / OUTPUT_MARKER).exists():
        raise ParameterError(
            f"--out {str(out)!r} is a non-empty folder without doorstroom results ({OUTPUT_MARKER}); "
            "refusing to replace it: choose a new or empty folder"
        )
    parent = ensure_parent(out)
    if not os.access(parent, os.W_OK):
        raise ParameterError(f"--out {str(out)!r}: its parent folder {str(parent)!r} is not writable")
    return out


def ensure_parent(out: Path) -> Path:
    """Creates the parent folder of ``out`` if needed and returns it.

    Raises:
        ParameterError: When it cannot be created, naming the folder.
    """
    parent = Path(out).resolve().parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as exc:
            raise ParameterError(f"--out {str(out)!r}: cannot create its parent folder: {exc}") from None
    return parent


def git_revision() -> str:
    """The git revision of the source tree, or ``"unknown"`` outside a checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if rev.returncode != 0:
        return "unknown"
    return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def version() -> str:
    """The installed doorstroom version."""
    try:
        return metadata.version("doorstroom")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def run_scenario(
    scenario: Scenario,
    settings: RunSettings,
    progress: Callable[[int, int], None] | None = None,
    debug: bool = False,
) -> tuple[DoorstroomModel, dict]:
    """Builds and runs the model; returns it with the run's manifest (not yet written)."""
    t0 = time.perf_counter()
    model = DoorstroomModel(scenario.parameters(), settings, debug=debug)
    for year, changes in scenario.dated:
        if year <= settings.end_year:
            model.schedule_parameter_change(year, changes)
    t_build = time.perf_counter() - t0
    model.run(progress)
    t_run = time.perf_counter() - t0 - t_build
    manifest = {
        "doorstroom_version": version(),
        "git_revision": git_revision(),
        "scenario": {"name": scenario.name, "description": scenario.description,
                     "file": scenario.path, "changes": scenario.changes,
                     "dated_changes": [{"year": y, **c} for y, c in scenario.dated]},
        "settings": asdict(settings),
        "parameters": model.params.to_dict(),
        "households_simulated": int(model.households.n),
        "timings_seconds": {
            "build": round(t_build, 4),
            "run": round(t_run, 4),
            "per_simulated_year": round(t_run / max(1, model.total_steps
                                                    // settings.steps_per_year), 4),
            "phases": {k: round(v, 4) for k, v in model.timings.items()},
        },
        "environment": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "numpy": np.__version__,
            "mesa": metadata.version("mesa"),
        },
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": sys.argv,
    }
    return model, manifest


LABELS = {
    "start_dwelling_type": DWELLING_TYPES, "from_type": DWELLING_TYPES, "to_type": DWELLING_TYPES,
    "start_tenure": TENURES, "household_type": HOUSEHOLD_TYPES, "mover_kind": MOVER_KINDS,
}
"""Integer code columns of the chain tables written as names (a negative code is ``"none"``)."""


def _labelled(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {}
    for name, values in columns.items():
        if name in LABELS:
            names = np.array([*LABELS[name], "none"], dtype=object)
            code = np.asarray(values)
            out[name] = names[np.where(code < 0, len(names) - 1, code)]
        else:
            out[name] = values
    return out


def table_columns(model: DoorstroomModel) -> dict[str, dict[str, np.ndarray]]:
    """The run's tables as columns: ``indicators``, ``chains``, ``links`` and ``flows``.

    Code columns of the chain tables are names (:data:`LABELS`), as written to Parquet.
    """
    return {
        "indicators": model.indicator_columns(),
        "chains": _labelled(model.chains.chains_table()),
        "links": _labelled(model.chains.links_table()),
        "flows": model.flow_columns(),
    }


PARQUET_TYPES = {
    "indicators": {"year": "int32", "value": "float64"},
    "flows": {"year": "int32", "households": "float64", "persons": "float64"},
}
"""Arrow types of the columns whose numpy type is not the one to write, by table."""


def _arrow_table(table: str, columns: dict[str, np.ndarray]):
    import pyarrow as pa

    types = PARQUET_TYPES.get(table, {})
    arrays = {}
    for name, values in columns.items():
        values = np.asarray(values)
        if values.dtype == object:
            arrays[name] = pa.array(values.tolist(), pa.string())
        elif name in types:
            arrays[name] = pa.array(values, getattr(pa, types[name])())
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


def write_results(model: DoorstroomModel, manifest: dict, out: str | Path) -> Path:
    """Writes the run's tables and manifest to ``out`` atomically (see the module docstring)."""
    import pyarrow.parquet as pq

    out = Path(out)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    tmp.chmod(0o755)
    try:
        for name, columns in table_columns(model).items():
            pq.write_table(_arrow_table(name, columns), tmp / f"{name}.parquet")
        with open(tmp / OUTPUT_MARKER, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, default=str)
        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def replace_dir(new: Path, target: Path) -> None:
    """Puts folder ``new`` in the place of ``target`` (renames only; the old one is removed last)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)  # a leftover of an interrupted earlier replacement
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
