"""The ``doorstroom`` command line.

``doorstroom run`` runs one scenario and writes its Parquet tables and ``manifest.json``;
``doorstroom compare`` runs scenarios paired by seed and writes their differences and figures;
``doorstroom batch`` runs a parameter design (SALib samplers; local processes or Dask) and
``doorstroom sensitivity`` computes its sensitivity indices; ``doorstroom report`` writes the HTML report
of a comparison;
``doorstroom params`` lists the parameters with units and sources; ``doorstroom policies`` lists the
policy levers with their modules; ``doorstroom bench`` measures speed and memory. Every option is
checked before any work starts.
"""

from __future__ import annotations

import os

# The model does no large linear algebra; a BLAS thread pool only spins next to the one busy core
# (a dot product of the accounting once doubled the CPU time of a run). Set before numpy loads; a
# user's own setting wins, and worker processes inherit it.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import sys  # noqa: E402

from agents.policies import catalogue  # noqa: E402
from experiments.pool import MODEL_PRELOAD, Stopped, WorkerError, start_server, stop_on_signals  # noqa: E402
from sim.params import ParameterError, parameter_table  # noqa: E402

COMMANDS = {
    "run": ("experiments.runner", "cmd_run"),
    "params": ("experiments.cli", "cmd_params"),
    "policies": ("experiments.cli", "cmd_policies"),
    "bench": ("experiments.bench", "main"),
    "compare": ("experiments.compare", "cmd_compare"),
    "batch": ("experiments.batch", "cmd_batch"),
    "sensitivity": ("experiments.sensitivity", "cmd_sensitivity"),
    "validate": ("experiments.validate", "cmd_validate"),
    "calibrate": ("experiments.calibrate", "cmd_calibrate"),
    "woon-synthetic": ("experiments.calibrate", "cmd_woon_synthetic"),
    "network": ("experiments.network", "cmd_network"),
    "odd": ("experiments.odd", "cmd_odd"),
    "report": ("experiments.report", "cmd_report"),
}
"""Subcommand -> (module, function): a command loads only the modules it needs (``doorstroom params``
does not import Mesa, matplotlib or scipy)."""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number in (0, 1]")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def _sample_arguments(parser, out_name: str, *, seed: int, year: int, year_help: str, households: int,
                      households_help: str) -> None:
    """The options of a command that writes a sample drawn from a model run into a new file."""
    parser.add_argument("--out", required=True, metavar=out_name, help="file to write (never replaced)")
    parser.add_argument("--scenario", help="scenario TOML file (default: the baseline)")
    parser.add_argument("--scale", type=_positive_float, default=0.01, metavar="X",
                        help="sample fraction of the model run (default 0.01)")
    parser.add_argument("--seed", type=_int, default=seed, metavar="N",
                        help=f"seed of the run (default {seed})")
    parser.add_argument("--year", type=_int, default=year, metavar="YEAR", help=year_help)
    parser.add_argument("--households", type=_int, default=households, metavar="N",
                        help=f"{households_help} (default {households:,})")
    parser.add_argument("--sample-seed", type=_int, default=7, metavar="N",
                        help="seed of the sample (default 7)")


def _many_run_arguments(parser, where: str) -> None:
    """The settings shared by the runs of a command that runs many (compare, batch) and its workers."""
    parser.add_argument("--scale", type=_positive_float, metavar="X",
                        help=f"sample fraction, in (0, 1] (default: {where}, else 0.01)")
    parser.add_argument("--start", type=_int, dest="start_year", metavar="YEAR",
                        help="first year recorded (>= 2025)")
    parser.add_argument("--end", type=_int, dest="end_year", metavar="YEAR",
                        help=f"last year simulated (default: {where}, else 2050)")
    parser.add_argument("--steps-per-year", type=_int, dest="steps_per_year", metavar="K",
                        help="1, 2, 4 or 12 (default 12, monthly)")
    parser.add_argument("--workers", type=_int, metavar="W",
                        help="worker processes (default min(2, number of CPUs))")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of all subcommands."""
    parser = argparse.ArgumentParser(prog="doorstroom", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write its results")
    run.add_argument("--scenario", help="scenario TOML file (default: the baseline)")
    run.add_argument("--scale", type=_positive_float,
                     help="sample fraction of the population, in (0, 1] (default 0.01)")
    run.add_argument("--seed", type=_int, help="root random seed (default 1)")
    run.add_argument("--start", type=_int, dest="start_year", help="first year recorded (>= 2025)")
    run.add_argument("--end", type=_int, dest="end_year", help="last year simulated (default 2050)")
    run.add_argument("--steps-per-year", type=_int, dest="steps_per_year",
                     help="1, 2, 4 or 12 (default 12, monthly)")
    run.add_argument("--out", required=True, help="output folder (replaced atomically)")
    run.add_argument("--debug", action="store_true", help="check invariants after every step")
    run.add_argument("--quiet", action="store_true", help="no progress lines")

    sub.add_parser("params", help="list all parameters with unit, provenance and source")
    sub.add_parser("policies", help="list every policy lever: its scenario key, module and processes")

    bench = sub.add_parser("bench", help="measure seconds per simulated year and peak memory")
    bench.add_argument("--scales", default="0.01,1.0",
                       help="comma-separated scales to time (default 0.01,1.0)")
    bench.add_argument("--years", type=_int, default=None,
                       help="simulated years per scale (default: 2025-2050)")
    bench.add_argument("--reference-households", type=_int, default=100_000,
                       help="population size of the side-by-side reference comparison")
    bench.add_argument("--reference-steps", type=_int, default=3,
                       help="steps timed for the reference comparison")

    cmp = sub.add_parser("compare", help="paired multi-seed comparison of policies with a baseline")
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO.toml",
                     help="the baseline scenario file first, then one or more policy files")
    cmp.add_argument("--seeds", type=_int, required=True, metavar="N",
                     help="number of seeds; every scenario runs with seeds 1..N (paired runs)")
    _many_run_arguments(cmp, "baseline [run]")
    cmp.add_argument("--out", required=True, metavar="DIR",
                     help="output folder; rerunning the same command resumes and reuses finished runs")
    bat = sub.add_parser("batch", help="run a parameter design (grid, list, LHS, Sobol, Morris) over levers "
                         "and seeds")
    bat.add_argument("design", metavar="DESIGN.toml", help="design file (see experiments/design.py)")
    _many_run_arguments(bat, "the design's [run]")
    bat.add_argument("--scheduler", metavar="ADDRESS",
                     help="run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' for a "
                     "Dask LocalCluster of --workers processes")
    bat.add_argument("--out", required=True, metavar="DIR",
                     help="output folder; rerunning the same command resumes and reuses finished runs")
    sen = sub.add_parser("sensitivity", help="sensitivity indices of a batch (Sobol, Morris or regression)")
    sen.add_argument("folder", metavar="DIR", help="a folder written by doorstroom batch")
    sen.add_argument("--indicator", required=True, metavar="NAME", help="indicator name (see the registry)")
    sen.add_argument("--year", type=_int, required=True, metavar="YEAR", help="year of the indicator")
    sen.add_argument("--scenario", metavar="NAME", help="lever (default: the design's first)")
    sen.add_argument("--method", choices=("auto", "sobol", "morris", "regression"), default="auto",
                     help="default: the method of the design's sampler (regression for grid, list, lhs)")
    val = sub.add_parser("validate", help="the baseline against the published projections")
    val.add_argument("--scenario", help="scenario TOML file (default: the baseline)")
    val.add_argument("--scale", type=_positive_float, default=0.01, metavar="X",
                     help="sample fraction, in (0, 1] (default 0.01)")
    val.add_argument("--seeds", type=_int, default=3, metavar="N", help="seeds 1..N (default 3)")
    val.add_argument("--end", type=_int, dest="end_year", default=2050, metavar="YEAR",
                     help="last year simulated (default 2050)")
    val.add_argument("--workers", type=_int, default=min(2, os.cpu_count() or 1), metavar="W",
                     help="worker processes (default min(2, number of CPUs))")
    val.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    val.add_argument("--out", required=True, metavar="DIR", help="output folder (replaced in place)")
    cal = sub.add_parser("calibrate", help="fit free parameters to targets (method of simulated moments)")
    cal.add_argument("config", help="calibration file (TOML; see experiments/calibrate.py)")
    cal.add_argument("--scenario", help="scenario whose values the non-free parameters take (default: "
                     "the baseline)")
    cal.add_argument("--workers", type=_int, default=min(2, os.cpu_count() or 1), metavar="W",
                     help="worker processes (default min(2, number of CPUs))")
    cal.add_argument("--validate", default="", metavar="NAME,...",
                     help="targets held out of the fit and reported as checks (added to the file's "
                     "validate list)")
    cal.add_argument("--out", required=True, metavar="DIR",
                     help="output folder; rerunning the same command resumes from its stored evaluations")
    syn = sub.add_parser("woon-synthetic",
                         help="draw a SYNTHETIC WoON-format .sav from the model (for tests and examples)")
    _sample_arguments(syn, "FILE.sav", seed=101, year=2027,
                      year_help="the survey's date: 1 January of YEAR (default 2027)",
                      households=60_000, households_help="expected households in the sample")
    net = sub.add_parser("network", help="a sample of households and their kin network as GraphML")
    _sample_arguments(net, "FILE.graphml", seed=1, year=2025,
                      year_help="1 January of YEAR (default 2025: the network as built)",
                      households=1_000, households_help="households in the sample")
    rep = sub.add_parser("report", help="one self-contained HTML report of a comparison or a batch (Dutch "
                         "by default)")
    rep.add_argument("folder", metavar="DIR",
                     help="a folder written by doorstroom compare or doorstroom batch")
    rep.add_argument("--lang", choices=("nl", "en"), default="nl", help="language (default nl)")
    rep.add_argument("--out", metavar="FILE.html",
                     help="where to write it (default DIR/report.html, or DIR/report.en.html)")
    rep.add_argument("--year", type=_int, metavar="YEAR",
                     help="year of the headline differences (default: the last year)")
    odd = sub.add_parser("odd", help="regenerate the tables of the ODD document (docs/ODD.md, "
                         "docs/parameters.md) from the registries")
    odd.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 naming the generated tables that are stale")
    return parser


def cmd_params(_args) -> int:
    """Prints the parameter table (``doorstroom params``) as Markdown."""
    print("| parameter | default | unit | kind | dated change | source |")
    print("|---|---|---|---|---|---|")
    for row in parameter_table():
        kind = f"{row['kind']}: calibrated" if row["calibrated"] else row["kind"]
        print(f"| `{row['name']}` | {row['default']} | {row['unit']} | {kind} | "
              f"{row['changeable']} | {row['source']} |")
    return 0


def cmd_policies(_args) -> int:
    """Prints the policy catalogue (``doorstroom policies``) as Markdown."""
    print("| policy module | lever (scenario key `[policy] ...`) | acts in processes | default | unit |")
    print("|---|---|---|---|---|")
    for row in catalogue.table():
        print(f"| `agents/policies/{row['policy']}.py` | `{row['lever']}` | {row['processes']} | "
              f"{row['default']} | {row['unit']} |")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``doorstroom`` command.

    Exit codes: 0 done; 2 bad input (nothing was done); 1 a run failed; 130 or 143 stopped by SIGINT
    or SIGTERM (finished work kept); 141 the reader of the output went away (``| head``).
    """
    args = build_parser().parse_args(argv)
    if (args.command in ("compare", "batch") and getattr(args, "scheduler", None) is None
            and (args.workers is None or args.workers > 1)):
        # the workers' server imports the model while this process imports the command's modules
        start_server(MODEL_PRELOAD)
    try:
        with stop_on_signals():
            module, function = COMMANDS[args.command]
            return getattr(importlib.import_module(module), function)(args)
    except ParameterError as exc:
        print(f"doorstroom: error: {exc}", file=sys.stderr)
        return 2
    except WorkerError as exc:
        print(f"doorstroom: error: {exc}", file=sys.stderr)
        return 1
    except Stopped as exc:
        print(f"doorstroom: stopped by {exc}: finished work was kept, work under way was discarded, "
              "earlier results were left as they were", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (e.g. `doorstroom params | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())

