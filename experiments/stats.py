"""Statistics of a comparison: paired differences with 95% intervals, spreads, the headline table.

The difference *policy minus baseline* of one seed is a paired difference (common random numbers);
its mean over the seeds and a 95% interval (Student t with ``n - 1`` degrees of freedom) measure the
effect of the policy.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import pyarrow.parquet as pq
from scipy import stats as scipy_stats

from agents.schedule import REGISTRY
from experiments.runs import Plan

MAIN_INDICATORS = (
    "verpleeghuis_waiting", "move_rate_65_74", "limitation_not_stepfree", "starters_housed",
    "chains_started", "vacancy_rate", "persons_wlz_at_home", "family_homes_freed",
)
"""Indicators in the figures and the headline table (when the results contain them)."""

OPTIONAL_MAIN = ("lodgers_housed", "shared_households", "verzorgingshuis_residents")
"""Further indicators shown when present, as is any indicator whose name ends in ``_eur``."""

DIFFERENCE_COLUMNS = (
    "policy", "indicator", "unit", "year", "baseline_mean", "policy_mean", "mean_difference",
    "ci_low", "ci_high", "n_seeds",
)
SUMMARY_COLUMNS = ("scenario", "indicator", "unit", "year", "mean", "p2_5", "p97_5", "n_seeds")


def load_runs(plan: Plan) -> dict[str, dict[tuple[str, int], np.ndarray]]:
    """Reads all run files: scenario -> (indicator, year) -> values by seed (NaN where missing)."""
    data: dict[str, dict[tuple[str, int], np.ndarray]] = {}
    for task in plan.tasks:
        cols = pq.read_table(task.path).to_pydict()
        table = data.setdefault(task.scenario.name, {})
        k = task.settings.seed - 1
        for year, name, value in zip(cols["year"], cols["indicator"], cols["value"], strict=True):
            arr = table.get((name, year))
            if arr is None:
                arr = table[(name, year)] = np.full(plan.seeds, np.nan)
            arr[k] = np.nan if value is None else value
    return data


def indicator_order(names) -> list[str]:
    """Indicator names in registry order, then unknown names alphabetically."""
    names = set(names)
    return [n for n in REGISTRY if n in names] + sorted(names - set(REGISTRY))


def unit_and_label(name: str) -> tuple[str, str]:
    """The unit and label of an indicator from the registry (name and ``""`` if not declared)."""
    ind = REGISTRY.get(name)
    return (ind.unit, ind.label) if ind else ("", name)


def t_factor(seeds: int) -> float:
    """Half-width of the 95% interval in standard errors with ``seeds`` paired seeds (Student t)."""
    return _t_quantile(seeds - 1)


@functools.cache
def _t_quantile(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom."""
    return float(scipy_stats.t.ppf(0.975, df))


def paired_stats(base: np.ndarray, policy: np.ndarray) -> dict[str, float]:
    """Mean paired difference ``policy - base`` over the seeds where both are finite, with its 95% CI.

    Args:
        base: Baseline values by seed.
        policy: Policy values by seed (same seeds, same order).

    Returns:
        ``baseline_mean``, ``policy_mean``, ``mean_difference``, ``ci_low``, ``ci_high`` and
        ``n_seeds`` (the number of pairs used). The interval is NaN with fewer than two pairs.
    """
    ok = np.isfinite(base) & np.isfinite(policy)
    n = int(ok.sum())
    nan = float("nan")
    if n == 0:
        return dict(baseline_mean=nan, policy_mean=nan, mean_difference=nan, ci_low=nan,
                    ci_high=nan, n_seeds=0)
    d = policy[ok] - base[ok]
    mean = float(d.mean())
    if n < 2:
        low = high = nan
    else:
        half = _t_quantile(n - 1) * float(d.std(ddof=1)) / math.sqrt(n)
        low, high = mean - half, mean + half
    return dict(baseline_mean=float(base[ok].mean()), policy_mean=float(policy[ok].mean()),
                mean_difference=mean, ci_low=low, ci_high=high, n_seeds=n)


def spread(values: np.ndarray) -> dict[str, float]:
    """Mean and 2.5/97.5 percentiles of the finite values (NaN when there are none)."""
    v = values[np.isfinite(values)]
    if not len(v):
        return dict(mean=float("nan"), p2_5=float("nan"), p97_5=float("nan"), n_seeds=0)
    lo, hi = np.percentile(v, [2.5, 97.5])
    return dict(mean=float(v.mean()), p2_5=float(lo), p97_5=float(hi), n_seeds=len(v))


def difference_rows(plan: Plan, data) -> list[dict]:
    """The rows of ``differences.csv``: every policy, indicator and year present in both."""
    base_name = plan.scenarios[0].name
    base = data[base_name]
    rows = []
    for sc in plan.scenarios[1:]:
        pol = data[sc.name]
        keys = set(base) & set(pol)
        for name in indicator_order(k[0] for k in keys):
            unit = unit_and_label(name)[0]
            for year in sorted(y for n, y in keys if n == name):
                rows.append({"policy": sc.name, "indicator": name, "unit": unit, "year": year,
                             **paired_stats(base[(name, year)], pol[(name, year)])})
    return rows


def summary_rows(plan: Plan, data) -> list[dict]:
    """The rows of ``summary.csv``: every scenario, indicator and year."""
    rows = []
    for sc in plan.scenarios:
        table = data[sc.name]
        for name in indicator_order(k[0] for k in table):
            unit = unit_and_label(name)[0]
            for year in sorted(y for n, y in table if n == name):
                rows.append({"scenario": sc.name, "indicator": name, "unit": unit, "year": year,
                             **spread(table[(name, year)])})
    return rows


def main_indicators(data) -> list[str]:
    """The indicators for figures and the headline that the results contain."""
    names = set().union(*(set(n for n, _ in table) for table in data.values()))
    extra = [n for n in OPTIONAL_MAIN if n in names]
    extra += sorted(n for n in names if n.endswith("_eur") and n not in extra)
    return [n for n in (*MAIN_INDICATORS, *extra) if n in names]


def _num(v: float) -> str:
    if not math.isfinite(v):
        return "nan"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a == 0:
        return "0"
    return f"{v:.3g}" if a >= 0.001 else f"{v:.2e}"


def _cell(s: dict, size: float = 1.0) -> str:
    if s["n_seeds"] == 0:
        return "n/a"
    mark = "*" if s["ci_low"] > 0 or s["ci_high"] < 0 else " "
    return (f"{_num(s['mean_difference'] / size)} [{_num(s['ci_low'] / size)}, "
            f"{_num(s['ci_high'] / size)}]{mark}")


def headline(plan: Plan, data, indicators: Sequence[str]) -> str:
    """The headline table: per policy, the main indicators' mean paired difference and 95% interval.

    Two columns: the last year, and the average over all years (the average over the years of each
    seed's difference, then the mean and interval across seeds). ``*`` marks an interval that
    excludes zero.
    """
    base_name = plan.scenarios[0].name
    base = data[base_name]
    lines = []
    for sc in plan.scenarios[1:]:
        pol = data[sc.name]
        keys = set(base) & set(pol)
        years = sorted({y for _, y in keys})
        if not years:
            continue
        last = years[-1]
        rows = []
        for name in indicators:
            ys = sorted(y for n, y in keys if n == name)
            if not ys:
                continue
            at_last = paired_stats(base[(name, last)], pol[(name, last)]) if last in ys else None
            b = np.stack([base[(name, y)] for y in ys])
            p = np.stack([pol[(name, y)] for y in ys])
            both = np.isfinite(b) & np.isfinite(p)
            with np.errstate(invalid="ignore", divide="ignore"):
                b_avg = np.where(both.any(0), np.where(both, b, 0).sum(0) / both.sum(0), np.nan)
                p_avg = np.where(both.any(0), np.where(both, p, 0).sum(0) / both.sum(0), np.nan)
            avg = paired_stats(b_avg, p_avg)
            unit = unit_and_label(name)[0]
            size = 1.0
            if unit.startswith("EUR"):  # euros in millions
                size, unit = 1e6, unit.replace("EUR", "EUR million", 1)
            rows.append((name, unit, _cell(at_last, size) if at_last else "n/a", _cell(avg, size)))
        h = ("indicator", "unit", f"{last}: difference [95% CI]",
             f"{years[0]}-{last} mean: difference [95% CI]")
        widths = [max(len(h[i]), *(len(r[i]) for r in rows)) for i in range(4)]
        lines.append(f"{sc.name} minus {base_name} (paired by seed, {plan.seeds} seeds)")
        lines.append("  ".join(f"{h[i]:<{widths[i]}}" if i < 2 else f"{h[i]:>{widths[i]}}"
                               for i in range(4)))
        for r in rows:
            lines.append("  ".join(f"{r[i]:<{widths[i]}}" if i < 2 else f"{r[i]:>{widths[i]}}"
                                   for i in range(4)))
        lines.append("")
    lines.append("* the 95% interval excludes zero" if plan.seeds > 1
                 else "(one seed: no intervals)")
    return "\n".join(lines)
