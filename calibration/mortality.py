"""Input calibration of mortality: a hazard per sex fitted to CBS figures, and its improvement path.

The hazard per year at exact age ``x`` (years) in the base year 2023 is a Gompertz-Makeham curve:

    mu(x) = c + a * exp(b * (x - 65))

with ``a`` the senescent hazard at 65, ``b`` the Gompertz slope and ``c`` the age-independent term. (A
levelling-off at the highest ages, a logistic Perks curve, was tried: the figures below do not
support one, the fitted level ran to its bound.) The annual death probability of
a person of exact age ``x`` is ``q(x) = 1 - exp(-integral of mu over [x, x + 1])`` (closed form), the
probability of surviving from ``x`` to ``y`` is ``exp(-integral over [x, y])``, and life expectancy
integrates survival numerically up to age 120.

**Fit, per sex, by weighted least squares** (all three parameters for each sex; the women's slope is
no longer borrowed from the men) to the figures below: q at 61 and 81 (men, CBS 2023), e65 (2022) and
e0 (2023), the chances of surviving 1 year at 60 and at 80, 10 years from 60 and from 80, 20 and 30
years from 60 (CBS 70701ned, 2019: ASSUMPTION that mortality at these ages was at the same level in
2019 and 2023, as life expectancy at birth was, after the excess deaths of 2020-2022) and the hazard at
100 (about 0.6 a year, derived from about 1,000 deaths among about 2,200 persons aged 100+ in 2016,
CBS; the curve stays 16% (men) and 33% (women) below it, so it may still keep too many alive past
100). The 30-year survival from 60 pins the curve at the oldest ages, where the earlier single slope
fitted up to 81 kept far too many people alive past 90.

**Improvement.** After 2023 the hazard at age ``x`` falls by ``r(x)`` a year, ``r0`` up to age 80,
tapering linearly to ``r0 * IMPROVEMENT_TAPER`` at 100 and above (ASSUMPTION: improvement is smaller at
the highest ages, as in CBS's and the AG's projections). ``r0`` per sex is fitted so that period life
expectancy at birth reaches CBS's prognosis for 2070 (men 87.29, women 90.68: CBS StatLine 70737ned,
Bevolkingsprognose 2023-2070).

Run ``python -m calibration.mortality --write`` to refit and rewrite ``sim/data/mortality.csv``, the
table the simulation reads.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import brentq, least_squares

# ---------------------------------------------------------------------------------------------
# Inputs (key, year and source as in shared/data/nl_facts.csv or the CBS table named).
# ---------------------------------------------------------------------------------------------

_CBS_37360 = "CBS StatLine 37360ned Levensverwachting; geslacht, leeftijd"
_CBS_70701 = "CBS StatLine 70701ned Overlevingskansen (2019)"
_VZINFO = "VZinfo Levensverwachting naar leeftijd en geslacht"
_CBS_100 = "derived: about 1,000 deaths among about 2,200 persons aged 100+ in 2016 (CBS)"

#: Base year of the fitted curve.
BASE_YEAR = 2023
#: Reference age of the Gompertz term.
REFERENCE_AGE_YEARS = 65.0
#: Upper end of the life-expectancy integral.
MAX_AGE_YEARS = 120.0
#: Step of the numerical grid for life expectancy and survival under improvement.
GRID_STEP_YEARS = 0.01
#: Improvement is ``r0`` up to this age, then tapers linearly ...
IMPROVEMENT_FULL_TO_AGE = 80.0
#: ... to ``r0 * IMPROVEMENT_TAPER`` at this age and above.
IMPROVEMENT_TAPER_AGE = 100.0
#: ASSUMPTION: share of the improvement left at the highest ages.
IMPROVEMENT_TAPER = 0.25
#: Period life expectancy at birth in 2070 (CBS StatLine 70737ned, Bevolkingsprognose 2023-2070).
E0_2070 = {"male": 87.29, "female": 90.68}
E0_2070_SOURCE = "CBS StatLine 70737ned (Bevolkingsprognose 2023-2070)"


@dataclass(frozen=True)
class Target:
    """One calibration figure.

    Attributes:
        key: Name, e.g. ``"qx_male_61"``.
        kind: ``"q"`` (annual death probability at ``age``), ``"e"`` (remaining life expectancy at
            ``age``), ``"S"`` (survival from ``age`` to ``to_age``) or ``"mu"`` (hazard at ``age``).
        age: Exact age.
        value: The figure.
        year: Reference year.
        source: Short source text.
        sigma: Standard deviation of the residual (log scale for q, S (of the cumulative hazard)
            and mu; years for e).
        to_age: End age of a survival figure.
    """

    key: str
    kind: str
    age: float
    value: float
    year: int
    source: str
    sigma: float
    to_age: float = 0.0


def _survival_targets(sex: str, values: Mapping[tuple[int, int], float]) -> tuple[Target, ...]:
    return tuple(Target(f"S_{sex}_{x}_{y}", "S", x, v, 2019, _CBS_70701, 0.02, y)
                 for (x, y), v in values.items())


TARGETS: dict[str, tuple[Target, ...]] = {
    "male": (
        Target("qx_male_61", "q", 61.0, 0.00694, 2023, _CBS_37360, 0.01),
        Target("qx_male_81", "q", 81.0, 0.0569, 2023, _CBS_37360, 0.01),
        Target("e65_male", "e", 65.0, 19.0, 2022, _VZINFO, 0.05),
        Target("e0_male", "e", 0.0, 80.31, 2023, _CBS_37360, 0.2),
        *_survival_targets("male", {(60, 61): 0.9937, (80, 81): 0.9484, (60, 70): 0.9035,
                                    (80, 90): 0.3724, (60, 80): 0.6802, (60, 90): 0.2533}),
        Target("mu_male_100", "mu", 100.5, 0.6, 2016, _CBS_100, 0.1),
    ),
    "female": (
        Target("e65_female", "e", 65.0, 21.2, 2022, _VZINFO, 0.05),
        Target("e0_female", "e", 0.0, 83.33, 2023, _CBS_37360, 0.2),
        *_survival_targets("female", {(60, 61): 0.9954, (80, 81): 0.9663, (60, 70): 0.9296,
                                      (80, 90): 0.4967, (60, 80): 0.7664, (60, 90): 0.3807}),
        Target("mu_female_100", "mu", 100.5, 0.6, 2016, _CBS_100, 0.1),
    ),
}

TABLE_PATH = Path(__file__).resolve().parents[1] / "sim" / "data" / "mortality.csv"
TABLE_COLUMNS = ("sex", "a_per_year", "b_per_year_of_age", "c_per_year", "improvement_per_year",
                 "improvement_full_to_age_years", "improvement_taper_age_years",
                 "improvement_taper_share", "source")

# Search box: log(a), b, c.
_LOWER = (math.log(1e-6), 0.03, 0.0)
_UPPER = (math.log(0.5), 0.30, 0.05)
_START = (math.log(0.01), 0.11, 0.0005)


# ---------------------------------------------------------------------------------------------
# The curve.
# ---------------------------------------------------------------------------------------------


def hazard(age_years, params: Mapping[str, float]) -> np.ndarray:
    """Force of mortality per year in the base year at exact age(s) ``age_years``."""
    x = np.asarray(age_years, dtype=float)
    return params["c"] + params["a"] * np.exp(params["b"] * (x - REFERENCE_AGE_YEARS))


def cumulative_hazard(start, end, params: Mapping[str, float]) -> np.ndarray:
    """Closed-form integral of :func:`hazard` from ``start`` to ``end`` (base year)."""
    x0, x1 = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    a, b, c = params["a"], params["b"], params["c"]
    return c * (x1 - x0) + (a / b) * (np.exp(b * (x1 - REFERENCE_AGE_YEARS))
                                      - np.exp(b * (x0 - REFERENCE_AGE_YEARS)))


def annual_q(age_years, params: Mapping[str, float]) -> np.ndarray:
    """Annual death probability at exact age(s) ``x`` in the base year."""
    x = np.asarray(age_years, dtype=float)
    return -np.expm1(-cumulative_hazard(x, x + 1.0, params))


def improvement(age_years, r0: float) -> np.ndarray:
    """Yearly relative fall of the hazard at each age: ``r0``, tapering above age 80."""
    x = np.asarray(age_years, dtype=float)
    frac = np.clip((x - IMPROVEMENT_FULL_TO_AGE) / (IMPROVEMENT_TAPER_AGE - IMPROVEMENT_FULL_TO_AGE),
                   0.0, 1.0)
    return r0 * (1.0 - (1.0 - IMPROVEMENT_TAPER) * frac)


def life_expectancy(age: float, params: Mapping[str, float], year: float = BASE_YEAR,
                    r0: float = 0.0) -> float:
    """Period life expectancy at exact ``age`` in ``year`` (base-year curve improved by ``r0``)."""
    if age >= MAX_AGE_YEARS:
        return 0.0
    grid = np.arange(age, MAX_AGE_YEARS + GRID_STEP_YEARS / 2, GRID_STEP_YEARS)
    if year <= BASE_YEAR or r0 == 0.0:
        survival = np.exp(-cumulative_hazard(age, grid, params))
    else:
        mu = hazard(grid, params) * (1.0 - improvement(grid, r0)) ** (year - BASE_YEAR)
        cum = np.concatenate([[0.0], np.cumsum((mu[1:] + mu[:-1]) / 2 * GRID_STEP_YEARS)])
        survival = np.exp(-cum)
    return float(np.trapezoid(survival, grid))


def achieved(target: Target, params: Mapping[str, float]) -> float:
    """The value of ``target``'s quantity under the curve ``params`` (base year)."""
    if target.kind == "q":
        return float(annual_q(target.age, params))
    if target.kind == "S":
        return float(np.exp(-cumulative_hazard(target.age, target.to_age, params)))
    if target.kind == "mu":
        return float(hazard(target.age, params))
    return life_expectancy(target.age, params)


def _residual(target: Target, params: Mapping[str, float]) -> float:
    value = achieved(target, params)
    if target.kind == "e":
        return (value - target.value) / target.sigma
    if target.kind == "S":  # relative error of the cumulative hazard
        return math.log(math.log(value) / math.log(target.value)) / target.sigma
    return math.log(value / target.value) / target.sigma


def _fit(targets: Sequence[Target]) -> dict[str, float]:
    def unpack(theta) -> dict[str, float]:
        return {"a": math.exp(theta[0]), "b": float(theta[1]), "c": float(theta[2])}

    result = least_squares(lambda th: [_residual(t, unpack(th)) for t in targets], x0=_START,
                           bounds=(_LOWER, _UPPER), x_scale=(1.0, 0.01, 0.001),
                           xtol=1e-12, ftol=1e-12, gtol=1e-12)
    if not result.success:
        raise RuntimeError(f"mortality fit did not converge: {result.message}")
    return unpack(result.x)


def fit_improvement(params: Mapping[str, float], e0_target: float, year: int = 2070) -> float:
    """The improvement rate ``r0`` for which period e0 in ``year`` equals ``e0_target``."""
    return brentq(lambda r: life_expectancy(0.0, params, year, r) - e0_target, 0.0, 0.05, xtol=1e-10)


def fit_mortality() -> dict[str, dict[str, float]]:
    """Fits the curve per sex and its improvement rate; adds every target's fitted value.

    Returns:
        ``{sex: {"a", "b", "c", "r0", "<key>_target", "<key>_fitted", ...}}``.
    """
    out = {}
    for sex, targets in TARGETS.items():
        params = _fit(targets)
        params["r0"] = fit_improvement(params, E0_2070[sex])
        for t in targets:
            params[f"{t.key}_target"] = t.value
            params[f"{t.key}_fitted"] = achieved(t, params)
        out[sex] = params
    return out


# ---------------------------------------------------------------------------------------------
# The table the simulation reads.
# ---------------------------------------------------------------------------------------------


def _source_text(sex: str) -> str:
    inputs = ", ".join(f"{t.key}={t.value:g} ({t.year})" for t in TARGETS[sex])
    return (f"fit by calibration/mortality.py (base year {BASE_YEAR}) to {inputs}; sources "
            f"{_CBS_37360}, {_CBS_70701}, {_VZINFO}; improvement fitted to e0 {E0_2070[sex]} in 2070 "
            f"({E0_2070_SOURCE}), tapering to {IMPROVEMENT_TAPER:g} of it from age "
            f"{IMPROVEMENT_FULL_TO_AGE:g} to {IMPROVEMENT_TAPER_AGE:g} (assumption)")


def write_table(fit: Mapping[str, Mapping[str, float]], path: Path = TABLE_PATH) -> Path:
    """Writes the parameter table atomically (temporary file in the same folder, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(TABLE_COLUMNS)
            for sex in ("male", "female"):
                p = fit[sex]
                writer.writerow([sex, repr(float(p["a"])), repr(float(p["b"])), repr(float(p["c"])),
                                 repr(float(p["r0"])), repr(IMPROVEMENT_FULL_TO_AGE),
                                 repr(IMPROVEMENT_TAPER_AGE), repr(IMPROVEMENT_TAPER),
                                 _source_text(sex)])
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return path


def read_table(path: Path = TABLE_PATH) -> dict[str, dict[str, float]]:
    """Reads the parameter table: ``{sex: {"a", "b", "c", "r0", "full_to", "taper_age", "taper"}}``.

    Raises:
        ValueError: If the columns differ from ``TABLE_COLUMNS``.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != TABLE_COLUMNS:
            raise ValueError(f"{path}: columns {reader.fieldnames}, expected {list(TABLE_COLUMNS)}")
        return {row["sex"]: {"a": float(row["a_per_year"]), "b": float(row["b_per_year_of_age"]),
                             "c": float(row["c_per_year"]),
                             "r0": float(row["improvement_per_year"]),
                             "full_to": float(row["improvement_full_to_age_years"]),
                             "taper_age": float(row["improvement_taper_age_years"]),
                             "taper": float(row["improvement_taper_share"])} for row in reader}


# ---------------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------------


def format_report(fit: Mapping[str, Mapping[str, float]]) -> str:
    """Plain-text fit report: parameters, every target against its fitted value, q by age."""
    lines = ["mortality: mu(x) = c + a*exp(b*(x-65)); improvement r0 to age 80, "
             f"tapering to {IMPROVEMENT_TAPER:g} r0 at 100", ""]
    for sex in ("male", "female"):
        p = fit[sex]
        lines.append(f"{sex:<7} a={p['a']:.6g}  b={p['b']:.6g}  c={p['c']:.6g}  r0={p['r0']:.5f}/year")
    lines += ["", f"{'target':<18} {'year':>4} {'target':>9} {'fitted':>9} {'rel.err':>8}"]
    for sex in ("male", "female"):
        for t in TARGETS[sex]:
            value = fit[sex][f"{t.key}_fitted"]
            lines.append(f"{t.key:<18} {t.year:>4} {t.value:>9.5g} {value:>9.5g} "
                         f"{value / t.value - 1.0:>+8.2%}")
    ages = (55, 65, 75, 85, 90, 95, 100)
    lines += ["", f"{'q(x) 2023':<10} " + " ".join(f"{x:>7d}" for x in ages)]
    for sex in ("male", "female"):
        lines.append(f"{sex:<10} " + " ".join(f"{q:>7.4f}" for q in annual_q(np.asarray(ages, float),
                                                                             fit[sex])))
    lines += ["", "period e0 / e65 by year: " + ", ".join(
        f"{sex} {y}: {life_expectancy(0, fit[sex], y, fit[sex]['r0']):.2f} / "
        f"{life_expectancy(65, fit[sex], y, fit[sex]['r0']):.2f}"
        for sex in ("male", "female") for y in (2023, 2030, 2050, 2070))]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Fits, prints the report and, with ``--write``, rewrites the parameter table."""
    parser = argparse.ArgumentParser(prog="python -m calibration.mortality",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the parameter table")
    parser.add_argument("--output", type=Path, default=TABLE_PATH, help="table path (with --write)")
    args = parser.parse_args(argv)
    fit = fit_mortality()
    print(format_report(fit))
    if args.write:
        print(f"\nwrote {write_table(fit, args.output)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
