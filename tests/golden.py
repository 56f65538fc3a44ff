"""Golden baseline: seeded short runs whose tables are stored in ``tests/data/golden/`` and compared exactly.

Two runs guard every change of the model: the baseline, and one scenario with every policy lever on
(so that a restructuring of the policy code is covered too). Each is run at scale 0.002 with seed 3
over 2025-2028; its indicators, vacancy chains, chain links and type-to-type flows are written as
gzipped CSV (floats in ``repr``, exact on reading back).

Results may change only on purpose, in a commit of their own that gives the reason: raise
``sim.outputs.RESULTS_VERSION`` (so that stored runs of comparisons are recomputed) and regenerate the
files with::

    make golden            # or: .venv/bin/python tests/golden.py --write

Writing refuses tables that differ from the stored ones under the same results version.
``tests/test_golden.py`` compares a fresh run with the stored files, value by value, and checks that
the stored results version is the model's.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from any folder
    sys.path.insert(0, str(ROOT))

from experiments.runner import run_scenario  # noqa: E402
from experiments.scenario import scenario_from_dict  # noqa: E402
from experiments.writers import table_columns  # noqa: E402
from sim.outputs import RESULTS_VERSION  # noqa: E402
from sim.params import RunSettings  # noqa: E402

GOLDEN_DIR = Path(__file__).parent / "data" / "golden"
SETTINGS = RunSettings(scale=0.002, seed=3, start_year=2025, end_year=2028)
TABLES = ("indicators", "chains", "links", "flows")

ALL_POLICIES = {
    "scenario": {"name": "all_policies", "description": "every policy lever on (golden test)"},
    "policy": {
        "programme_nultreden_total": 170_000, "programme_geclusterd_total": 80_000,
        "programme_zorggeschikt_total": 40_000, "programme_first_year": 2025,
        "programme_last_year": 2030, "logeerzorg_share": 0.3,
        "verpleeghuis_places_target": 130_000, "wlz_at_home_in_zorggeschikt": True,
        "verzorgingshuis_places_total": 39_000, "verzorgingshuis_places_per_year": 10_000,
        "verzorgingshuis_first_year": 2026, "verzorgingshuis_wlz_stay_share": 0.1,
        "kostendelersnorm": "abolished", "hospitaverhuur": True, "hospita_tenants_allowed": True,
    },
    "change": [{"year": 2027, "policy": {"older_mover_priority_all_types": True,
                                         "keep_rent": True,
                                         "moving_allowance_eur": 2500.0}}],
}
SCENARIOS = {
    "baseline": {"scenario": {"name": "baseline"}},
    "all_policies": ALL_POLICIES,
}


def golden_tables(name: str) -> dict[str, dict[str, list]]:
    """Runs golden scenario ``name`` and returns its tables as columns of Python values.

    The indicator rows are sorted by year and indicator, so the order in which the model records them
    does not matter; chains and links keep their order (chain ids are numbered in order of start).
    """
    scenario = scenario_from_dict(SCENARIOS[name], source=f"golden:{name}")
    model, _ = run_scenario(scenario, SETTINGS)
    out = {}
    for table, cols in table_columns(model).items():
        out[table] = {k: np.asarray(v).tolist() for k, v in cols.items()}
    ind = out["indicators"]
    order = sorted(range(len(ind["year"])), key=lambda i: (ind["year"][i], ind["indicator"][i]))
    out["indicators"] = {k: [v[i] for i in order] for k, v in ind.items()}
    return out


def _cell(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def write_table(path: Path, columns: dict[str, list]) -> None:
    """Writes columns as gzipped CSV (reproducible bytes: no time stamp in the gzip header)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*(map(_cell, c) for c in columns.values()), strict=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode())


def read_table(path: Path) -> dict[str, list[str]]:
    """Reads a golden table: column name -> cells as text."""
    with gzip.open(path, "rt", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    return {name: [r[i] for r in body] for i, name in enumerate(header)}


def as_text(columns: dict[str, list]) -> dict[str, list[str]]:
    """Columns of Python values as the cells :func:`write_table` writes."""
    return {k: [_cell(v) for v in vals] for k, vals in columns.items()}


VERSION_FILE = GOLDEN_DIR / "RESULTS_VERSION"


def stored_version() -> int | None:
    """The results version the golden files were made with (``None`` if there are none)."""
    return int(VERSION_FILE.read_text()) if VERSION_FILE.exists() else None


def path_of(name: str, table: str) -> Path:
    """Where the golden table ``table`` of scenario ``name`` is stored."""
    return GOLDEN_DIR / name / f"{table}.csv.gz"


def main(argv: list[str] | None = None) -> int:
    """Regenerates (``--write``) or checks the golden files; prints what differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the golden files anew")
    args = parser.parse_args(argv)
    fresh = {name: golden_tables(name) for name in SCENARIOS}
    differ = [path_of(name, table).relative_to(ROOT) for name in SCENARIOS for table in TABLES
              if not path_of(name, table).exists()
              or read_table(path_of(name, table)) != as_text(fresh[name][table])]
    for path in differ:
        print(f"differs: {path}")
    if not args.write:
        return 1 if differ else 0
    if differ and stored_version() == RESULTS_VERSION:
        print(f"refusing to write: results changed but sim.outputs.RESULTS_VERSION is still "
              f"{RESULTS_VERSION}; raise it in the same commit")
        return 1
    for name in SCENARIOS:
        for table in TABLES:
            path = path_of(name, table)
            write_table(path, fresh[name][table])
            print(f"wrote {path.relative_to(ROOT)} ({len(next(iter(fresh[name][table].values())))} rows)")
    VERSION_FILE.write_text(f"{RESULTS_VERSION}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
