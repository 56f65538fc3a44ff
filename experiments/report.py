"""A report policymakers read: one self-contained HTML page per comparison (``doorstroom report``).

``doorstroom report DIR [--lang nl|en] [--out FILE.html] [--year YEAR]``

``DIR`` is a folder written by ``doorstroom compare`` (or by ``doorstroom batch``: then the report
gives the design and, for each main indicator, the sensitivity indices of the design's method). The
report is one HTML file with its figures embedded (SVG as data URIs), its styles inline and no
external request; it prints to PDF (print styles, no figure split over two pages). Dutch by default,
in the terms of the government letters (:mod:`sim.labels`), numbers the Dutch way (1.234,5); English
with ``--lang en``.

Content, plain language first and detail after:

1. the question and the scenarios compared (the scenario files' names and descriptions);
2. a headline per policy: for each main indicator, the paired difference with the baseline in the
   last year (or ``--year``) and its 95% interval in words, "tussen X en Y", marked when the interval
   excludes zero; then the costs (every indicator in euros) in the same form. Every number is the row
   of ``differences.csv`` for that policy, indicator and year (``tests/test_report.py`` checks them);
3. figures: levels over time with bands over the seeds (``summary.csv``), paired differences with
   their intervals (``differences.csv``), the costs, the moves between dwelling types (a flow diagram
   of the mean yearly moves) and the mean chain length by start cause;
4. assumptions: every parameter a scenario changes, and every parameter of kind "assumption" read by
   the processes its levers act in (the policy catalogue), each with unit and source from the
   parameter schema;
5. how it was made: versions, git revision, seeds, scale, years, run time, the command to reproduce
   it and the methods document (``docs/ODD.md``).

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies); every
figure has an alt text.
"""

from __future__ import annotations

import base64
import html
import io
import json
import shlex
import time
from dataclasses import fields
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.fonttype"] = "none"  # text as text in the SVGs: a tenth of the size, and searchable
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from agents.policies.catalogue import LEVERS  # noqa: E402
from agents.schedule import SCHEDULE  # noqa: E402
from experiments.folders import read_marker, require_kind  # noqa: E402
from experiments.sensitivity import METHOD_OF, analyse, index_figure, point_outputs, read_batch  # noqa: E402
from experiments.stats import MAIN_INDICATORS  # noqa: E402
from experiments.writers import atomic_write_bytes  # noqa: E402
from sim import labels  # noqa: E402
from sim.codes import DWELLING_TYPES  # noqa: E402
from sim.params import GROUPS, ParameterError, parameter_fields  # noqa: E402

PALETTE = ("#000000", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
"""Okabe-Ito colours: the baseline black, the policies in turn."""

FLOW_PREFIX = "flow."
"""Rows of the yearly moves from type to type in a comparison's runs (``flow.<from>.<to>``)."""
CHAIN_PREFIX = "chain_links_mean."
"""Rows of the mean chain length by start cause (``chain_links_mean.<cause>``)."""

METHODS = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
"""The methods document the report links to."""

GENERATOR = '<meta name="generator" content="doorstroom report">'
"""Marks a file as a doorstroom report: only such a file is ever replaced by a new report."""

MAX_BYTES = 5 * 2**20
"""The report's size limit (5 MiB, the issue's bound); a larger report is refused."""

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:62rem;
margin:1.5rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #0072B2}
h3{font-size:1.05rem;margin-top:1.2rem}.sub{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.sig{font-weight:600}.muted{color:#666}.small{font-size:.8rem}figure{margin:1rem 0;break-inside:avoid;
page-break-inside:avoid}figure img{max-width:100%;height:auto}figcaption{font-size:.85rem;color:#444}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(26rem,1fr));gap:.5rem 1rem}
.policy{border-left:4px solid #0072B2;padding-left:.8rem;margin:1rem 0}code{font-size:.85em}
table.params{table-layout:fixed;width:100%;font-size:.8rem}table.params td{overflow-wrap:anywhere}
table.headline td:first-child{width:40%}
@media print{body{max-width:none;margin:0;font-size:10pt}h2{break-before:page}h2.first{break-before:auto}
a{color:inherit;text-decoration:none}.grid{display:block}}
"""


def _scale(scale: float, lang: str) -> str:
    """A sample fraction as written in the command (0.01, 0,01 in Dutch)."""
    return str(scale).replace(".", ",") if lang == "nl" else str(scale)


def _fmt(value: float, lang: str, unit: str = "") -> str:
    if isinstance(unit, str) and unit.startswith("EUR"):
        return labels.format_eur(value, lang)
    return labels.format_number(value, lang)


def _signed(value: float, lang: str, unit: str = "") -> str:
    text = _fmt(value, lang, unit)
    return f"+{text}" if value > 0 and not text.startswith("+") else text


def read_comparison(folder: str | Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The description, differences and summary of a finished comparison.

    Raises:
        ParameterError: When the folder is not a complete ``doorstroom compare`` folder.
    """
    folder = require_kind(folder, "compare")
    try:
        info = json.loads((folder / "compare.json").read_text(encoding="utf-8"))
        diff = pd.read_csv(folder / "differences.csv")
        summary = pd.read_csv(folder / "summary.csv")
    except (OSError, ValueError) as exc:
        raise ParameterError(
            f"{str(folder)!r}: compare.json, differences.csv or summary.csv cannot be read ({exc})"
        ) from None
    if info.get("status") != "complete":
        raise ParameterError(
            f"{str(folder)!r}: the comparison is not complete (status "
            f"{info.get('status')!r}); rerun doorstroom compare with the same arguments"
        )
    return info, diff, summary


def headline_indicators(diff: pd.DataFrame) -> list[str]:
    """The main indicators present, in the order of :data:`experiments.stats.MAIN_INDICATORS`."""
    present = set(diff["indicator"])
    return [n for n in MAIN_INDICATORS if n in present]


def cost_indicators(diff: pd.DataFrame) -> list[str]:
    """Every indicator in euros present (costs and revenues), in order of appearance."""
    return [n for n in dict.fromkeys(diff["indicator"]) if str(n).endswith("_eur")]


def headline_rows(diff: pd.DataFrame, policy: str, year: int, indicators: list[str]) -> list[dict]:
    """The rows of ``differences.csv`` for one policy, year and list of indicators (in that order)."""
    rows = diff[(diff["policy"] == policy) & (diff["year"] == year)].set_index("indicator")
    return [dict(rows.loc[n], indicator=n) for n in indicators if n in rows.index]


def _verdict(row: dict, lang: str) -> tuple[str, bool]:
    """The interval in one word (increase, decrease, not significant) and whether it excludes zero."""
    low, high = row["ci_low"], row["ci_high"]
    if not np.isfinite(low) or not np.isfinite(high):
        return labels.text("one_seed_no_interval", lang), False
    if not (low > 0 or high < 0):
        return labels.text("not_significant", lang).split(" (")[0], False
    return labels.text("increase" if row["mean_difference"] > 0 else "decrease", lang), True


def _moves(row: dict) -> bool:
    """False for a row that is zero in both scenarios and in every seed (a cost the policy has not)."""
    return any(row[k] != 0 for k in ("baseline_mean", "policy_mean", "ci_low", "ci_high"))


def _cell(value: float, lang: str, unit: str, attrs: dict, signed: bool = False) -> str:
    data = " ".join(f'data-{k}="{html.escape(str(v))}"' for k, v in attrs.items())
    shown = _signed(value, lang, unit) if signed else _fmt(value, lang, unit)
    return f'<td class="num" {data} data-value="{float(value)!r}">{html.escape(shown)}</td>'


def headline_table(rows: list[dict], policy: str, year: int, lang: str) -> str:
    """The headline table of one policy: baseline, policy, difference and its interval per indicator."""
    t = labels.text
    head = (
        f"<tr><th>{t('indicator', lang)}</th><th>{t('baseline', lang)}</th><th>{t('policy', lang)}</th>"
        f"<th>{t('mean_difference', lang)}</th><th>{t('interval_95', lang)}</th><th></th></tr>"
    )
    body = []
    for r in rows:
        name, unit = r["indicator"], r["unit"]
        verdict, sig = _verdict(r, lang)
        attrs = {"policy": policy, "indicator": name, "year": year}
        between = t("between", lang, low=_fmt(r["ci_low"], lang, unit), high=_fmt(r["ci_high"], lang, unit))
        body.append(
            f'<tr class="{"sig" if sig else ""}"><td>{html.escape(labels.indicator_label(name, lang))}'
            f' <span class="muted small">({html.escape(_unit(unit, lang))})</span></td>'
            + _cell(r["baseline_mean"], lang, unit, {**attrs, "column": "baseline_mean"})
            + _cell(r["policy_mean"], lang, unit, {**attrs, "column": "policy_mean"})
            + _cell(r["mean_difference"], lang, unit, {**attrs, "column": "mean_difference"}, signed=True)
            + f'<td class="num" data-policy="{html.escape(policy)}" data-indicator="{name}" '
            f'data-year="{year}" data-column="interval" data-low="{float(r["ci_low"])!r}" '
            f'data-high="{float(r["ci_high"])!r}">'
            f"{html.escape(between)}</td><td>{html.escape(verdict)}{' *' if sig else ''}</td></tr>"
        )
    return f'<table class="headline">{head}{"".join(body)}</table>'


def _unit(unit: str, lang: str) -> str:
    try:
        return labels.unit_label(unit, lang)
    except KeyError:
        return unit


def _after_amount(unit: str, lang: str) -> str:
    """The unit as it follows a number: for an amount in euros only its time ("per jaar")."""
    text = _unit(unit, lang)
    if unit.startswith("EUR"):
        for word in ("euro ", "EUR "):
            text = text.removeprefix(word)
        return "" if text in ("euro", "EUR") else text
    return text


def headline_sentences(rows: list[dict], lang: str, year: int) -> list[str]:
    """Plain-language lines for the indicators whose interval excludes zero."""
    out = []
    for r in rows:
        verdict, sig = _verdict(r, lang)
        if not sig:
            continue
        unit = r["unit"]
        between = labels.text(
            "between", lang, low=_fmt(r["ci_low"], lang, unit), high=_fmt(r["ci_high"], lang, unit)
        )
        out.append(
            f"{labels.indicator_label(r['indicator'], lang)}: {_signed(r['mean_difference'], lang, unit)}"
            f" {_after_amount(unit, lang)} {labels.text('in_year', lang, year=year)} ({between})."
        )
    return out


def _svg_img(fig, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}">'


def _axis_numbers(ax, lang: str, unit: str) -> None:
    """Tick labels the language's way, with as many decimals as the tick spacing needs; years as years."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: str(int(round(v)))))
    ticks = np.asarray(ax.get_yticks(), float)
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 1.0
    if unit.startswith("EUR"):
        top = float(np.abs(ticks).max()) if len(ticks) else 0.0
        per = 1e9 if top >= 1e9 else 1e6 if top >= 1e6 else 1.0
        decimals = max(0, int(np.ceil(-np.log10(step / per)))) if step > 0 else 0
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _p: labels.format_eur(v, lang, decimals=decimals if per > 1 else None))
        )
        return
    decimals = max(0, int(np.ceil(-np.log10(step)))) if step > 0 else 0
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _p: labels.format_number(v, lang, decimals=decimals))
    )


def levels_figure(
    summary: pd.DataFrame, indicator: str, scenarios: list[str], names: dict, lang: str, seeds: int
) -> str:
    """Levels over time: the mean over the seeds with the 2.5-97.5 percentile band, per scenario."""
    rows = summary[summary["indicator"] == indicator]
    unit = str(rows["unit"].iloc[0]) if len(rows) else ""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for k, sc in enumerate(scenarios):
        r = rows[rows["scenario"] == sc].sort_values("year")
        colour = PALETTE[k % len(PALETTE)]
        ax.plot(r["year"], r["mean"], color=colour, label=names[sc], linewidth=1.8 if k == 0 else 1.4)
        ax.fill_between(r["year"], r["p2_5"], r["p97_5"], color=colour, alpha=0.15, linewidth=0)
    label = labels.indicator_label(indicator, lang)
    ax.set_title(label, fontsize=10)
    ax.set_ylabel(_unit(unit, lang), fontsize=8)
    _axis_numbers(ax, lang, unit)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    alt = (
        f"{label}: {labels.text('levels_over_time', lang)}, "
        f"{labels.text('mean_over_seeds', lang, n=seeds)}; {labels.text('band_percentiles', lang)}"
    )
    return _svg_img(fig, alt)


def difference_figure(diff: pd.DataFrame, indicator: str, policies: list[str], names: dict, lang: str) -> str:
    """Paired differences with the baseline over time, with their 95% intervals, per policy."""
    rows = diff[diff["indicator"] == indicator]
    unit = str(rows["unit"].iloc[0]) if len(rows) else ""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for k, p in enumerate(policies, start=1):
        r = rows[rows["policy"] == p].sort_values("year")
        colour = PALETTE[k % len(PALETTE)]
        ax.plot(r["year"], r["mean_difference"], color=colour, label=names[p], linewidth=1.4)
        ax.fill_between(r["year"], r["ci_low"], r["ci_high"], color=colour, alpha=0.2, linewidth=0)
    ax.axhline(0, color="black", linewidth=0.7)
    label = labels.indicator_label(indicator, lang)
    ax.set_title(f"{label}: {labels.text('paired_difference', lang)}", fontsize=10)
    ax.set_ylabel(_unit(unit, lang), fontsize=8)
    _axis_numbers(ax, lang, unit)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    alt = f"{label}: {labels.text('paired_difference', lang)} ({labels.text('paired_by_seed', lang)})"
    return _svg_img(fig, alt)


def flow_matrix(summary: pd.DataFrame, scenario: str) -> tuple[list[str], list[str], np.ndarray]:
    """Mean yearly moves (households, national scale) from type to type of one scenario.

    Returns:
        The from-types, the to-types and the matrix (from x to), mean over the seeds and the years.
    """
    rows = summary[(summary["scenario"] == scenario) & summary["indicator"].str.startswith(FLOW_PREFIX)]
    pairs = rows["indicator"].str.slice(len(FLOW_PREFIX)).str.split(".", n=1, expand=True)
    sources = [t for t in (*DWELLING_TYPES, "none") if t in set(pairs[0])]
    targets = [t for t in DWELLING_TYPES if t in set(pairs[1])]
    matrix = np.zeros((len(sources), len(targets)))
    means = rows.groupby("indicator")["mean"].mean()
    for name, value in means.items():
        src, dst = name[len(FLOW_PREFIX) :].split(".", 1)
        if src in sources and dst in targets:
            matrix[sources.index(src), targets.index(dst)] = value
    return sources, targets, matrix


def _type_label(code: str, lang: str) -> str:
    """A dwelling type's label; ``none`` (moved from no dwelling of their own) is the newcomers."""
    if code == "none":
        return labels.text("newcomers", lang)
    return labels.code_label("dwelling_type", code, lang)


def flow_figure(summary: pd.DataFrame, scenario: str, title: str, lang: str) -> str | None:
    """A flow diagram: from-types on the left, to-types on the right, bands as wide as the moves."""
    sources, targets, m = flow_matrix(summary, scenario)
    total = m.sum()
    if total <= 0:
        return None
    keep_s, keep_t = m.sum(axis=1) > 0, m.sum(axis=0) > 0  # types nobody moves from or to are left out
    sources = [x for x, k in zip(sources, keep_s, strict=True) if k]
    targets = [x for x, k in zip(targets, keep_t, strict=True) if k]
    m = m[keep_s][:, keep_t]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    gap = 0.02 * total  # layout: white space between the bars of two types, 2% of all moves
    left = np.concatenate([[0], np.cumsum(m.sum(axis=1) + gap)])[:-1]
    right = np.concatenate([[0], np.cumsum(m.sum(axis=0) + gap)])[:-1]
    out_used = left.copy()
    in_used = right.copy()
    colours = {t: PALETTE[(k + 1) % len(PALETTE)] for k, t in enumerate(sources)}
    for i, src in enumerate(sources):
        for j, _dst in enumerate(targets):
            w = m[i, j]
            if w <= 0:
                continue
            y0, y1 = out_used[i], in_used[j]
            verts = [
                (0, y0),
                (0.5, y0),
                (0.5, y1),
                (1, y1),
                (1, y1 + w),
                (0.5, y1 + w),
                (0.5, y0 + w),
                (0, y0 + w),
                (0, y0),
            ]
            codes = [
                MplPath.MOVETO,
                MplPath.CURVE4,
                MplPath.CURVE4,
                MplPath.CURVE4,
                MplPath.LINETO,
                MplPath.CURVE4,
                MplPath.CURVE4,
                MplPath.CURVE4,
                MplPath.CLOSEPOLY,
            ]
            ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=colours[src], alpha=0.55, linewidth=0))
            out_used[i] += w
            in_used[j] += w
    for i, src in enumerate(sources):
        h = m[i].sum()
        ax.add_patch(plt.Rectangle((-0.04, left[i]), 0.04, h, color=colours[src]))
        if h < 0.015 * total:  # too thin to carry a readable label (the alt text names the large flows)
            continue
        ax.text(
            -0.06,
            left[i] + h / 2,
            f"{_type_label(src, lang)} ({labels.format_number(h, lang)})",
            ha="right",
            va="center",
            fontsize=7,
        )
    for j, dst in enumerate(targets):
        h = m[:, j].sum()
        ax.add_patch(plt.Rectangle((1.0, right[j]), 0.04, h, color="#555555"))
        if h < 0.015 * total:
            continue
        ax.text(
            1.06,
            right[j] + h / 2,
            f"{labels.code_label('dwelling_type', dst, lang)} ({labels.format_number(h, lang)})",
            ha="left",
            va="center",
            fontsize=7,
        )
    ax.set_xlim(-0.9, 1.9)
    ax.set_ylim(max(left[-1] + m[-1].sum(), right[-1] + m[:, -1].sum()) * 1.02, -0.02 * total)
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    alt = (
        f"{title}: {labels.text('from_dwelling_type', lang)} → {labels.text('to_dwelling_type', lang)}; "
        + "; ".join(
            f"{_type_label(s, lang)} → "
            f"{labels.code_label('dwelling_type', t, lang)}: {labels.format_number(m[i, j], lang)}"
            for i, s in enumerate(sources)
            for j, t in enumerate(targets)
            if m[i, j] > 0.05 * total  # the alt text names the flows of 5% of all moves or more
        )
    )
    return _svg_img(fig, alt)


def chain_figure(summary: pd.DataFrame, scenarios: list[str], names: dict, lang: str) -> str | None:
    """Mean chain length by start cause, per scenario (mean over the seeds and the years)."""
    rows = summary[summary["indicator"].str.startswith(CHAIN_PREFIX)]
    if rows.empty:
        return None
    causes = list(dict.fromkeys(rows["indicator"].str.slice(len(CHAIN_PREFIX))))
    fig, ax = plt.subplots(figsize=(6.4, 0.14 * len(causes) * len(scenarios) + 1.4))
    height = 0.8 / len(scenarios)
    values = {}
    for k, sc in enumerate(scenarios):
        r = rows[rows["scenario"] == sc].groupby("indicator")["mean"].mean()
        vals = [r.get(CHAIN_PREFIX + c, np.nan) for c in causes]
        values[sc] = vals
        ax.barh(
            np.arange(len(causes)) + k * height,
            vals,
            height=height,
            color=PALETTE[k % len(PALETTE)],
            label=names[sc],
        )
    ax.set_yticks(
        np.arange(len(causes)) + height * (len(scenarios) - 1) / 2,
        [labels.code_label("start_cause", c, lang) for c in causes],
        fontsize=7,
    )
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: labels.format_number(v, lang)))
    title = labels.text("chain_length_by_start_cause", lang)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(_unit("links", lang), fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3, axis="x")
    alt = f"{title}: " + "; ".join(
        f"{names[sc]}: "
        + ", ".join(
            f"{labels.code_label('start_cause', c, lang)} {labels.format_number(v, lang)}"
            for c, v in zip(causes, vals, strict=True)
        )
        for sc, vals in values.items()
    )
    return _svg_img(fig, alt)


def changed_parameters(scenario: dict) -> list[tuple[str, object, int | None]]:
    """``(group.name, value, year)`` of every parameter a scenario sets (year ``None``: from the start)."""
    out = [
        (f"{g}.{n}", v, None) for g, values in scenario.get("changes", {}).items() for n, v in values.items()
    ]
    for change in scenario.get("dated_changes", []):
        year = change.get("year")
        out += [
            (f"{g}.{n}", v, year) for g, values in change.items() if g != "year" for n, v in values.items()
        ]
    return out


def depending_assumptions(changed: list[str]) -> list[str]:
    """Parameters of kind "assumption" read by the processes the changed levers act in.

    A lever acts in the processes the policy catalogue names; the assumptions of the parameter groups
    those processes read are what the lever's effect depends on (those read while the model runs: a
    parameter read only when the population is built does not carry a policy's effect).
    """
    processes = {p for lever in LEVERS if f"policy.{lever.name}" in changed for p in lever.processes}
    groups = {g for proc in SCHEDULE if proc.name in processes for g in proc.reads} - {"policy"}
    out = []
    for g in GROUPS:
        if g.group_name() in groups:
            out += [
                f"{g.group_name()}.{f.name}"
                for f in fields(g)
                if f.metadata["kind"] == "assumption" and f.metadata.get("changeable", True)
            ]
    return out


def _param_value(value, unit: str, lang: str) -> str:
    """A parameter's value as the report shows it: numbers the language's way, years as years."""
    if isinstance(value, str | bool):
        return str(value)
    if isinstance(value, list | tuple):
        return "; ".join(_param_value(v, unit, lang) for v in value)
    if isinstance(value, int) and "year" in unit and 1800 <= value <= 2200:
        return str(value)
    return labels.format_number(value, lang)


def _param_row(name: str, value, lang: str, year: int | None = None, changed: bool = True) -> str:
    f = parameter_fields()[name]
    meta = f.metadata
    unit = meta["unit"]
    when = "" if year is None else f" ({labels.text('in_year', lang, year=year)})"
    cells = [
        f"<td><code>{html.escape(name)}</code></td>",
        f'<td class="wrap">{html.escape(_param_value(value, unit, lang))}{when}</td>',
    ]
    if changed:
        cells += [f'<td class="wrap">{html.escape(_param_value(f.default, unit, lang))}</td>']
    cells += [f"<td>{html.escape(unit)}</td>"]
    if changed:
        cells += [f"<td>{html.escape(labels.text('kind_' + meta['kind'], lang))}</td>"]
    cells += [f'<td class="small">{html.escape(meta["source"])}</td>']
    return f"<tr>{''.join(cells)}</tr>"


def _param_table(rows: list[str], lang: str, changed: bool = True) -> str:
    t = labels.text
    names = [t("parameter", lang), t("value", lang), t("default", lang), t("unit", lang), t("kind", lang),
             t("source", lang)]
    widths = [22, 12, 12, 14, 10, 30]  # layout: column widths in % of the page
    if not changed:
        names = [names[0], names[1], names[3], names[5]]
        widths = [24, 12, 16, 48]
    head = "<tr>" + "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>"
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    return f'<table class="params"><colgroup>{cols}</colgroup>{head}{"".join(rows)}</table>'


def render(folder: str | Path, lang: str = labels.DEFAULT_LANG, year: int | None = None) -> str:
    """The report of a comparison folder as one HTML document.

    Raises:
        ParameterError: For a folder that is not a complete comparison, an unknown language, or a year
            the comparison does not have.
    """
    labels.lang_index(lang)
    folder = Path(folder)
    info, diff, summary = read_comparison(folder)
    t = labels.text
    baseline = info["baseline"]
    policies = list(info["policies"])
    scenarios = [baseline, *policies]
    names = {sc["name"]: sc["name"] for sc in info["scenarios"]}
    descriptions = {
        sc["name"]: (lang == "nl" and sc.get("description_nl")) or sc.get("description", "")
        for sc in info["scenarios"]
    }
    years = sorted(set(diff["year"]))
    year = years[-1] if year is None else year
    if year not in years:
        raise ParameterError(f"--year {year}: the comparison has the years {years[0]}-{years[-1]}")
    seeds = len(info["seeds"])
    settings = info["settings"]
    main = headline_indicators(diff)
    costs = cost_indicators(diff)

    parts = [
        f"<h1>{html.escape(', '.join(policies))}</h1>",
        f'<p class="sub">{html.escape(t("scenarios_compared", lang).capitalize())}: '
        f"{html.escape(', '.join(policies))}; {html.escape(t('baseline', lang).lower())}: "
        f"{html.escape(baseline)}. {settings['start_year']}-{settings['end_year']}, {t('scale', lang)} "
        f"{_scale(settings['scale'], lang)}, {seeds} {t('seeds', lang)}; "
        f"{t('generated_on', lang)} {time.strftime('%Y-%m-%d')}</p>",
    ]
    # 1 the question
    parts.append(f'<h2 class="first">1. {html.escape(t("the_question", lang).capitalize())}</h2>')
    parts.append(
        "<ul>"
        + "".join(
            f"<li><b>{html.escape(sc)}</b>"
            f"{' (' + html.escape(t('baseline', lang).lower()) + ')' if sc == baseline else ''}: "
            f"{html.escape(descriptions.get(sc, ''))}</li>"
            for sc in scenarios
        )
        + "</ul>"
    )
    # 2 headline per policy
    parts.append(
        f"<h2>2. {html.escape(t('summary', lang).capitalize())} "
        f"({html.escape(t('in_year', lang, year=year))})</h2>"
    )
    parts.append(
        f'<p class="small muted">{html.escape(t("paired_difference", lang))}, '
        f"{html.escape(t('paired_by_seed', lang))}, {seeds} {html.escape(t('seeds', lang))}. "
        f"{html.escape(t('interval_excludes_zero_mark', lang))}.</p>"
    )
    for p in policies:
        rows = headline_rows(diff, p, year, main)
        cost_rows = [r for r in headline_rows(diff, p, year, costs) if _moves(r)]
        lines = headline_sentences(rows + cost_rows, lang, year)
        said = (
            "".join(f"<li>{html.escape(x)}</li>" for x in lines)
            or f"<li>{html.escape(t('not_significant', lang))}</li>"
        )
        parts.append(
            f'<div class="policy"><h3>{html.escape(p)}</h3><p>{html.escape(descriptions.get(p, ""))}'
            f"</p><ul>{said}</ul>{headline_table(rows, p, year, lang)}"
        )
        if cost_rows:
            parts.append(
                f"<h4>{html.escape(t('costs', lang).capitalize())}</h4>"
                + headline_table(cost_rows, p, year, lang)
            )
        parts.append("</div>")
    # 3 figures
    parts.append(f"<h2>3. {html.escape(t('levels_over_time', lang).capitalize())}</h2>")
    parts.append(
        f'<p class="small muted">{html.escape(t("mean_over_seeds", lang, n=seeds))}; '
        f"{html.escape(t('band_percentiles', lang))}. {html.escape(t('paired_difference', lang))}.</p>"
    )
    zero = []
    for name in main + costs:
        rows = summary[summary["indicator"] == name][["mean", "p2_5", "p97_5"]].to_numpy()
        if rows.size and not np.any(rows):  # zero in every scenario, year and seed: nothing to draw
            zero.append(labels.indicator_label(name, lang))
            continue
        figs = [
            levels_figure(summary, name, scenarios, names, lang, seeds),
            difference_figure(diff, name, policies, names, lang),
        ]
        parts.append('<div class="grid">' + "".join(f"<figure>{f}</figure>" for f in figs) + "</div>")
    if zero:
        listed = html.escape("; ".join(zero))
        parts.append(f'<p class="small">{html.escape(t("always_zero", lang))}: {listed}.</p>')
    flows = [
        flow_figure(summary, sc, f"{t('moves_between_dwelling_types', lang).capitalize()}: {sc}", lang)
        for sc in scenarios
    ]
    parts.append(f"<h3>{html.escape(t('moves_between_dwelling_types', lang).capitalize())}</h3>")
    if any(flows):
        over_years = t("mean_over_years", lang, start=settings["start_year"], end=settings["end_year"])
        parts.append(
            f'<p class="small muted">{html.escape(over_years)}, '
            f"{html.escape(t('mean_over_seeds', lang, n=seeds))}.</p>"
        )
        parts.append('<div class="grid">' + "".join(f"<figure>{f}</figure>" for f in flows if f) + "</div>")
    else:
        parts.append(f"<p>{html.escape(t('not_available', lang))}</p>")
    chains = chain_figure(summary, scenarios, names, lang)
    parts.append(f"<h3>{html.escape(t('chain_length_by_start_cause', lang).capitalize())}</h3>")
    parts.append(
        f"<figure>{chains}</figure>" if chains else f"<p>{html.escape(t('not_available', lang))}</p>"
    )
    # 4 assumptions
    parts.append(f"<h2>4. {html.escape(t('assumptions', lang).capitalize())}</h2>")
    for sc in info["scenarios"]:
        if sc["name"] == baseline and not changed_parameters(sc):
            continue
        changed = changed_parameters(sc)
        parts.append(f"<h3>{html.escape(sc['name'])}</h3>")
        parts.append(_param_table([_param_row(n, v, lang, y) for n, v, y in changed], lang))
        depend = depending_assumptions([n for n, _v, _y in changed])
        if depend:
            defaults = parameter_fields()
            parts.append(f'<p class="small">{html.escape(t("assumptions", lang).capitalize())}:</p>')
            rows = [_param_row(n, defaults[n].default, lang, changed=False) for n in depend]
            parts.append(_param_table(rows, lang, changed=False))
    # 5 how it was made
    parts.append(f"<h2>5. {html.escape(t('how_this_report_was_made', lang).capitalize())}</h2>")
    command = " ".join(shlex.quote(a) for a in info.get("argv", []))
    facts = [
        (t("version", lang), f"doorstroom {info.get('doorstroom_version', '')}"),
        (t("results_version", lang), str(info.get("results_version", ""))),
        (t("git_revision", lang), str(info.get("git_revision", ""))),
        (t("seeds", lang), ", ".join(str(s) for s in info["seeds"])),
        (t("scale", lang), _scale(settings["scale"], lang)),
        (t("years", lang), f"{settings['start_year']}-{settings['end_year']}"),
        (t("run_time", lang), f"{labels.format_number(info.get('wall_seconds', float('nan')), lang)} s"),
        (t("reproduce_with", lang), f"<code>{html.escape(command)}</code>"),
        ("ODD", f'<a href="{METHODS.as_uri()}">docs/ODD.md</a>'),
    ]
    raw = (t("reproduce_with", lang), "ODD")  # already HTML
    parts.append(
        "<table>"
        + "".join(
            f"<tr><th>{html.escape(k)}</th><td>{v if k in raw else html.escape(v)}</td></tr>"
            for k, v in facts
        )
        + "</table>"
    )
    title = f"doorstroom: {', '.join(policies)} / {baseline}"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{GENERATOR}'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )


def render_batch(folder: str | Path, lang: str = labels.DEFAULT_LANG, year: int | None = None) -> str:
    """The report of a batch folder (``doorstroom batch``): the design and what matters most.

    For each main indicator in the year (the last by default) and each lever: the sensitivity indices
    of the design's method (:func:`experiments.sensitivity.analyse`), as a table and a figure.

    Raises:
        ParameterError: For a folder that is not a complete batch or a year it does not have.
    """
    labels.lang_index(lang)
    folder = Path(folder)
    design, info = read_batch(folder)
    t = labels.text
    settings = info["settings"]
    years = list(range(settings["start_year"], settings["end_year"] + 1))
    year = years[-1] if year is None else year
    if year not in years:
        raise ParameterError(f"--year {year}: the batch has the years {years[0]}-{years[-1]}")
    method = METHOD_OF[design["sampler"]]
    x = np.loadtxt(folder / "design.csv", delimiter=",", skiprows=1, ndmin=2)[:, 1:]
    fields_by_name = parameter_fields()
    parts = [
        f"<h1>{html.escape(design['name'])}</h1>",
        f'<p class="sub">{html.escape(design.get("description", ""))}. {t("sampler", lang)} '
        f"{html.escape(design['sampler'])}, {design['points']} {t('points', lang)}, {info['runs']} "
        f"{t('runs', lang)}; {settings['start_year']}-{settings['end_year']}, {t('scale', lang)} "
        f"{_scale(settings['scale'], lang)}, {len(design['seeds'])} {t('seeds', lang)}; "
        f"{t('generated_on', lang)} {time.strftime('%Y-%m-%d')}</p>",
        f'<h2 class="first">1. {html.escape(t("design", lang).capitalize())}</h2>',
        f"<h3>{html.escape(t('levers', lang).capitalize())}</h3><ul>"
        + "".join(
            f"<li><b>{html.escape(sc['name'])}</b>: {html.escape(sc.get('description', ''))}</li>"
            for sc in design["scenarios"]
        )
        + "</ul>",
        f"<h3>{html.escape(t('uncertain_parameters', lang).capitalize())}</h3>",
    ]
    head = (
        f"<tr><th>{t('parameter', lang)}</th><th>{t('distribution', lang)}</th><th>{t('range', lang)}</th>"
        f"<th>{t('unit', lang)}</th><th>{t('source', lang)}</th></tr>"
    )
    rows = []
    for u in design["uncertainties"]:
        given = u.get("given") or {}
        shown = ("; ".join(labels.format_number(v, lang) for v in u["values"]) if u["values"] else
                 ", ".join(f"{k} {labels.format_number(v, lang)}" for k, v in given.items()))
        rows.append(
            f"<tr><td><code>{html.escape(u['name'])}</code></td><td>{html.escape(u['distribution'])}</td>"
            f'<td class="wrap">{html.escape(shown)}</td><td>{html.escape(u["unit"])}</td>'
            f'<td class="small">{html.escape(fields_by_name[u["name"]].metadata["source"])}</td></tr>'
        )
    cols = "".join(f'<col style="width:{w}%">' for w in (26, 10, 16, 14, 34))  # layout: % of the page
    parts.append(f'<table class="params"><colgroup>{cols}</colgroup>{head}{"".join(rows)}</table>')
    parts.append(
        f"<h2>2. {html.escape(t('sensitivity_indices', lang).capitalize())} "
        f"({html.escape(t('in_year', lang, year=year))})</h2>"
    )
    note = t("sensitivity_note", lang, method=method, points=design["points"])
    parts.append(f'<p class="small muted">{html.escape(note)}.</p>')
    for sc in design["scenarios"]:
        if len(design["scenarios"]) > 1:
            parts.append(f"<h3>{html.escape(sc['name'])}</h3>")
        for name in MAIN_INDICATORS:
            label = labels.indicator_label(name, lang)
            try:
                y = point_outputs(folder, name, year, sc["name"], design["points"])
                found, columns, notes = analyse(design, x, y, method)
            except ParameterError as exc:  # named with its reason, never left out silently
                parts.append(f"<p>{html.escape(label)}: {html.escape(str(exc))}.</p>")
                continue
            key = next(c for c in ("ST", "mu_star", "src") if c in columns)
            ordered = sorted(found, key=lambda r, k=key: -abs(r[k]))
            table = (
                "<table><tr><th>"
                + html.escape(t("parameter", lang))
                + "</th>"
                + "".join(f"<th>{c}</th>" for c in columns)
                + "</tr>"
                + "".join(
                    "<tr><td><code>"
                    + html.escape(r["parameter"])
                    + "</code></td>"
                    + "".join(
                        f'<td class="num">{labels.format_number(r[c], lang, decimals=3)}</td>'
                        for c in columns
                    )
                    + "</tr>"
                    for r in ordered
                )
                + "</table>"
            )
            extra = "; ".join(f"{k} = {labels.format_number(v, lang, decimals=2)}" for k, v in notes.items())
            fig = index_figure(ordered, columns, f"{label}, {year}")
            parts.append(
                f'<h3>{html.escape(label)}</h3><div><figure>'
                f"{_svg_img(fig, f'{label}: {method}, ' + ', '.join(r['parameter'] for r in ordered[:3]))}"
                f'</figure><div>{table}<p class="small">{html.escape(extra)}</p></div></div>'
            )
    parts.append(f"<h2>3. {html.escape(t('how_this_report_was_made', lang).capitalize())}</h2>")
    command = " ".join(shlex.quote(a) for a in info.get("argv", []))
    facts = [
        (t("version", lang), f"doorstroom {html.escape(str(info.get('doorstroom_version', '')))}"),
        (t("results_version", lang), html.escape(str(info.get("results_version", "")))),
        (t("git_revision", lang), html.escape(str(info.get("git_revision", "")))),
        (t("run_time", lang), f"{labels.format_number(info.get('wall_seconds', float('nan')), lang)} s"),
        (t("reproduce_with", lang), f"<code>{html.escape(command)}</code>"),
        ("ODD", f'<a href="{METHODS.as_uri()}">docs/ODD.md</a>'),
    ]
    parts.append(
        "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in facts) + "</table>"
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{GENERATOR}'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>doorstroom: {html.escape(design['name'])}</title><style>{CSS}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )


def write_report(
    folder: str | Path,
    out: str | Path | None = None,
    lang: str = labels.DEFAULT_LANG,
    year: int | None = None,
) -> Path:
    """Renders the report and writes it atomically (default ``DIR/report.html``, or ``report.en.html``).

    Raises:
        ParameterError: As :func:`render`, for an ``--out`` that does not end in ``.html``, or a
            report above :data:`MAX_BYTES`.
    """
    folder = Path(folder)
    out = Path(out) if out else folder / ("report.html" if lang == "nl" else f"report.{lang}.html")
    if out.suffix != ".html":
        raise ParameterError(f"--out {str(out)!r}: expected a file name ending in .html")
    if out.exists() and (not out.is_file() or GENERATOR not in out.read_text(encoding="utf-8",
                                                                              errors="replace")[:2000]):
        raise ParameterError(f"--out {str(out)!r} exists and is not a doorstroom report; refusing to replace "
                             "it: choose another file name")
    marker = read_marker(folder) if folder.is_dir() else None
    kind = marker.get("kind") if marker else None
    page = (render_batch if kind == "batch" else render)(folder, lang, year).encode("utf-8")
    if len(page) > MAX_BYTES:
        raise ParameterError(
            f"the report would be {len(page) / 2**20:.1f} MiB, above the "
            f"{MAX_BYTES / 2**20:.0f} MiB it may take"
        )
    atomic_write_bytes(out, page)
    return out


def cmd_report(args) -> int:
    """Runs ``doorstroom report`` from parsed arguments."""
    path = write_report(args.folder, args.out, args.lang, args.year)
    print(f"report written to {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    return 0
