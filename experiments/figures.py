"""Figures of a comparison: levels over time with bands across seeds, paired differences with intervals.

Figures are functions of the stored runs (never drawn inside the model); each is a PNG in
``DIR/figures``, replaced as a whole.
"""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from experiments.batch import Plan
from experiments.stats import paired_stats, spread, unit_and_label
from experiments.writers import replace_dir


def write_figures(plan: Plan, data, indicators: Sequence[str]) -> list[str]:
    """Draws two PNG figures per indicator into ``DIR/figures`` (replaced as a whole).

    ``<indicator>_levels.png``: the mean over the seeds of the baseline and of each policy over time,
    with a band between the 2.5 and 97.5 percentiles across seeds. ``<indicator>_difference.png``:
    the paired mean difference of each policy with the baseline and its 95% interval.

    Returns:
        The file names written.
    """
    target = plan.out / "figures"
    tmp = Path(tempfile.mkdtemp(prefix=".figures.tmp-", dir=plan.out))
    tmp.chmod(0o755)
    names = [sc.name for sc in plan.scenarios]
    colors = {n: ("0.2" if i == 0 else f"C{(i - 1) % 10}") for i, n in enumerate(names)}
    written = []

    def new_axes(title: str, ylabel: str):
        fig = Figure(figsize=(8, 4.5), dpi=120)
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
        fig.tight_layout()
        fig.savefig(tmp / fname, dpi=120)
        written.append(fname)

    seeds = f"{plan.seeds} seed{'s' if plan.seeds > 1 else ''}"
    band = "; band: 2.5-97.5 percentiles across seeds" if plan.seeds > 1 else ""
    band_ci = "; band: 95% interval" if plan.seeds > 1 else " (one seed: no interval)"
    try:
        for name in indicators:
            unit, label = unit_and_label(name)
            fig, ax = new_axes(label, unit or name)
            for sc in plan.scenarios:
                table = data[sc.name]
                years = sorted(y for n, y in table if n == name)
                if not years:
                    continue
                s = [spread(table[(name, y)]) for y in years]
                role = " (baseline)" if sc is plan.scenarios[0] else ""
                ax.plot(years, [r["mean"] for r in s], marker="o", ms=3, lw=1.8,
                        color=colors[sc.name], label=f"{sc.name}{role}")
                if plan.seeds > 1:
                    ax.fill_between(years, [r["p2_5"] for r in s], [r["p97_5"] for r in s],
                                    color=colors[sc.name], alpha=0.15, lw=0)
            save(fig, ax, f"{name}_levels.png", f"mean over {seeds}{band}")

            fig, ax = new_axes(f"{label}: policy minus baseline",
                               f"difference ({unit})" if unit else "difference")
            ax.axhline(0.0, color="0.4", lw=1, ls="--")
            base = data[names[0]]
            for sc in plan.scenarios[1:]:
                pol = data[sc.name]
                years = sorted(y for n, y in set(base) & set(pol) if n == name)
                if not years:
                    continue
                s = [paired_stats(base[(name, y)], pol[(name, y)]) for y in years]
                ax.plot(years, [r["mean_difference"] for r in s], marker="o", ms=3, lw=1.8,
                        color=colors[sc.name], label=f"{sc.name} - {names[0]}")
                ax.fill_between(years, [r["ci_low"] for r in s], [r["ci_high"] for r in s],
                                color=colors[sc.name], alpha=0.2, lw=0)
            save(fig, ax, f"{name}_difference.png",
                 f"mean paired difference over {seeds}{band_ci}")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written
