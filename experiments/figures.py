"""Figures of a comparison: levels over time with bands across seeds, paired differences with intervals.

Figures are functions of the stored runs (never drawn inside the model); each is a PNG in
``DIR/figures``, replaced as a whole. Every figure carries a caption with the scale, the seeds, the
years and the model's version. Amounts in euros are drawn in millions or billions. The band around a
level is the 2.5-97.5 percentile range across seeds from :data:`PERCENTILE_MIN_SEEDS` seeds on, and the
range (lowest to highest) across fewer seeds, where percentiles would mean nothing. An indicator
whose paired difference is exactly zero for every policy and year gets no difference figure
(:func:`unchanged_indicators` lists them).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from experiments.runs import Plan
from experiments.stats import paired_stats, spread, unit_and_label
from experiments.writers import replace_dir, short_revision

PERCENTILE_MIN_SEEDS = 10
"""From this many seeds on, bands are 2.5-97.5 percentiles across seeds; below, the whole range."""

EURO_SCALES = ((1e9, "billion"), (1e6, "million"))
"""Euro amounts at least this large are drawn in these units."""


def unchanged_indicators(plan: Plan, data, indicators: Sequence[str]) -> list[str]:
    """The indicators whose value is identical in every policy and the baseline, every year and seed."""
    base = data[plan.scenarios[0].name]
    out = []
    for name in indicators:
        keys = [k for k in base if k[0] == name]
        if keys and all(np.array_equal(base[k], data[sc.name].get(k, np.full(plan.seeds, np.nan)),
                                       equal_nan=True)
                        for sc in plan.scenarios[1:] for k in keys):
            out.append(name)
    return out


def _euro_scale(unit: str, values) -> tuple[float, str]:
    """Divisor and axis unit for amounts: euros in millions or billions, anything else as it is."""
    if not unit.startswith("EUR"):
        return 1.0, unit
    finite = np.abs(np.asarray([v for v in values if np.isfinite(v)], float))
    top = float(finite.max()) if len(finite) else 0.0
    for size, word in EURO_SCALES:
        if top >= size:
            return size, unit.replace("EUR", f"EUR {word}", 1)
    return 1.0, unit


def _range(values: np.ndarray) -> tuple[float, float]:
    """Lowest and highest finite value (NaN, NaN when there is none)."""
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if len(finite) else (np.nan, np.nan)


def caption(plan: Plan) -> str:
    """The small print of every figure: scale, seeds, years, version."""
    s, info = plan.settings, plan.info
    revision = short_revision(info.get("git_revision", "?"))
    return (f"scale {s.scale:g}, {plan.seeds} seed{'s' if plan.seeds > 1 else ''}, "
            f"{s.start_year}-{s.end_year}; doorstroom {info.get('doorstroom_version', '?')}, results "
            f"version {info.get('results_version', '?')}, git {revision}")


def write_figures(plan: Plan, data, indicators: Sequence[str]) -> list[str]:
    """Draws the figures of the indicators into ``DIR/figures`` (replaced as a whole).

    ``<indicator>_levels.png``: the mean over the seeds of the baseline and of each policy over time,
    with a band across seeds. ``<indicator>_difference.png``: the paired mean difference of each
    policy with the baseline and its 95% interval (not for :func:`unchanged_indicators`).

    Returns:
        The file names written.
    """
    target = plan.out / "figures"
    tmp = Path(tempfile.mkdtemp(prefix=f".figures.tmp-{os.getpid()}-", dir=plan.out))
    tmp.chmod(0o755)
    names = [sc.name for sc in plan.scenarios]
    colors = {n: ("0.2" if i == 0 else f"C{(i - 1) % 10}") for i, n in enumerate(names)}
    unchanged = set(unchanged_indicators(plan, data, indicators))
    small_print = caption(plan)
    written = []

    def new_axes(title: str, ylabel: str):
        fig = Figure(figsize=(8, 4.8), dpi=120)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_title("\n".join(textwrap.wrap(title, 70)), fontsize=11)
        ax.set_xlabel("year")
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        return fig, ax

    def save(fig, ax, fname: str, legend_title: str) -> None:
        low, high = ax.get_ylim()
        if max(abs(low), abs(high)) >= 10_000:
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.legend(fontsize=9, title=legend_title, title_fontsize=8, loc="best", frameon=False)
        fig.text(0.01, 0.01, small_print, fontsize=7, color="0.35", ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        fig.savefig(tmp / fname, dpi=120)
        written.append(fname)

    seeds = f"{plan.seeds} seed{'s' if plan.seeds > 1 else ''}"
    if plan.seeds >= PERCENTILE_MIN_SEEDS:
        band = "; band: 2.5-97.5 percentiles across seeds"
    elif plan.seeds > 1:
        band = "; band: lowest to highest across seeds"
    else:
        band = ""
    band_ci = "; band: 95% interval" if plan.seeds > 1 else " (one seed: no interval)"
    base = data[names[0]]
    try:
        for name in indicators:
            unit, label = unit_and_label(name)
            levels = {}
            for sc in plan.scenarios:
                table = data[sc.name]
                years = sorted(y for n, y in table if n == name)
                if years:
                    levels[sc.name] = (years, [table[(name, y)] for y in years])
            size, axis_unit = _euro_scale(unit, [v for _, vals in levels.values()
                                                 for arr in vals for v in arr])
            fig, ax = new_axes(label, axis_unit or name)
            for sc in plan.scenarios:
                if sc.name not in levels:
                    continue
                years, values = levels[sc.name]
                s = [spread(v / size) for v in values]
                role = " (baseline)" if sc is plan.scenarios[0] and sc.name != "baseline" else ""
                ax.plot(years, [r["mean"] for r in s], marker="o", ms=3, lw=1.8,
                        color=colors[sc.name], label=f"{sc.name}{role}")
                if plan.seeds >= PERCENTILE_MIN_SEEDS:
                    low, high = [r["p2_5"] for r in s], [r["p97_5"] for r in s]
                elif plan.seeds > 1:
                    low, high = zip(*(_range(v / size) for v in values), strict=True)
                else:
                    continue
                ax.fill_between(years, low, high, color=colors[sc.name], alpha=0.15, lw=0)
            save(fig, ax, f"{name}_levels.png", f"mean over {seeds}{band}")
            if name in unchanged:
                continue

            diffs = {}
            for sc in plan.scenarios[1:]:
                pol = data[sc.name]
                years = sorted(y for n, y in set(base) & set(pol) if n == name)
                if years:
                    diffs[sc.name] = (years, [paired_stats(base[(name, y)], pol[(name, y)])
                                              for y in years])
            size, axis_unit = _euro_scale(unit, [r[k] for _, rows in diffs.values() for r in rows
                                                 for k in ("mean_difference", "ci_low", "ci_high")])
            fig, ax = new_axes(f"{label}: policy minus baseline",
                               f"difference ({axis_unit})" if axis_unit else "difference")
            ax.axhline(0.0, color="0.4", lw=1, ls="--")
            for sc_name, (years, rows) in diffs.items():
                ax.plot(years, [r["mean_difference"] / size for r in rows], marker="o", ms=3, lw=1.8,
                        color=colors[sc_name], label=f"{sc_name} minus {names[0]}")
                ax.fill_between(years, [r["ci_low"] / size for r in rows],
                                [r["ci_high"] / size for r in rows], color=colors[sc_name], alpha=0.2,
                                lw=0)
            save(fig, ax, f"{name}_difference.png", f"mean paired difference over {seeds}{band_ci}")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written
