"""``doorstroom calibrate CONFIG --out DIR`` and ``doorstroom woon-synthetic --out FILE.sav``.

A calibration file (TOML) names the targets, the free parameters and the settings::

    [calibration]
    name = "intention effects"          # a name for the report
    scale = 0.01                          # sample fraction of every evaluation
    seeds = [1]                           # common random numbers: the same seeds for every evaluation
    targets = "targets.toml"              # optional: a target file (relative to this file)
    validate = ["woon_maybe_mismatch"]    # optional: targets held out of the fit, reported as checks
    max_evaluations = 40                  # optional: the optimiser's budget of objective evaluations
    fd_step = 0.01                        # optional: finite-difference step, share of the bounds' width

    [woon]                                # optional: targets from a WoON .sav (relative paths)
    file = "woon.sav"
    mapping = "mapping.toml"              # default: the synthetic files' mapping
    moments = "moments.toml"              # default: calibration/data/woon_moments.toml

    [[free]]                              # one table per free number
    parameter = "moving.effect_owner[0]"
    bounds = [-3.0, 3.0]                  # default: the parameter schema's bounds (must be finite)
    start = 0.0                           # default: the parameter's present value

The output folder holds the store of evaluations (``evals/``; a stopped calibration started again with
the same command continues from it), ``calibrated.toml`` (the fitted values as a scenario file, with
provenance), ``fit.json``, ``targets.csv``, ``trace.csv``, a figure per target group and
``report.html``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import sys
import time
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from agents.model import DoorstroomModel
from agents.schedule import REGISTRY
from calibration.fit import WEAK_VIF, Calibration, CalibrationError, free_parameter
from calibration.frame import model_frame
from calibration.targets import TargetError, load_targets, targets_hash
from calibration.tomlfile import read_toml
from calibration.woon import (
    SYNTHETIC_MAPPING,
    WoonError,
    read_woon,
    simulation_ratio,
    survey_correlation,
    survey_targets,
    write_synthetic_woon,
)
from experiments.folders import (
    MARKER,
    check_new_file,
    check_results_folder,
    ensure_parent,
    folder_lock,
    marker_bytes,
)
from experiments.runner import git_revision
from experiments.scenario import load_scenario
from experiments.writers import atomic_write_bytes, short_revision, write_csv
from sim.outputs import RESULTS_VERSION
from sim.params import BASELINE_CALIBRATION, ParameterError, Parameters, RunSettings, baseline_calibration

CONFIG_KEYS = {"calibration": {"name", "scale", "seeds", "targets", "validate", "max_evaluations",
                               "fd_step"},
               "woon": {"file", "mapping", "moments"}, "free": {"parameter", "bounds", "start"}}
DATA = Path(__file__).resolve().parent.parent / "calibration" / "data"


def load_config(path: str | Path) -> dict:
    """Reads a calibration file; refuses unknown tables or keys and missing free parameters."""
    p = Path(path)
    cfg = read_toml(p, "calibration file", ParameterError)
    unknown = set(cfg) - set(CONFIG_KEYS)
    if unknown:
        raise ParameterError(f"calibration file {p}: unknown tables {sorted(unknown)}; expected "
                             f"{sorted(CONFIG_KEYS)}")
    for table in ("calibration", "woon"):
        bad = set(cfg.get(table, {})) - CONFIG_KEYS[table]
        if bad:
            raise ParameterError(f"calibration file {p}: [{table}] has unknown keys {sorted(bad)}; "
                                 f"expected {sorted(CONFIG_KEYS[table])}")
    free = cfg.get("free", [])
    if not free:
        raise ParameterError(f"calibration file {p}: no [[free]] parameters")
    for f in free:
        bad = set(f) - CONFIG_KEYS["free"]
        if bad:
            raise ParameterError(f"calibration file {p}: [[free]] {f.get('parameter')!r} has unknown "
                                 f"keys {sorted(bad)}")
    if "targets" not in cfg.get("calibration", {}) and "woon" not in cfg:
        raise ParameterError(f"calibration file {p}: give [calibration] targets or a [woon] file")
    cfg["_folder"] = p.resolve().parent
    return cfg


def setup(cfg: dict, base_params, log) -> tuple[list, list, dict]:
    """The targets, free parameters and settings of a calibration file (errors named, before work)."""
    folder = cfg["_folder"]
    c = cfg.get("calibration", {})
    targets, provenance = [], {}
    if "targets" in c:
        tpath = folder / c["targets"]
        targets += load_targets(tpath, indicators=set(REGISTRY))
        provenance["targets_file"] = _shown(tpath)
        provenance["targets_sha256"] = targets_hash(tpath)
    if "woon" in cfg:
        w = cfg["woon"]
        if "file" not in w:
            raise ParameterError("[woon] needs file = the .sav to read")
        mapping = folder / w["mapping"] if "mapping" in w else DATA / SYNTHETIC_MAPPING
        frame, info = read_woon(folder / w["file"], mapping)
        survey = survey_targets(frame, info, folder / w["moments"] if "moments" in w else None)
        targets += survey
        cfg["_correlation"] = survey_correlation(frame, survey)
        cfg["_simulation_ratio"] = simulation_ratio(frame, survey, c.get("scale", 0.01),
                                                    len(c.get("seeds", [1])))
        log(f"doorstroom calibrate: {info['households']} households read from {info['file']}"
            + (f" ({sum(info['left_out_missing'].values())} left out for missing answers)"
               if info["left_out_missing"] else ""))
        provenance["woon_file"] = info["file"]
        provenance["woon_label"] = info["file_label"]
    held = set(c.get("validate", []))
    unknown = held - {t.name for t in targets}
    if unknown:
        raise ParameterError(f"[calibration] validate names unknown targets {sorted(unknown)}")
    targets = [t if t.name not in held else type(t)(**{**t.__dict__, "use": "check"}) for t in targets]
    free = [free_parameter(f, base_params) for f in cfg["free"]]
    seeds = c.get("seeds", [1])
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and s >= 1 for s in seeds):
        raise ParameterError(f"[calibration] seeds = {seeds!r}: expected a list of integers >= 1")
    RunSettings(scale=c.get("scale", 0.01), seed=seeds[0])  # checks the scale
    step = c.get("fd_step", 0.01)
    if isinstance(step, bool) or not isinstance(step, int | float) or not 0 < step <= 0.2:
        raise ParameterError(f"[calibration] fd_step = {step!r}: expected a share of each parameter's "
                             "bounds' width above 0 and at most 0.2")
    return targets, free, provenance


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it lies below it (as written in reports)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def cmd_calibrate(args) -> int:
    """Runs ``doorstroom calibrate``: fits, then writes the report (see the module docstring)."""
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        cfg = load_config(args.config)
        extra = [n.strip() for n in getattr(args, "validate", "").split(",") if n.strip()]
        if extra:
            c0 = cfg.setdefault("calibration", {})
            c0["validate"] = [*c0.get("validate", []), *extra]
        scenario = load_scenario(args.scenario)
        targets, free, provenance = setup(cfg, scenario.parameters(), log)
        c = cfg.get("calibration", {})
        out = check_results_folder(args.out, "calibrate")
        t0 = time.perf_counter()
        with folder_lock(out):
            out.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(out / MARKER, marker_bytes("calibrate"))
            n_fit = sum(t.use == "fit" for t in targets)
            log(f"doorstroom calibrate: {len(free)} free parameters, {n_fit} targets to fit, "
                f"{len(targets) - n_fit} checks; scale {c.get('scale', 0.01)}, seeds {c.get('seeds', [1])}")
            cal = Calibration(targets, free, scenario.parameters(), c.get("scale", 0.01),
                              c.get("seeds", [1]), out, workers=args.workers,
                              fd_step=float(c.get("fd_step", 0.01)), log=log,
                              correlation=cfg.get("_correlation"),
                              simulation_ratio=cfg.get("_simulation_ratio"))
            result = cal.fit(max_evaluations=int(c.get("max_evaluations", 40)))
            result["wall_seconds"] = round(time.perf_counter() - t0, 1)
            write_report(out, cfg, args, result, free, provenance)
    except (CalibrationError, TargetError, WoonError) as exc:
        raise ParameterError(str(exc)) from exc
    print(summary(result))
    print(f"report: {out / 'report.html'}; fitted values: {out / 'calibrated.toml'}")
    if out.resolve() == (Path(__file__).resolve().parent.parent / BASELINE_CALIBRATION):
        now = read_toml(out / "calibrated.toml", "calibrated values", ParameterError)
        now.pop("scenario", None)
        if now == baseline_calibration():  # the values this process started with
            print("the baseline's calibrated values are unchanged: its results stay as they are")
        else:
            print(f"the baseline now uses these values ({BASELINE_CALIBRATION}/calibrated.toml): its "
                  "results change, so raise RESULTS_VERSION in sim/outputs.py and run make golden")
    return 0


def summary(result: dict) -> str:
    """The parameters and targets of a fit as text tables."""
    lines = [f"objective {result['objective']:.3f} with {result['degrees_of_freedom']} degrees of "
             f"freedom; {'converged' if result['converged'] else 'NOT converged'}: {result['message']}",
             f"{'parameter':34} {'start':>9} {'estimate':>10} {'se':>8}  note"]
    for p in result["parameters"]:
        note = "NOT IDENTIFIED by the targets" if not p["identified"] else (
            "at a bound" if p["at_bound"] else (
                f"weakly identified: variance inflation {p['vif']:.0f}" if p["vif"] > WEAK_VIF else (
                    "weakly identified: se exceeds the estimate" if p["se"] > abs(p["estimate"]) else "")))
        lines.append(f"{p['parameter']:34} {p['start']:9.4g} {p['estimate']:10.4g} {p['se']:8.3g}  {note}")
    lines.append(f"{'target':36} {'use':5} {'data':>10} {'model':>10} {'gap (se)':>9}")
    for t in result["targets"]:
        flag = ""
        if abs(t["gap_se"]) > 2:
            flag = "  does not fit (|gap| > 2 se)" + (f": {t['note']}" if t.get("note") else "")
        lines.append(f"{t['target']:36} {t['use']:5} {t['data']:10.4g} {t['model']:10.4g} "
                     f"{t['gap_se']:9.2f}{flag}")
    return "\n".join(lines)


def _toml_value(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(v)


def write_report(out: Path, cfg: dict, args, result: dict, free, provenance: dict) -> None:
    """Writes ``calibrated.toml``, ``fit.json``, ``targets.csv``, ``trace.csv``, figures, ``report.html``."""
    name = cfg.get("calibration", {}).get("name", "calibration")
    today = dt.date.today().isoformat()
    est = {p["parameter"]: p["estimate"] for p in result["parameters"]}
    base = load_scenario(args.scenario).parameters().to_dict()
    groups: dict[str, dict] = {}
    for p in free:
        value = base[p.group][p.name]
        if p.index is not None:
            value[p.index] = est[p.label]
        else:
            value = est[p.label]
        groups.setdefault(p.group, {})[p.name] = value
    Parameters.from_dict(groups)  # the fitted values are valid parameters
    head = [f"# Calibrated by `doorstroom calibrate {args.config}` on {today}: {name}",
            f"# provenance: calibrated; results version {RESULTS_VERSION}; git "
            f"{short_revision(git_revision())}",
            *[f"# {k}: {v}" for k, v in provenance.items()],
            "# standard errors: " + ", ".join(f"{p['parameter']} {p['se']:.3g}"
                                              for p in result["parameters"]),
            "[scenario]", f"name = {json.dumps('calibrated_' + name.replace(' ', '_')[:40])}",
            f"description = {json.dumps('Calibrated values: ' + name)}", ""]
    for g, vals in groups.items():
        head.append(f"[{g}]")
        head += [f"{k} = {_toml_value(v)}" for k, v in vals.items()]
        head.append("")
    atomic_write_bytes(out / "calibrated.toml", "\n".join(head).encode())
    info = {k: v for k, v in result.items() if k != "trace"} | {"provenance": provenance, "date": today,
                                                                 "results_version": RESULTS_VERSION}
    atomic_write_bytes(out / "fit.json", (json.dumps(info, indent=2) + "\n").encode())
    write_csv(out / "targets.csv", list(result["targets"][0]), result["targets"])
    write_csv(out / "trace.csv", list(result["trace"][0]), result["trace"])
    figures = _figures(out, result)
    rows = "".join(
        f"<tr><td>{html.escape(t['target'])}</td><td>{t['use']}</td><td>{t['data']:.4g}</td>"
        f"<td>{t['model']:.4g}</td><td>{t['gap_se']:.2f}</td>"
        f"<td>{_misfit(t)}</td><td>{html.escape(t['source'][:120])}</td></tr>"
        for t in result["targets"])
    prows = "".join(
        f"<tr><td>{html.escape(p['parameter'])}</td><td>{p['start']:.4g}</td><td>{p['estimate']:.4g}</td>"
        f"<td>{p['se']:.3g}</td><td>{p['vif']:.1f}</td><td>{'yes' if p['identified'] else 'NO'}</td></tr>"
        for p in result["parameters"])
    imgs = "".join(f'<figure><img src="{f}" alt="data and model of the targets of group '
                   f'{html.escape(Path(f).stem)}"><figcaption>{html.escape(Path(f).stem)}</figcaption>'
                   "</figure>" for f in figures)
    page = (f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{html.escape(name)}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:2px 8px}"
            "table{border-collapse:collapse}tr:nth-child(even){background:#eee}</style>"
            f"<h1>Calibration: {html.escape(name)}</h1><p>{today}; objective {result['objective']:.3f}, "
            f"{result['degrees_of_freedom']} degrees of freedom; "
            f"{'converged' if result['converged'] else 'not converged'} ({html.escape(result['message'])}); "
            f"{result['evaluations']['run']} model evaluations run, {result['evaluations']['stored']} "
            f"read from the store, {result['wall_seconds']} s.</p>"
            f"<h2>Parameters</h2><table><tr><th>parameter</th><th>start</th><th>estimate</th><th>se</th>"
            f"<th>variance inflation</th><th>identified</th></tr>{prows}</table>"
            f"<h2>Targets</h2><p>Gap: (model - data) / se; checks are held out of the fit.</p><table>"
            f"<tr><th>target</th><th>use</th><th>data</th><th>model</th><th>gap (se)</th><th>fits?</th>"
            f"<th>source</th>"
            f"</tr>{rows}</table><h2>Figures</h2>{imgs}<p>Objective by evaluation: trace.csv. Fitted "
            f"values: calibrated.toml.</p></html>")
    atomic_write_bytes(out / "report.html", page.encode())


def _misfit(t: dict) -> str:
    """The report's verdict on a target: blank within 2 se, else 'does not fit' with the known reason."""
    if abs(t["gap_se"]) <= 2:
        return ""
    reason = html.escape(t.get("note") or "no known reason: the model or the target is wrong")
    return f"<b>does not fit</b>: {reason}"


def _figures(out: Path, result: dict) -> list[str]:
    names = []
    by_group: dict[str, list[dict]] = {}
    for t in result["targets"]:
        by_group.setdefault(t["group"], []).append(t)
    for group, ts in by_group.items():
        fig = Figure(figsize=(9, 0.35 * len(ts) + 1.4))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        y = list(range(len(ts)))
        # targets of one group have different units: each is drawn as its gap in standard errors
        ax.axvspan(-2, 2, color="#0072B2", alpha=0.12, label="data within 2 se")
        ax.axvline(0, color="#0072B2", lw=1)
        gaps = [t["gap_se"] for t in ts]
        ax.plot(gaps, y, "x", color="#D55E00", ms=8, label="model")
        for yi, t in zip(y, ts, strict=True):  # the values, in a column right of the plot
            ax.text(1.02, yi, f"data {t['data']:.4g}, model {t['model']:.4g}"
                    + (" (check)" if t["use"] == "check" else ""), transform=ax.get_yaxis_transform(),
                    fontsize=7, va="center")
        ax.set_yticks(y, [t["target"] for t in ts], fontsize=7)
        ax.set_xlabel("gap: (model - data) / standard error of the data", fontsize=8)
        lim = max(3.0, *(abs(g) + 1.5 for g in gaps))
        ax.set_xlim(-lim, lim)
        ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1), ncols=2, frameon=False)
        ax.set_title(f"targets: {group}", fontsize=9, loc="right")
        fig.tight_layout()
        fig.subplots_adjust(right=0.68)
        name = f"targets_{group}.png"
        fig.savefig(out / name, dpi=110)
        names.append(name)
    return names


def cmd_woon_synthetic(args) -> int:
    """Runs ``doorstroom woon-synthetic``: a SYNTHETIC WoON-format file drawn from the model."""
    out = check_new_file(args.out, ".sav", args.households, 100)
    if args.year < 2026:
        raise ParameterError(f"--year {args.year}: expected 2026 or later (1 January after a year run)")
    scenario = load_scenario(args.scenario)
    settings = RunSettings(scale=args.scale, seed=args.seed, end_year=args.year - 1)
    ensure_parent(out)
    model = DoorstroomModel(scenario.parameters(), settings)
    while model.running:
        model.step()
    description = (f"scenario {scenario.name}, scale {args.scale:g}, seed {args.seed}, 1 January "
                   f"{args.year}, sample seed {args.sample_seed}")
    facts = write_synthetic_woon(out, model_frame(model), args.households, args.sample_seed, description)
    print(f"{out}: SYNTHETIC WoON-format file, {facts['households']} households representing "
          f"{facts['represented']:,.0f}; drawn from the model ({description}); map it with "
          f"calibration/data/{SYNTHETIC_MAPPING}")
    return 0
