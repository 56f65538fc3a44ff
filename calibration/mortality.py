"""Input calibration of mortality: a Gompertz-Makeham hazard per sex fitted to verified figures.

The hazard per year at exact age ``x`` (years) is

    mu(x) = c + a * exp(b * (x - 65))

with ``a`` the age-dependent (senescent) hazard at the reference age 65, ``b`` the Gompertz slope
per year of age and ``c`` the age-independent Makeham term. The annual death probability of a
person of exact age ``x`` is ``q(x) = 1 - exp(-integral of mu over [x, x + 1])`` (closed form).
Remaining life expectancy ``e(x)`` integrates the survival curve numerically on a fine grid up to
age 120.

Inputs are the rows of the project's fact sheet (``nl_facts.csv``) whose status is ``verified``;
they are copied below as constants, so the project does not read the fact sheet at run time.

Fit, per sex:

* Men have four verified targets (q at 61 and 81, e65, e0) for three parameters; ``a``, ``b`` and
  ``c`` are a weighted least-squares fit (weights below). The four targets are not exactly
  consistent with a Gompertz-Makeham curve: the fit leaves q81 about 3 % too high and e65 about
  0.1 year too high. Without e0 the three parameters are not usefully identified by the
  remaining targets (the optimum runs to the upper bound on ``b``), so e0 is what pins ``c``.
* Women have only two verified targets (e65, e0). ASSUMPTION: the women's slope is the men's
  fitted slope times ``FEMALE_SLOPE_FACTOR`` (default 1.0, i.e. the same rate of ageing; the
  demographic literature usually finds women's slope equal or slightly steeper). ``a`` and ``c``
  are then fitted to e65 and e0, which they reproduce exactly.
* e0 is computed from the same curve from birth. Below about age 30 a Gompertz-Makeham curve is
  a poor model (no infant-mortality peak, no accident hump), so e0 gets a standard deviation 20
  times that of e65 (``SIGMA_E0_YEARS``). In practice e0 is still met closely, because ``c`` is
  nearly free to absorb it; the price is that ``c`` is a catch-all background hazard that spreads
  infant and young-adult deaths over all ages (about 0.0005 per year, some 7 % of the hazard at
  age 61 and under 1 % from age 85).

Known limitation: a single Gompertz slope through q61 and q81 understates mortality at the oldest
ages. The men's e81 of 7.89 years (CBS 2023, kept as a validation figure, not fitted) comes out
about 4 % too high, so the curve may keep somewhat too many people alive past 90.

Age convention: CBS gives q by age in completed years; here q(x) is read as the probability that a
person of exact age x dies before exact age x + 1. A half-year shift in that reading would change
q by about b / 2, i.e. 5-6 %.

Run ``python -m calibration.mortality --write`` to refit and rewrite
``sim/data/mortality_gompertz_makeham.csv``, the table the simulation reads.
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
from scipy.optimize import least_squares

# ---------------------------------------------------------------------------------------------
# Verified inputs (copied from nl_facts.csv, status 'verified'; key, year and source as stated).
# ---------------------------------------------------------------------------------------------

# qx_male_61, 2023, NL, verified. Source: "CBS StatLine 37360ned Levensverwachting; geslacht,
# leeftijd https://www.cbs.nl/nl-nl/cijfers/detail/37360ned". Note there: "age on 31 Dec; stored
# excerpt only shows ages 0,21,61,81".
QX_MALE_61 = 0.00694
# qx_male_81, 2023, NL, verified. Source: "CBS StatLine 37360ned". Note there: "e81 = 7.89 yr".
QX_MALE_81 = 0.0569
# e65_male (remaining life expectancy at 65), 2022, NL, verified. Source: "VZinfo
# Levensverwachting naar leeftijd en geslacht https://www.vzinfo.nl/levensverwachting/leeftijd-en-geslacht".
E65_MALE_YEARS = 19.0
# e0_male (life expectancy at birth), 2023, NL, verified. Source: "CBS StatLine 37360ned".
E0_MALE_YEARS = 80.31
# e65_female, 2022, NL, verified. Source: "VZinfo Levensverwachting naar leeftijd en geslacht".
E65_FEMALE_YEARS = 21.2
# e0_female, 2023, NL, verified. Source: "CBS StatLine 37360ned".
E0_FEMALE_YEARS = 83.33

# Validation only, never fitted: e81_male = 7.89 years (2023), from the notes of the verified
# row qx_male_81 ("CBS StatLine 37360ned"). Reported next to the fit as an out-of-sample check.
E81_MALE_YEARS_VALIDATION = 7.89

# ---------------------------------------------------------------------------------------------
# Fit settings (documented choices, not data).
# ---------------------------------------------------------------------------------------------

#: Reference age of the Gompertz term: ``a`` is the senescent hazard at this age.
REFERENCE_AGE_YEARS = 65.0
#: Upper end of the life-expectancy integral; survival to it is negligible (< 1e-12 for both sexes).
MAX_AGE_YEARS = 120.0
#: Step of the trapezoid grid for life expectancy.
LE_GRID_STEP_YEARS = 0.01
#: ASSUMPTION: women's Gompertz slope = men's fitted slope times this factor (1.0 = same slope).
FEMALE_SLOPE_FACTOR = 1.0

#: Standard deviation of a q target on the log scale (1 % relative): q is given to 3 digits.
SIGMA_Q_LOG = 0.01
#: Standard deviation of an e65 target: half the reporting unit (0.1 year) of the source.
SIGMA_E65_YEARS = 0.05
#: Standard deviation of an e0 target: 20x that of e65, because the curve is a poor model of
#: mortality below about age 30 (low weight; see the module docstring).
SIGMA_E0_YEARS = 1.0

#: Where the simulation reads the fitted parameters.
TABLE_PATH = Path(__file__).resolve().parents[1] / "sim" / "data" / "mortality_gompertz_makeham.csv"
TABLE_COLUMNS = (
    "sex",
    "a_per_year",
    "b_per_year_of_age",
    "c_per_year",
    "reference_age_years",
    "source",
)

# Search box for the optimiser: log(a), b, c.
_LOWER = (math.log(1e-6), 0.01, 0.0)
_UPPER = (math.log(0.5), 0.30, 0.05)
_START = (math.log(0.01), 0.10, 0.001)


@dataclass(frozen=True)
class Target:
    """One verified calibration target.

    Attributes:
        key: Key of the row in the fact sheet, e.g. ``"qx_male_61"``.
        kind: ``"q"`` (annual death probability at ``age_years``) or ``"e"`` (remaining life
            expectancy at ``age_years``, in years).
        age_years: Exact age the target refers to.
        value: The verified figure.
        year: Reference year of the figure.
        source: Short source text.
        sigma: Standard deviation used as the inverse weight of the residual (log scale for
            ``"q"``, years for ``"e"``).
    """

    key: str
    kind: str
    age_years: float
    value: float
    year: int
    source: str
    sigma: float

    @property
    def label(self) -> str:
        """Short label without the sex, e.g. ``"qx_61"`` or ``"e65"``."""
        if self.kind == "q":
            return f"qx_{self.age_years:g}"
        return f"e{self.age_years:g}"


_CBS_37360 = "CBS StatLine 37360ned"
_VZINFO = "VZinfo Levensverwachting naar leeftijd en geslacht"

TARGETS: dict[str, tuple[Target, ...]] = {
    "male": (
        Target("qx_male_61", "q", 61.0, QX_MALE_61, 2023, _CBS_37360, SIGMA_Q_LOG),
        Target("qx_male_81", "q", 81.0, QX_MALE_81, 2023, _CBS_37360, SIGMA_Q_LOG),
        Target("e65_male", "e", 65.0, E65_MALE_YEARS, 2022, _VZINFO, SIGMA_E65_YEARS),
        Target("e0_male", "e", 0.0, E0_MALE_YEARS, 2023, _CBS_37360, SIGMA_E0_YEARS),
    ),
    "female": (
        Target("e65_female", "e", 65.0, E65_FEMALE_YEARS, 2022, _VZINFO, SIGMA_E65_YEARS),
        Target("e0_female", "e", 0.0, E0_FEMALE_YEARS, 2023, _CBS_37360, SIGMA_E0_YEARS),
    ),
}


# ---------------------------------------------------------------------------------------------
# The curve.
# ---------------------------------------------------------------------------------------------


def hazard(age_years: float | np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    """Gompertz-Makeham force of mortality per year.

    Args:
        age_years: Exact age(s) in years (scalar or array).
        a: Senescent hazard per year at the reference age 65.
        b: Gompertz slope per year of age.
        c: Age-independent (Makeham) hazard per year.

    Returns:
        ``c + a * exp(b * (age - 65))`` with the shape of ``age_years``.
    """
    x = np.asarray(age_years, dtype=float)
    return c + a * np.exp(b * (x - REFERENCE_AGE_YEARS))


def _cumulative_hazard(
    start_years: float | np.ndarray, end_years: float | np.ndarray, a: float, b: float, c: float
) -> np.ndarray:
    """Closed-form integral of :func:`hazard` from ``start_years`` to ``end_years``."""
    x0 = np.asarray(start_years, dtype=float)
    x1 = np.asarray(end_years, dtype=float)
    gompertz = (a / b) * (
        np.exp(b * (x1 - REFERENCE_AGE_YEARS)) - np.exp(b * (x0 - REFERENCE_AGE_YEARS))
    )
    return c * (x1 - x0) + gompertz


def annual_q(age_years: float | np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    """Annual death probability at exact age ``x``: ``1 - exp(-integral of mu over [x, x + 1])``.

    Args:
        age_years: Exact age(s) in years (scalar or array).
        params: Mapping with keys ``"a"``, ``"b"`` and ``"c"`` (e.g. one entry of
            :func:`fit_mortality` or of :func:`read_table`).

    Returns:
        Death probabilities with the shape of ``age_years``.
    """
    x = np.asarray(age_years, dtype=float)
    return -np.expm1(-_cumulative_hazard(x, x + 1.0, params["a"], params["b"], params["c"]))


def life_expectancy(age: float, params: Mapping[str, float]) -> float:
    """Remaining life expectancy at exact age ``age``, by trapezoid integration of survival.

    Survival ``S(t) = exp(-integral of mu over [age, t])`` is evaluated on a grid of step
    ``LE_GRID_STEP_YEARS`` from ``age`` to ``MAX_AGE_YEARS``; survival beyond that age is ignored.

    Args:
        age: Exact age in years.
        params: Mapping with keys ``"a"``, ``"b"`` and ``"c"``.

    Returns:
        Expected remaining years of life.
    """
    if age >= MAX_AGE_YEARS:
        return 0.0
    n_steps = math.ceil((MAX_AGE_YEARS - age) / LE_GRID_STEP_YEARS)
    grid = np.linspace(age, MAX_AGE_YEARS, n_steps + 1)
    survival = np.exp(-_cumulative_hazard(age, grid, params["a"], params["b"], params["c"]))
    return float(np.trapezoid(survival, grid))


def achieved(target: Target, params: Mapping[str, float]) -> float:
    """Value of ``target``'s quantity under the curve ``params``.

    Args:
        target: The target whose kind and age are used.
        params: Mapping with keys ``"a"``, ``"b"`` and ``"c"``.

    Returns:
        The fitted q or life expectancy.
    """
    if target.kind == "q":
        return float(annual_q(target.age_years, params))
    return life_expectancy(target.age_years, params)


# ---------------------------------------------------------------------------------------------
# The fit.
# ---------------------------------------------------------------------------------------------


def _residuals(targets: Sequence[Target], params: Mapping[str, float]) -> np.ndarray:
    """Standardised residuals: log ratio for q, difference in years for e, each over sigma."""
    out = []
    for t in targets:
        value = achieved(t, params)
        diff = math.log(value / t.value) if t.kind == "q" else value - t.value
        out.append(diff / t.sigma)
    return np.asarray(out)


def _fit(targets: Sequence[Target], fixed_b: float | None = None) -> dict[str, float]:
    """Weighted least-squares fit of (a, b, c), or of (a, c) when ``fixed_b`` is given."""
    free = [0, 2] if fixed_b is not None else [0, 1, 2]

    def unpack(theta: np.ndarray) -> dict[str, float]:
        full = list(_START)
        for i, value in zip(free, theta, strict=True):
            full[i] = float(value)
        b = fixed_b if fixed_b is not None else full[1]
        return {"a": math.exp(full[0]), "b": b, "c": full[2]}

    result = least_squares(
        lambda theta: _residuals(targets, unpack(theta)),
        x0=[_START[i] for i in free],
        bounds=([_LOWER[i] for i in free], [_UPPER[i] for i in free]),
        x_scale=[(1.0, 0.01, 0.001)[i] for i in free],
        xtol=1e-14,
        ftol=1e-14,
        gtol=1e-14,
    )
    if not result.success:
        raise RuntimeError(f"mortality fit did not converge: {result.message}")
    return unpack(result.x)


def fit_mortality(female_slope_factor: float = FEMALE_SLOPE_FACTOR) -> dict[str, dict[str, float]]:
    """Fit the Gompertz-Makeham parameters per sex to the verified targets.

    Men: ``a``, ``b``, ``c`` by weighted least squares on q61, q81, e65 and e0. Women: ``b`` is
    the men's ``b`` times ``female_slope_factor`` (an assumption), then ``a`` and ``c`` are fitted
    to e65 and e0.

    Args:
        female_slope_factor: Women's Gompertz slope relative to men's (assumption).

    Returns:
        ``{"male": {...}, "female": {...}}``; each entry holds ``a``, ``b``, ``c`` (per year; ``b``
        per year of age) and, per target, ``<label>_target`` and ``<label>_fitted`` (labels like
        ``qx_61``, ``e65``, ``e0``). The female entry also holds ``b_female_over_male``.
    """
    male = _fit(TARGETS["male"])
    female = _fit(TARGETS["female"], fixed_b=male["b"] * female_slope_factor)
    female["b_female_over_male"] = female_slope_factor
    out: dict[str, dict[str, float]] = {}
    for sex, params in (("male", male), ("female", female)):
        entry = dict(params)
        for t in TARGETS[sex]:
            entry[f"{t.label}_target"] = t.value
            entry[f"{t.label}_fitted"] = achieved(t, params)
        out[sex] = entry
    return out


# ---------------------------------------------------------------------------------------------
# The table the simulation reads.
# ---------------------------------------------------------------------------------------------


def _source_text(sex: str, fit: Mapping[str, float]) -> str:
    """Source column text naming the inputs of one sex's fit."""
    inputs = ", ".join(f"{t.key}={t.value:g} ({t.year}, {t.source})" for t in TARGETS[sex])
    text = f"Gompertz-Makeham fit by calibration/mortality.py to CBS verified figures: {inputs}"
    if sex == "female":
        text += (
            f"; slope b = male b x {fit['b_female_over_male']:g} "
            "(assumption FEMALE_SLOPE_FACTOR), a and c fitted to e65 and e0"
        )
    else:
        text += "; weighted least squares, e0 down-weighted (curve poor below age 30)"
    return text


def write_table(fit: Mapping[str, Mapping[str, float]], path: Path = TABLE_PATH) -> Path:
    """Write the parameter table atomically (temporary file in the same directory, then replace).

    Args:
        fit: Output of :func:`fit_mortality`.
        path: Destination CSV.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(TABLE_COLUMNS)
            for sex in ("male", "female"):
                params = fit[sex]
                writer.writerow(
                    [
                        sex,
                        repr(float(params["a"])),
                        repr(float(params["b"])),
                        repr(float(params["c"])),
                        f"{REFERENCE_AGE_YEARS:g}",
                        _source_text(sex, params),
                    ]
                )
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; the table is a shared project file
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return path


def read_table(path: Path = TABLE_PATH) -> dict[str, dict[str, float]]:
    """Read the parameter table.

    Args:
        path: CSV written by :func:`write_table`.

    Returns:
        ``{sex: {"a", "b", "c", "reference_age_years"}}`` as floats.

    Raises:
        ValueError: If the columns differ from ``TABLE_COLUMNS``.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != TABLE_COLUMNS:
            raise ValueError(f"{path}: columns {reader.fieldnames}, expected {list(TABLE_COLUMNS)}")
        return {
            row["sex"]: {
                "a": float(row["a_per_year"]),
                "b": float(row["b_per_year_of_age"]),
                "c": float(row["c_per_year"]),
                "reference_age_years": float(row["reference_age_years"]),
            }
            for row in reader
        }


# ---------------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------------


def format_report(fit: Mapping[str, Mapping[str, float]]) -> str:
    """Plain-text fit report: parameters, targets vs fitted values, a validation check, q by age.

    Args:
        fit: Output of :func:`fit_mortality`.

    Returns:
        The report.
    """
    lines = ["Gompertz-Makeham mortality fit: mu(x) = c + a*exp(b*(x-65))", ""]
    for sex in ("male", "female"):
        p = fit[sex]
        lines.append(f"{sex:<7} a={p['a']:.6g}  b={p['b']:.6g}  c={p['c']:.6g}")
    lines += [
        "",
        f"{'sex':<7} {'target':<11} {'year':>4} {'target':>9} {'fitted':>9} {'rel.err':>8}",
    ]
    for sex in ("male", "female"):
        for t in TARGETS[sex]:
            value = fit[sex][f"{t.label}_fitted"]
            rel = value / t.value - 1.0
            lines.append(
                f"{sex:<7} {t.key:<11} {t.year:>4} {t.value:>9.5g} {value:>9.5g} {rel:>+8.2%}"
            )
    e81 = life_expectancy(81.0, fit["male"])
    lines.append(
        f"{'male':<7} {'e81 (val.)':<11} {2023:>4} {E81_MALE_YEARS_VALIDATION:>9.5g} {e81:>9.5g} "
        f"{e81 / E81_MALE_YEARS_VALIDATION - 1.0:>+8.2%}  <- validation only, not fitted"
    )
    ages = (55, 65, 75, 85, 95)
    lines += ["", f"{'q(x)':<7} " + " ".join(f"{x:>8d}" for x in ages)]
    for sex in ("male", "female"):
        qs = annual_q(np.asarray(ages, dtype=float), fit[sex])
        lines.append(f"{sex:<7} " + " ".join(f"{q:>8.4f}" for q in qs))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Fit, print the report and, with ``--write``, rewrite the parameter table.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        Process exit code.
    """
    parser = argparse.ArgumentParser(
        prog="python -m calibration.mortality", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--write", action="store_true", help="write the parameter table")
    parser.add_argument("--output", type=Path, default=TABLE_PATH, help="table path (with --write)")
    args = parser.parse_args(argv)
    fit = fit_mortality()
    print(format_report(fit))
    if args.write:
        written = write_table(fit, args.output)
        print(f"\nwrote {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
