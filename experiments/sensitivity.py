"""Sensitivity indices of a batch (``doorstroom sensitivity DIR --indicator NAME --year Y``).

The output of each point is the indicator in that year, averaged over the point's seeds (every point
has the same seeds, so the average keeps the common random numbers). The method follows the design's
sampler unless ``--method`` says otherwise:

- **sobol** (Sobol' design, Saltelli's scheme): first-order (S1) and total-order (ST) indices with
  95% bootstrap intervals, from ``SALib.analyze.sobol``; second-order indices too when the design has
  them;
- **morris** (Morris trajectories): mu* (mean absolute elementary effect, with its 95% bootstrap
  interval) and sigma, from ``SALib.analyze.morris``;
- **regression** (grid, list and Latin hypercube designs): standardised regression coefficients
  (SRC: the least-squares slope of the standardised output on the standardised parameters) with
  95% bootstrap intervals over the points, and the R^2 of the linear fit: SRC^2 is a parameter's
  share of the output's variance when R^2 is near 1; a low R^2 says the output is not linear in the
  parameters and the coefficients say little.

Writes ``DIR/sensitivity/<indicator>_<year>_<lever>.csv`` (one row per parameter, units from the
schema) and a PNG of the same name (indices with their intervals), and prints the table. The bootstrap
draws come from a fixed seed (:data:`BOOTSTRAP_SEED`), so the same batch gives the same intervals.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from SALib.analyze import morris as morris_analysis  # noqa: E402
from SALib.analyze import sobol as sobol_analysis  # noqa: E402

from experiments.folders import folder_lock, require_kind  # noqa: E402
from experiments.stats import unit_and_label  # noqa: E402
from experiments.writers import atomic_write_bytes, write_csv  # noqa: E402
from sim.params import ParameterError  # noqa: E402

BOOTSTRAP_SEED = 20250101
"""Seed of the bootstrap resampling of the intervals (any fixed number: it makes them reproducible)."""

RESAMPLES = 1000
"""Bootstrap resamples for the intervals (SALib's default is 100; 1000 steadies the 95% bounds)."""

METHOD_OF = {"sobol": "sobol", "morris": "morris", "lhs": "regression", "grid": "regression",
             "list": "regression"}
"""The default method for each sampler."""


def read_batch(folder: str | Path) -> tuple[dict, dict]:
    """The design and the command's description of a complete batch folder.

    Raises:
        ParameterError: When the folder is not a complete batch.
    """
    folder = require_kind(folder, "batch")
    try:
        design = json.loads((folder / "design.json").read_text(encoding="utf-8"))
        info = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{str(folder)!r}: design.json or batch.json cannot be read ({exc})") from None
    if info.get("status") != "complete" or not (folder / "results.parquet").exists():
        raise ParameterError(f"{str(folder)!r}: the batch is not complete (status "
                             f"{info.get('status')!r}); rerun doorstroom batch with the same arguments "
                             "to finish it")
    return design, info


def point_outputs(folder: str | Path, indicator: str, year: int, scenario: str, points: int) -> np.ndarray:
    """The indicator in ``year`` for each point of ``scenario``, averaged over the seeds.

    Raises:
        ParameterError: For an unknown indicator, year or lever, or a point without a value.
    """
    table = pq.read_table(Path(folder) / "results.parquet",
                          columns=["point", "scenario", "seed", "year", "indicator", "value"])
    for column, value, what in (("scenario", scenario, "lever"), ("indicator", indicator, "indicator"),
                                ("year", year, "year")):
        present = pc.unique(table[column]).to_pylist()
        if value not in present:
            shown = sorted(present)
            raise ParameterError(f"{what} {value!r} is not in the batch; it has: "
                                 f"{', '.join(map(str, shown[:40]))}{' ...' if len(shown) > 40 else ''}")
        table = table.filter(pc.equal(table[column], value))
    point = table["point"].to_numpy()
    value = table["value"].to_numpy(zero_copy_only=False).astype(float)
    sums = np.bincount(point, weights=value, minlength=points)
    counts = np.bincount(point, minlength=points)
    missing = np.flatnonzero(counts == 0)
    if missing.size:
        raise ParameterError(f"{indicator} in {year} has no value at point(s) {missing[:10].tolist()}; "
                             "sensitivity needs a value at every point (is the batch complete?)")
    out = sums / counts
    nan = np.flatnonzero(np.isnan(out))
    if nan.size:
        raise ParameterError(f"{indicator} in {year} is NaN at point(s) {nan[:10].tolist()} (not defined "
                             "there, e.g. a rate over an empty group); sensitivity needs a number at every "
                             "point")
    return out


def regression_indices(x: np.ndarray, y: np.ndarray, names: list[str], seed: int = BOOTSTRAP_SEED,
                       resamples: int = RESAMPLES) -> tuple[list[dict], float]:
    """Standardised regression coefficients with 95% bootstrap intervals, and the fit's R^2.

    Args:
        x: Parameter values, one row per point.
        y: Output per point.
        names: Parameter names (columns of ``x``).
        seed: Seed of the bootstrap.
        resamples: Bootstrap resamples.

    Returns:
        One row per parameter (``src``, ``src_low``, ``src_high``) and the R^2.
    """
    def fit(xs, ys):
        sx, sy = xs.std(axis=0), ys.std()
        z = (xs - xs.mean(axis=0)) / np.where(sx > 0, sx, 1.0)
        zy = (ys - ys.mean()) / (sy if sy > 0 else 1.0)
        design = np.column_stack([np.ones(len(zy)), z])
        coef, *_ = np.linalg.lstsq(design, zy, rcond=None)
        resid = zy - design @ coef
        r2 = 1 - resid @ resid / (zy @ zy) if zy @ zy > 0 else float("nan")
        return coef[1:], r2

    src, r2 = fit(x, y)
    rng = np.random.default_rng(seed)
    boot = np.empty((resamples, x.shape[1]))
    for b in range(resamples):
        idx = rng.integers(0, len(y), len(y))
        boot[b], _ = fit(x[idx], y[idx])
    low, high = np.percentile(boot, [2.5, 97.5], axis=0)
    rows = [{"parameter": n, "src": float(s), "src_low": float(lo), "src_high": float(hi)}
            for n, s, lo, hi in zip(names, src, low, high, strict=True)]
    return rows, float(r2)


def analyse(design: dict, x: np.ndarray, y: np.ndarray, method: str) -> tuple[list[dict], list[str], dict]:
    """The indices of one output: rows, the columns of the table, and notes for the log.

    Raises:
        ParameterError: When the method does not fit the design, or the output does not vary.
    """
    problem = design["problem"]
    names = problem["names"]
    if len(y) < 2:
        raise ParameterError("the design has one point: nothing varies, so there are no indices")
    if np.ptp(y) == 0:
        raise ParameterError(f"the output is the same at every point ({y[0]!r}): no parameter of the design "
                             "moves it, so there is nothing to apportion")
    if method == "sobol":
        if design["sampler"] != "sobol":
            raise ParameterError(f"Sobol indices need a Sobol design; this batch's sampler is "
                                 f"{design['sampler']!r} (use --method regression)")
        res = sobol_analysis.analyze(problem, y, calc_second_order=design["second_order"],
                                     num_resamples=RESAMPLES, conf_level=0.95, seed=BOOTSTRAP_SEED)
        rows = [{"parameter": n, "S1": float(res["S1"][i]),
                 "S1_low": float(res["S1"][i] - res["S1_conf"][i]),
                 "S1_high": float(res["S1"][i] + res["S1_conf"][i]),
                 "ST": float(res["ST"][i]), "ST_low": float(res["ST"][i] - res["ST_conf"][i]),
                 "ST_high": float(res["ST"][i] + res["ST_conf"][i])} for i, n in enumerate(names)]
        notes = {"sum_S1": float(np.sum(res["S1"]))}
        return rows, ["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"], notes
    if method == "morris":
        if design["sampler"] != "morris":
            raise ParameterError(f"Morris indices need a Morris design; this batch's sampler is "
                                 f"{design['sampler']!r}")
        res = morris_analysis.analyze(problem, x, y, num_resamples=RESAMPLES, conf_level=0.95,
                                      num_levels=design["levels"], seed=BOOTSTRAP_SEED)
        rows = [{"parameter": n, "mu_star": float(res["mu_star"][i]),
                 "mu_star_low": float(res["mu_star"][i] - res["mu_star_conf"][i]),
                 "mu_star_high": float(res["mu_star"][i] + res["mu_star_conf"][i]),
                 "mu": float(res["mu"][i]), "sigma": float(res["sigma"][i])} for i, n in enumerate(names)]
        return rows, ["mu_star", "mu_star_low", "mu_star_high", "mu", "sigma"], {}
    if len(y) <= len(names) + 1:
        raise ParameterError(f"a regression over {len(names)} parameters needs more than {len(names) + 1} "
                             f"points; the batch has {len(y)}")
    rows, r2 = regression_indices(x, y, names)
    return rows, ["src", "src_low", "src_high"], {"R2": r2}


def index_figure(rows: list[dict], columns: list[str], title: str):
    """A bar chart of the indices with their 95% intervals (a matplotlib figure)."""
    names = [r["parameter"] for r in rows]
    main = [c for c in columns if not c.endswith(("_low", "_high")) and c not in ("mu", "sigma")]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) + 1.6))  # layout: inches, a row per parameter
    height = 0.8 / len(main)
    # colour-blind-safe pair (Okabe-Ito blue and orange)
    for k, (col, colour) in enumerate(zip(main, ("#0072B2", "#E69F00"), strict=False)):
        vals = np.array([r[col] for r in rows])
        pos = np.arange(len(names)) + (k - (len(main) - 1) / 2) * height
        err = None
        if f"{col}_low" in columns:
            lo = np.array([r[f"{col}_low"] for r in rows])
            hi = np.array([r[f"{col}_high"] for r in rows])
            err = np.vstack([vals - lo, hi - vals])
        ax.barh(pos, vals, height=height, xerr=err, color=colour, label=col, capsize=2)
    ax.set_yticks(np.arange(len(names)), names)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def figure(path: Path, rows: list[dict], columns: list[str], title: str) -> None:
    """The bar chart of :func:`index_figure`, written atomically as PNG."""
    fig = index_figure(rows, columns, title)
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    tmp.replace(path)


def sensitivity(folder: str | Path, indicator: str, year: int, scenario: str | None = None,
                method: str = "auto") -> tuple[list[dict], list[str], dict, Path]:
    """Computes and writes the indices of one indicator in one year of a batch.

    Returns:
        The rows, their index columns, notes (sum of S1, R^2) and the CSV written.

    Raises:
        ParameterError: For a folder that is not a complete batch, an unknown indicator, year or
            lever, or a method that does not fit the design.
    """
    folder = Path(folder)
    design, _info = read_batch(folder)
    levers = [sc["name"] for sc in design["scenarios"]]
    scenario = scenario or levers[0]
    if scenario not in levers:
        raise ParameterError(f"--scenario {scenario!r} is not a lever of the batch; levers: {levers}")
    method = METHOD_OF[design["sampler"]] if method == "auto" else method
    x = np.loadtxt(folder / "design.csv", delimiter=",", skiprows=1, ndmin=2)[:, 1:]
    y = point_outputs(folder, indicator, year, scenario, design["points"])
    rows, columns, notes = analyse(design, x, y, method)
    units = {u["name"]: u["unit"] for u in design["uncertainties"]}
    for r in rows:
        r["unit"] = units[r["parameter"]]
    unit, label = unit_and_label(indicator)
    stem = f"{indicator}_{year}_{scenario}"
    out = folder / "sensitivity"
    with folder_lock(folder):
        out.mkdir(exist_ok=True)
        write_csv(out / f"{stem}.csv", ["parameter", *columns, "unit"], rows)
        title = (f"{label} ({unit}), {year}, {scenario}\n{method} indices with 95% intervals, "
                 f"{len(y)} points" + (f"; R² {notes['R2']:.2f}" if "R2" in notes else ""))
        figure(out / f"{stem}.png", rows, columns, title)
        atomic_write_bytes(out / f"{stem}.json", (json.dumps(
            {"indicator": indicator, "year": year, "scenario": scenario, "method": method,
             "points": len(y), "output_mean": float(y.mean()), "output_sd": float(y.std()),
             "bootstrap_seed": BOOTSTRAP_SEED, "resamples": RESAMPLES, **notes}, indent=2) + "\n").encode())
    return rows, columns, notes, out / f"{stem}.csv"


def format_table(rows: list[dict], columns: list[str]) -> str:
    """The indices as a text table, the largest first (by ST, mu* or |SRC|)."""
    key = next(c for c in ("ST", "mu_star", "src") if c in columns)
    ordered = sorted(rows, key=lambda r: -abs(r[key]))
    width = max(len(r["parameter"]) for r in rows)
    lines = [f"{'parameter':{width}s}" + "".join(f"{c:>13s}" for c in columns)]
    for r in ordered:
        lines.append(f"{r['parameter']:{width}s}" + "".join(f"{r[c]:13.4g}" for c in columns))
    return "\n".join(lines)


def cmd_sensitivity(args) -> int:
    """Runs ``doorstroom sensitivity`` from parsed arguments; prints the table."""
    rows, columns, notes, path = sensitivity(args.folder, args.indicator, args.year, args.scenario,
                                             args.method)
    print(format_table(rows, columns))
    for key, value in notes.items():
        print(f"{key} = {value:.3f}")
    print(f"written: {path} and {path.with_suffix('.png').name}", file=sys.stderr)
    return 0
