"""Model parameters: frozen dataclasses grouped by subsystem, each with unit, bounds and provenance.

Every parameter is declared with :func:`param`, which records

* ``unit``: the unit of the value (also visible in the name: ``_per_year``, ``_months``, ``_eur``);
* ``kind``: where the value comes from, one of :data:`KINDS`;
* ``source``: the publication, or the reason for an assumption;
* ``bounds``: the closed interval of admissible values, checked when a scenario is loaded.

A scenario file changes parameters by group and name (``[care] heavy_rr_dementia = 2.5``). Unknown groups
or names are rejected with the list of valid ones; out-of-bounds values are rejected with the bound.
Run settings (horizon, scale, seed) are not parameters: see :class:`RunSettings`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any

KINDS = ("policy", "input", "output", "assumption")
"""Provenance of a parameter: a policy lever, input-calibrated from a source, output-calibrated
(fitted to model outputs, see ``calibration/``), or an assumption of the project."""


class ParameterError(ValueError):
    """A parameter or run setting has an unknown name or an impossible value."""


def param(default: Any, *, unit: str, kind: str, source: str, bounds=(None, None),
          choices: tuple[str, ...] | None = None, changeable: bool = True,
          any_length: bool = False, calibrated: bool = False) -> Any:
    """Declares one parameter with its metadata.

    Args:
        default: The default value (a number, bool, tuple of numbers, or a string from ``choices``).
        unit: Unit of the value, e.g. ``"per year"`` or ``"share"``.
        kind: One of :data:`KINDS`.
        source: Where the value comes from.
        bounds: ``(low, high)``; ``None`` for an open side. Applied to each element of a tuple.
        choices: The allowed values of a string parameter (``None`` for numbers and bools).
        changeable: False for a parameter read only when the model is built (the population, the
            stock of 2025, the intercepts of the intentions): a dated change of it is refused.
        any_length: For a tuple, whether a scenario may give another number of values (a path).
        calibrated: True for a value fitted by the baseline calibration (declare those with
            :func:`fitted`).

    Returns:
        A dataclass field carrying the metadata.
    """
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {KINDS}")
    meta = {"unit": unit, "kind": kind, "source": source, "bounds": bounds, "choices": choices,
            "changeable": changeable, "any_length": any_length, "calibrated": calibrated}
    return field(default=default, metadata=meta)


BASELINE_CALIBRATION = "calibration/baseline"
"""Folder of the baseline's calibration: ``calibrated.toml`` (the fitted values :func:`fitted` reads),
its report (``report.html``, ``targets.csv``, ``fit.json``) and the calibration file that made it
(``calibration/baseline.toml``; ``doorstroom calibrate calibration/baseline.toml --out
calibration/baseline`` makes it again)."""


@functools.cache
def baseline_calibration() -> dict:
    """The fitted values of the baseline's calibration, ``{group: {name: value}}``.

    Raises:
        ParameterError: If ``calibration/baseline/calibrated.toml`` is missing or unreadable.
    """
    path = resources.files("calibration").joinpath("baseline", "calibrated.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ParameterError(f"{BASELINE_CALIBRATION}/calibrated.toml is missing or unreadable ({exc}); "
                             "it holds the baseline's calibrated values: restore it from git or run "
                             "doorstroom calibrate calibration/baseline.toml --out calibration/baseline"
                             ) from exc
    data.pop("scenario", None)
    return data


def fitted(label: str, *, unit: str, source: str, bounds=(None, None), changeable: bool = True) -> Any:
    """Declares a parameter whose default is the baseline calibration's fitted value.

    The value is read from ``calibration/baseline/calibrated.toml`` (kind ``output``); ``source`` says
    what the parameter is, and the report of the fit is named after it.

    Args:
        label: ``group.name`` of the parameter, as in the calibrated file.
        unit: As for :func:`param`.
        source: What the parameter is and what it is fitted to.
        bounds: As for :func:`param`.
        changeable: As for :func:`param`.
    """
    group, name = label.split(".")
    values = baseline_calibration().get(group, {})
    if name not in values:
        raise ParameterError(f"{label} is declared as calibrated but {BASELINE_CALIBRATION}/"
                             "calibrated.toml has no value for it")
    value = values[name]
    value = tuple(value) if isinstance(value, list) else value
    return param(value, unit=unit, kind="output", bounds=bounds, changeable=changeable, calibrated=True,
                 source=f"{source}; calibrated: {BASELINE_CALIBRATION}/report.html")


def _check_value(group: str, name: str, value: Any, meta: dict) -> None:
    choices = meta.get("choices")
    if choices is not None:
        if not isinstance(value, str) or value not in choices:
            raise ParameterError(
                f"{group}.{name} = {value!r} is not allowed; allowed values: {list(choices)}"
            )
        return
    low, high = meta["bounds"]
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if isinstance(v, bool):
            if isinstance(value, tuple):
                raise ParameterError(f"{group}.{name} = {list(value)!r}: {v!r} is not a number "
                                     f"({meta['unit']})")
            continue
        if not isinstance(v, int | float) or math.isnan(v):
            raise ParameterError(f"{group}.{name} = {v!r} is not a number ({meta['unit']})")
        if low is not None and v < low:
            raise ParameterError(
                f"{group}.{name} = {v!r} is below its minimum {low} ({meta['unit']})"
            )
        if high is not None and v > high:
            raise ParameterError(
                f"{group}.{name} = {v!r} is above its maximum {high} ({meta['unit']})"
            )


def _require_sum(group: str, name: str, shares: tuple, *, one: bool) -> None:
    """Checks that shares sum to 1 (``one``) or at least to more than 0, naming the parameter."""
    total = float(sum(shares))
    if one and abs(total - 1.0) > 1e-6:
        raise ParameterError(f"{group}.{name} = {list(shares)!r} sums to {total:g}; expected shares "
                             "that sum to 1")
    if not one and total <= 0:
        raise ParameterError(f"{group}.{name} = {list(shares)!r}: expected at least one share above 0")


def _require_increasing(group: str, name: str, values: tuple, what: str) -> None:
    """Checks that values (years or ages) strictly increase, naming the parameter."""
    if list(values) != sorted(set(values)):
        raise ParameterError(f"{group}.{name} = {list(values)!r}: expected increasing {what}")


def _require_range(group: str, name: str, pair: tuple) -> None:
    """Checks that a (low, high) pair is in order, naming the parameter."""
    if pair[0] > pair[1]:
        raise ParameterError(f"{group}.{name} = {list(pair)!r}: expected (lowest, highest) with the "
                             "lowest first")


class _Group:
    """Mixin for parameter groups: validation after construction (values, then cross-field rules)."""

    def __post_init__(self):
        for f in fields(self):
            _check_value(self.group_name(), f.name, getattr(self, f.name), f.metadata)
        self._check_together()

    def _check_together(self) -> None:
        """Cross-field rules of the group (none by default)."""

    @classmethod
    def group_name(cls) -> str:
        """Returns the name of the group as used in scenario files."""
        return cls._group


@dataclass(frozen=True)
class DemographyParams(_Group):
    """Mortality and its relation to care needs."""

    _group = "demography"

    mortality_improvement_scale: float = param(
        1.0,
        unit="factor on the fitted yearly fall of death rates",
        kind="input",
        source="1 = the improvement of sim/data/mortality.csv, fitted per sex to CBS's period life "
        "expectancy at birth in 2070 (70737ned: men 87.29, women 90.68); 0 freezes mortality at 2023",
        bounds=(0.0, 3.0),
    )
    mortality_improvement_heavy_care_share: float = param(
        0.0,
        unit="share of the population's yearly improvement",
        kind="assumption",
        source="persons in heavy (Wlz) care keep the death rates of 2023: the gain in life expectancy "
        "is taken to come from later entry into frailty, not from longer survival in it (stays in "
        "the Wlz have been shortening: nl_facts nursing_home_share_stay_over_48m, 'declining', "
        "secondary)",
        bounds=(0.0, 1.0),
    )
    mortality_rr_by_care: tuple[float, ...] = param(
        (1.0, 1.2, 1.6, 2.0, 16.0),
        unit="hazard ratio, by care state none..heavy",
        kind="output",
        source="relative risks, aligned so that deaths by age and sex follow the life table. Heavy "
        "care: calibrated by hand (doorstroom validate) so that the places of the verpleeghuis free "
        "up for about 56,000 admissions in 2025 and 50,000 a year after (56,000 inflow a year, "
        "Kamerbrief VWS 20-02-2025, shared/sources/000 line 582): a resident's hazard near 0.38 a "
        "year, a mean stay near 2.5 years. The model's only exit from a place is death, so its "
        "50,000 deaths a year in the verpleeghuis exceed the about 39,000 of 2020 (752 a week, CBS, "
        "nl_facts nursing_home_deaths_per_week, secondary): residents die sooner than in reality "
        "to free the places that discharges free. The other states: assumptions",
        bounds=(0.0, 50.0),
    )
    mortality_rr_dementia: float = param(
        1.1,
        unit="hazard ratio",
        kind="assumption",
        source="with the care-state ratios gives a mean duration of dementia near 8 years "
        "(nl_facts dementia_mean_duration, secondary)",
        bounds=(0.0, 20.0),
    )
    max_age_years: float = param(
        110.0, unit="years", kind="assumption", source="closing age: everyone older dies",
        bounds=(90.0, 130.0),
    )


@dataclass(frozen=True)
class CareParams(_Group):
    """Care transitions and dementia, as annual hazards log-linear in age.

    A hazard named ``*_at80_per_year`` is the rate at exact age 80; it changes by the factor
    ``exp(slope * (age - 80))``.
    """

    _group = "care"

    limitation_onset_at80_per_year: float = param(
        0.035, unit="per year", kind="assumption",
        source="none -> limitation; with the slope keeps the 2025 age profile of limitations "
        "(23% of home-dwelling 75+) about stable", bounds=(0.0, 5.0))
    limitation_onset_slope_per_year_of_age: float = param(
        0.075, unit="per year of age", kind="assumption",
        source="slope of the hazard above; assumption", bounds=(0.0, 1.0))
    limitation_recovery_per_year: float = param(
        0.10, unit="per year", kind="assumption",
        source="limitation -> none (rehabilitation, aids); assumption", bounds=(0.0, 5.0))
    moderate_onset_at80_per_year: float = param(
        0.09, unit="per year", kind="assumption",
        source="limitation -> moderate care need; matches Wmo household help 16% at 75-84 and 30% "
        "at 85+ (2024, secondary)", bounds=(0.0, 5.0))
    moderate_onset_slope_per_year_of_age: float = param(
        0.06, unit="per year of age", kind="assumption",
        source="slope of the hazard above; assumption", bounds=(0.0, 1.0))
    regie_loss_per_year: float = param(
        0.5, unit="per year", kind="assumption",
        source="moderate -> loss of regie, for a person with dementia and no network (no partner, "
        "no children nearby); assumption", bounds=(0.0, 12.0))
    heavy_onset_at80_per_year: tuple[float, ...] = param(
        (0.0045, 0.018, 0.0675, 0.15), unit="per year, from care state none..regie",
        kind="output",
        source="-> heavy care need (Wlz indication); calibrated by hand (doorstroom validate) with "
        "the slope and mortality_rr_by_care: about 80,000-87,000 new indications a year keep the "
        "persons with an indication near 197,000 in 2025-2027 (191,303 VV indications in 2023, "
        "nl_facts wlz_vv_indications, secondary) and feed 56,000 admissions a year",
        bounds=(0.0, 12.0))
    heavy_onset_slope_per_year_of_age: float = param(
        0.13, unit="per year of age", kind="output",
        source="slope of the hazard above, calibrated by hand: a flatter slope (0.06 was tried) "
        "admits ever younger persons, who stay longer, so the residents' mean age falls from the "
        "85.7 of the 2025 population (CBS institutional households by age) and admissions fall "
        "with it; 0.13 holds it near 85", bounds=(0.0, 1.0))
    heavy_rr_dementia: float = param(
        1.5, unit="hazard ratio", kind="assumption",
        source="dementia raises the hazard of heavy care need; 70,000 of about 125,000 "
        "verpleeghuis residents have dementia (2019, verified)", bounds=(0.0, 50.0))
    dementia_onset_at80_per_year: float = param(
        0.020, unit="per year", kind="output",
        source="calibrated by hand (doorstroom validate) to the prevalence path of the 2021 letter "
        "(shared/sources/001: 520,000 in 2040, 620,000 in 2050). A log-linear line through 2 per "
        "1000 at 65-69 and 50 per 1000 at 90+ (nl_facts dementia_incidence_65_69, "
        "dementia_incidence_90plus, 2020, secondary) gives only 0.0105 at 80, with which the 2025 "
        "prevalence falls instead of growing with ageing: registered diagnoses undercount onsets",
        bounds=(0.0, 5.0))
    dementia_onset_slope_per_year_of_age: float = param(
        0.129, unit="per year of age", kind="input",
        source="ln(0.05/0.002)/25 years between the two incidence points above", bounds=(0.0, 1.0))
    dementia_min_care_state: int = param(
        2, unit="care state code", kind="assumption",
        source="a dementia diagnosis brings at least a moderate care need", bounds=(0, 4))
    dementia_share_institution: float = param(
        0.56, unit="share of institution residents", kind="input",
        source="70,000 residents with dementia (2019, verified) of 125,000 (persons in "
        "verzorgings/verpleeghuis 2020: 119,911, 2024: 128,686, verified)", bounds=(0.0, 1.0),
        changeable=False)


@dataclass(frozen=True)
class PopulationParams(_Group):
    """Scalars used to build the synthetic population (tables are in ``sim/data/``)."""

    _group = "population"

    def _check_together(self) -> None:
        for name in ("children_age_of_oldest_years", "coresidents_age_of_oldest_years"):
            _require_range("population", name, getattr(self, name))

    couple_age_gap_years: float = param(
        2.0, unit="years (man older)", kind="assumption",
        source="mean age gap in Dutch couples about 2-3 years (CBS); used only to pair partners",
        bounds=(-10.0, 10.0), changeable=False)
    couple_age_noise_years: float = param(
        2.5, unit="years (sd)", kind="assumption", source="spread of the age gap in pairing",
        bounds=(0.0, 20.0), changeable=False)
    children_nearby_share: float = param(
        0.55, unit="share of households", kind="assumption",
        source="share with a child living nearby (informal care network); assumption pending "
        "a CBS figure", bounds=(0.0, 1.0), changeable=False)
    aow_age_years: float = param(
        67.0, unit="years", kind="input", source="AOW age 67 from 2024 (SVB)", bounds=(60.0, 75.0))
    pension_share_aow: float = param(
        0.9, unit="share of AOW households", kind="assumption",
        source="share with an occupational pension on top of AOW; assumption", bounds=(0.0, 1.0))
    aio_share_aow: float = param(
        0.03, unit="share of AOW households", kind="assumption",
        source="AIO supplement (about 45,000 households, SVB, recalled); assumption",
        bounds=(0.0, 1.0), changeable=False)
    bijstand_share_working_age: float = param(
        0.05, unit="share of households below AOW age", kind="input",
        source="about 429,200 bijstand recipients (2022, nl_facts share_bijstand_under_"
        "kostendelersnorm note, secondary) over about 6.2 million such households", bounds=(0.0, 1.0),
        changeable=False)
    children_age_of_oldest_years: tuple[int, ...] = param(
        (25, 54), unit="years (lowest, highest) of the oldest adult", kind="assumption",
        source="households that have the 2025 children (0-17) living with them", bounds=(0, 120),
        changeable=False)
    coresidents_age_of_oldest_years: tuple[int, ...] = param(
        (40, 69), unit="years (lowest, highest) of the oldest adult", kind="assumption",
        source="households that have the 2025 adult co-residents (mostly adult children) living "
        "with them", bounds=(0, 120), changeable=False)
    coresident_age_noise_years: float = param(
        5.0, unit="years (sd)", kind="assumption",
        source="spread of the age of the oldest adult when the 2025 adult co-residents are placed by "
        "age (older co-residents with older households); only the co-residents' ages depend on it",
        bounds=(0.0, 50.0), changeable=False)
    children_couple_weight: float = param(
        4.0, unit="relative weight of a couple against a single adult", kind="assumption",
        source="a couple is four times as likely as a single adult to have the children and "
        "co-residents (about 1.5 million couples and 0.55 million single parents have children "
        "at home, CBS, recalled)", bounds=(0.0, 100.0), changeable=False)
    months_in_dwelling_mean_years: float = param(
        12.0, unit="years (mean of an exponential)", kind="assumption",
        source="time already spent in the dwelling on 1 January 2025", bounds=(0.1, 100.0), changeable=False)
    survival_decline_95plus_per_year: float = param(
        0.3, unit="relative decline of the number alive per year of age above 95", kind="assumption",
        source="spreads the ages within the open age group 95+ of the population table",
        bounds=(0.01, 5.0), changeable=False)
    pension_median_eur_year: float = param(
        18_000.0, unit="EUR per household per year", kind="assumption",
        source="median occupational pension of AOW households with a pension (their own income "
        "besides AOW). Derived: CBS 2015 disposable income of 65+ households, single EUR 23,000 "
        "and couple 40,000 (Blik op Nieuws 2017-03, secondary), times 1.25 for 2015-2025 (assumed "
        "nominal growth), over a net share of 0.9 (the flat share of results versions 19-34), minus "
        "the AOW: about 13,000 (single) and 29,600 (couple), mean about 21,000, median about 18,500 "
        "at income_spread_sigma",
        bounds=(0.0, 1e6), changeable=False)
    earnings_median_eur_year: float = param(
        65_000.0, unit="EUR per household per year", kind="assumption",
        source="median gross earnings of working-age households. CBS: mean gross household "
        "income EUR 82,100 in 2022, all households (Materiele welvaart 2024); the median of a "
        "lognormal is its mean / 1.13 at income_spread_sigma = 0.5. At AOW age a household's "
        "pension is its earnings' rank on the pension distribution",
        bounds=(0.0, 1e7), changeable=False)
    tenure_position_correlation: float = param(
        0.84, unit="correlation (latent normal scores)", kind="output",
        source="how strongly the 2025 tenure follows the household's economic position (the rank "
        "that sets benefit type and income): social rent for the poorer, owner-occupation for the "
        "richer (the corporations' target group lies under the DAEB income limit, EUR 49,669 "
        "single / 54,847 multi-person in 2025); fitted (0.840, se 0.038) with owner_cost_share_per_year to "
        "about 1.5 million huurtoeslag households and the owners' median woonquote of 16.6% in 2025 "
        "(calibration/examples/money_2025.toml)", bounds=(0.0, 0.99),
        changeable=False)
    income_spread_sigma: float = param(
        0.5, unit="sd of log income", kind="assumption",
        source="lognormal spread of pensions and earnings", bounds=(0.0, 5.0), changeable=False)
    savings_median_eur: tuple[float, ...] = param(
        (2_600.0, 7_700.0, 18_500.0, 36_300.0, 52_000.0, 52_000.0),
        unit="EUR per household (renters <65, 65-74, 75+; owners <65, 65-74, 75+)", kind="input",
        source="median wealth besides the own home, 1 January 2020 (CBS, 'Vermogens van huurders "
        "groeiden niet, van woningbezitters wel', October 2021, via blikopnieuws.nl; secondary): "
        "renters 65-75 EUR 7,700, renters 75+ 18,500, owners 65+ 52,000; under 65 the medians of all "
        "renters (2,600) and all owners (36,300), which include the 65+ (approximation). Held "
        "for 2025 in EUR of 2025 (assumption)", bounds=(0.0, 1e7), changeable=False)
    savings_spread_sigma: float = param(
        1.5, unit="sd of log savings", kind="assumption",
        source="lognormal spread of savings around the median (wealth is far more unequal than "
        "income: assumption)", bounds=(0.0, 5.0), changeable=False)
    starter_income_eur_year: float = param(
        30_000.0, unit="EUR per household per year", kind="assumption",
        source="earnings of a working starter or immigrant household in its first dwelling",
        bounds=(0.0, 1e7))


@dataclass(frozen=True)
class WlzParams(_Group):
    """Long-term care (Wlz): verpleeghuis places and admission by the zorgkantoor."""

    _group = "wlz"

    def _check_together(self) -> None:
        if len(self.capacity_path_years) != len(self.capacity_path_places):
            raise ParameterError(
                f"wlz.capacity_path_years has {len(self.capacity_path_years)} years but "
                f"wlz.capacity_path_places {len(self.capacity_path_places)} values: expected as many")
        _require_increasing("wlz", "capacity_path_years", self.capacity_path_years, "years")

    verpleeghuis_places: float = param(
        133_750.0, unit="places (national), 1 January 2025", kind="input",
        source="Kamerbrief WOZO 04-07-2022 (shared/sources/004, line 319): 'Tot en met 2026 zal het "
        "aantal verpleeghuisplekken van 130.000 toenemen tot ca. 135.000'; 1 January 2025 "
        "interpolated linearly between 130,000 (2022) and 135,000 (2026) (derived); split over "
        "provinces like the 2025 residents", bounds=(0.0, 1e6), changeable=False)
    capacity_path_years: tuple[int, ...] = param(
        (2026, 2030), unit="years (1 January)", kind="input",
        source="the capacity path of current policy (Kamerbrief WOZO 04-07-2022, line 319): about "
        "135,000 places by 2026, after 2026 'structureel weer op 130.000 plekken'; the letter gives "
        "no year for the return to 130,000: 2030 is an assumption. Capacity is interpolated "
        "linearly between these points (from verpleeghuis_places on 1 January 2025) and constant "
        "after the last", bounds=(2025, 2100), any_length=True)
    capacity_path_places: tuple[float, ...] = param(
        (135_000.0, 130_000.0), unit="places (national), at capacity_path_years", kind="input",
        source="Kamerbrief WOZO 04-07-2022 (shared/sources/004, line 319); places added are built by "
        "the zorgkantoren, places above the path close as they free up", bounds=(0.0, 1e6),
        any_length=True)
    wants_admission_share: float = param(
        0.95, unit="share of new indications (before the waiting response and the carer's factor)",
        kind="assumption",
        source="share of persons with a new Wlz indication who register for a verpleeghuis place; "
        "the rest receive Wlz care at home ('thuis, tenzij'; 68,908 of 191,303 VV indications at "
        "home in 2023, secondary); with the next parameter set so that the waiting list stays near "
        "the published 18,000-22,000 in the first years (reset from 0.8 when informal care came in, "
        "results version 37: those with a carer register at informal.registration_factor_with_carer)",
        bounds=(0.0, 1.0))
    later_admission_wish_per_year: float = param(
        1.1, unit="per year (before the waiting response and the carer's factor)", kind="assumption",
        source="hazard that a person with Wlz care at home registers for a place later; with the "
        "share above and the waiting response set by hand so that the list stays near 18,000-22,000 "
        "to 2030 while about 56,000 a year are admitted (reset from 0.6 with the share above)",
        bounds=(0.0, 12.0))
    registration_half_wait_months: float = param(
        6.0, unit="months of expected wait", kind="assumption",
        source="the registration probabilities above halve with every this many months of expected "
        "wait (waiting list / admissions per month): people weigh the wait against a volledig "
        "pakket thuis. No elasticity is published; the direction is (the list fell by about 4,000 "
        "in 2024 under the zorgkantoren's 'thuis, tenzij' for VV4, Skipr 2025-07 citing NZa, "
        "secondary)", bounds=(0.1, 120.0))
    admissions_per_year_2024: float = param(
        56_000.0, unit="persons per year (national)", kind="input",
        source="'alle 56.000 mensen (nieuwe instroom)' in the verpleeghuis (Kamerbrief VWS "
        "20-02-2025, shared/sources/000 lines 582-583, verified); the admissions of the year before "
        "the model's first for the expected wait", bounds=(1.0, 1e6), changeable=False)
    initial_waiting_share: float = param(
        0.27, unit="share of Wlz indications at home, 2025", kind="assumption",
        source="about 18,000-22,000 waiting for a verpleeghuis place (nl_facts nursing_home_waiting "
        "2025 secondary, nursing_home_waiting_total_vv 21,209 Q3 2023 verified) of about 65,000 "
        "with an indication at home", bounds=(0.0, 1.0), changeable=False)
    initial_waiting_months_max: int = param(
        12, unit="months", kind="assumption",
        source="the 2025 waiting list has waited up to this long (drawn uniformly)",
        bounds=(1, 120), changeable=False)


@dataclass(frozen=True)
class HousingParams(_Group):
    """The dwelling stock."""

    _group = "housing"

    initial_vacancy_rate: float = param(
        0.02, unit="share of the private stock", kind="assumption",
        source="frictional vacancy of the Dutch stock of roughly 2% (assumption pending a CBS "
        "leegstand figure)", bounds=(0.0, 0.2), changeable=False)
    initial_vacant_months_max: int = param(
        6, unit="steps before 1 January 2025 (months with monthly steps)", kind="assumption",
        source="the 2025 vacant dwellings have been vacant up to this long (drawn uniformly)",
        bounds=(1, 120), changeable=False)
    rooms_by_type: tuple[int, ...] = param(
        (4, 3, 2, 2, 1, 1), unit="rooms, by dwelling type regular .. verpleeghuis",
        kind="assumption",
        source="base number of rooms, before adjustments for tenure and household size and a "
        "random -1, 0 or +1 (Dutch dwellings average about 4 rooms)", bounds=(1, 20))
    owner_extra_rooms: int = param(
        1, unit="rooms", kind="assumption", source="owner-occupied dwellings have more rooms",
        bounds=(0, 10))
    regular_rooms_for_size_max: int = param(
        6, unit="rooms", kind="assumption",
        source="a regular dwelling has at least as many rooms as its household has persons, up to "
        "this many", bounds=(1, 20))
    rooms_max: int = param(
        8, unit="rooms", kind="assumption", source="largest number of rooms drawn",
        bounds=(1, 100))
    family_home_min_rooms: int = param(
        4, unit="rooms", kind="assumption",
        source="a regular dwelling with at least this many rooms counts as a family home",
        bounds=(1, 20))


@dataclass(frozen=True)
class MovingParams(_Group):
    """Move intention, search and acceptance.

    Intentions follow WoON's three levels (none, maybe, definite) by age group of the oldest adult
    (groups: under 55, 55-64, 65-74, 75+). A multinomial logit gives each household its chances; the
    intercepts are solved at the start of a run so that the 2025 population reproduces the target
    shares, and the effects below then move intentions as households age and their needs change.
    """

    _group = "moving"

    def _check_together(self) -> None:
        for k, (d, m) in enumerate(zip(self.intention_definite_share, self.intention_maybe_share,
                                       strict=True)):
            if d + m >= 1:
                raise ParameterError(
                    f"moving.intention_definite_share + moving.intention_maybe_share = {d} + {m} in "
                    f"age group {k + 1} of 4: expected a sum below 1 (the rest have no intention)")
        _require_sum("moving", "search_private_tenure_shares", self.search_private_tenure_shares,
                     one=True)

    intention_definite_share: tuple[float, ...] = param(
        (0.09, 0.05, 0.04, 0.02), unit="share of households, by age group <55, 55-64, 65-74, 75+",
        kind="input",
        source="WoON2015: 65-74 4%, 75+ 2% definite (nl_facts share_hh65_74_move_definitely, "
        "share_hh75plus_move_definitely, secondary); 25-64 9% (nl_facts note on "
        "share_hh65plus_move_definitely_2y, verified) for <55; 55-64 5% is an assumption",
        bounds=(0.0, 1.0), changeable=False)
    intention_maybe_share: tuple[float, ...] = param(
        (0.15, 0.19, 0.18, 0.12), unit="share of households, by age group <55, 55-64, 65-74, 75+",
        kind="input",
        source="WoON2015: 65-74 18%, 75+ 12% maybe (nl_facts share_hh65_74_move_maybe, "
        "share_hh75plus_move_maybe, secondary); <55 15% and 55-64 19% are assumptions",
        bounds=(0.0, 1.0), changeable=False)
    effect_mismatch: tuple[float, ...] = param(
        (1.2, 0.8), unit="log-odds (definite, maybe)", kind="assumption",
        source="a care need the dwelling does not meet (limitation in a home that is not "
        "step-free, or moderate care or more outside geclusterd/zorggeschikt); two in three "
        "move-willing 75+ name health (nl_facts share_movewilling_75plus_health_motive, secondary)",
        bounds=(-10.0, 10.0))
    effect_widowed: tuple[float, ...] = param(
        (0.8, 0.5), unit="log-odds (definite, maybe)", kind="assumption",
        source="partner died in the last 24 months", bounds=(-10.0, 10.0))
    effect_underoccupation: tuple[float, ...] = param(
        (0.3, 0.3), unit="log-odds (definite, maybe)", kind="assumption",
        source="three or more rooms more than persons", bounds=(-10.0, 10.0))
    effect_owner: tuple[float, ...] = param(
        (-0.4, -0.2), unit="log-odds (definite, maybe)", kind="assumption",
        source="owners move less (cost of moving, transfer tax)", bounds=(-10.0, 10.0))
    effect_attachment: tuple[float, ...] = param(
        (-0.3, -0.2), unit="log-odds (definite, maybe)", kind="assumption",
        source="20 years or more in the dwelling; 56% of 55+ will not move unless they must "
        "(nl_facts share_55plus_no_move_unless_necessary, verified)", bounds=(-10.0, 10.0))
    widowed_recent_months: int = param(
        24, unit="steps since the partner died (months with monthly steps)", kind="assumption",
        source="a widowhood this recent raises the move intention (effect_widowed)",
        bounds=(0, 600))
    underoccupation_rooms: int = param(
        3, unit="rooms more than persons", kind="assumption",
        source="a dwelling this much larger than the household counts as under-occupied "
        "(effect_underoccupation)", bounds=(0, 20))
    attachment_months: int = param(
        240, unit="months in the dwelling", kind="assumption",
        source="residence this long counts as attachment (effect_attachment)", bounds=(0, 1200))
    search_start_definite_per_year: float = fitted(
        "moving.search_start_definite_per_year", unit="per year",
        source="hazard that a household with a definite intention starts searching; fitted to the "
        "CBS move rate at 65-74 and the realisation of definite intentions within a year (WoON2015)",
        bounds=(0.0, 12.0))
    search_start_maybe_per_year: float = fitted(
        "moving.search_start_maybe_per_year", unit="per year",
        source="hazard that a household with a 'maybe' intention starts searching; fitted with the "
        "one above", bounds=(0.0, 12.0))
    search_give_up_per_year: float = param(
        0.3, unit="per year", kind="assumption", source="hazard of abandoning a search",
        bounds=(0.0, 12.0))
    search_nultreden_share: tuple[float, ...] = param(
        (0.4, 0.6), unit="share of searchers without a care need, oldest adult 55-74, 75+",
        kind="assumption",
        source="older households without a care need who seek a nultredenwoning (the rest a "
        "regular dwelling; younger households seek regular dwellings)", bounds=(0.0, 1.0))
    search_limitation_nultreden_share: float = param(
        0.8, unit="share of searchers with a limitation", kind="assumption",
        source="a limitation seeks a nultredenwoning, else a geclusterde woning", bounds=(0.0, 1.0))
    search_care_geclusterd_share: float = param(
        0.6, unit="share of searchers with moderate care or loss of regie", kind="assumption",
        source="they seek a geclusterde woning, else a zorggeschikte (heavy care at home always "
        "seeks zorggeschikt)", bounds=(0.0, 1.0))
    search_owner_stays_share: tuple[float, ...] = param(
        (0.8, 0.6), unit="share of owners, oldest adult under 75, 75+", kind="assumption",
        source="owners who seek to buy again (the rest seek social rent)", bounds=(0.0, 1.0))
    search_social_stays_share: float = param(
        0.9, unit="share of social tenants", kind="assumption",
        source="social tenants who seek social rent again (the rest private rent)",
        bounds=(0.0, 1.0))
    search_private_tenure_shares: tuple[float, ...] = param(
        (0.5, 0.35, 0.15), unit="share of private tenants: private, social, owner",
        kind="assumption", source="tenure sought by private tenants", bounds=(0.0, 1.0))
    older_mover_age_years: float = param(
        65.0, unit="years (oldest adult)", kind="assumption",
        source="older movers for the woningcorporaties' priority for geclusterd and zorggeschikt "
        "dwellings and for the doorstroom levers", bounds=(0.0, 120.0))
    accept_probability: float = param(
        0.75, unit="probability per offer", kind="assumption",
        source="acceptance of an offer that fits (enough rooms)", bounds=(0.0, 1.0))
    accept_probability_too_small: float = param(
        0.2, unit="probability per offer", kind="assumption",
        source="acceptance of an offer with fewer rooms than persons", bounds=(0.0, 1.0))
    vacancy_handover_months_owner: float = param(
        3.0, unit="months", kind="assumption",
        source="time between a sale and the new owner moving in (transfer, renovation)",
        bounds=(0.0, 24.0))
    vacancy_handover_months_rent: float = param(
        1.0, unit="months", kind="assumption",
        source="time between two tenancies (notice, repairs)", bounds=(0.0, 24.0))
    open_market_after_months: float = param(
        2.0, unit="months", kind="assumption",
        source="a dwelling vacant this long is offered to any searcher of the province",
        bounds=(0.0, 120.0))
    accept_probability_open: float = param(
        0.4, unit="probability per offer", kind="assumption",
        source="acceptance of a dwelling of another type or tenure than sought", bounds=(0.0, 1.0))
    allocation_rounds: int = param(
        3, unit="rounds per step", kind="assumption",
        source="offer rounds per month before unfilled vacancies wait for the next month",
        bounds=(1, 20))
    adapted_share_initial: float = param(
        0.9, unit="share", kind="assumption",
        source="share of 2025 households with a limitation in a regular home whose home is adapted "
        "(stairlift, ground-floor bedroom; Wmo woningaanpassing), so that about 61,000 older "
        "people with a physical limitation are not suitably housed (ABF 2021, verified)",
        bounds=(0.0, 1.0), changeable=False)
    adaptation_per_year: float = param(
        0.5, unit="per year", kind="assumption",
        source="hazard that a regular home of a household with a new limitation is adapted "
        "(Wmo woningaanpassing)", bounds=(0.0, 12.0))


@dataclass(frozen=True)
class TurnoverParams(_Group):
    """The rest of the market: births, starters, migration, demolition and new building."""

    _group = "turnover"

    def _check_together(self) -> None:
        _require_sum("turnover", "new_dwelling_type_shares", self.new_dwelling_type_shares, one=False)
        _require_sum("turnover", "new_dwelling_tenure_shares", self.new_dwelling_tenure_shares,
                     one=False)
        _require_sum("turnover", "applicant_tenure_shares", self.applicant_tenure_shares, one=True)
        _require_sum("turnover", "transformation_type_shares", self.transformation_type_shares,
                     one=False)
        _require_sum("turnover", "transformation_tenure_shares", self.transformation_tenure_shares,
                     one=False)
        if len(self.new_build_path_years) != len(self.new_build_path_per_year):
            raise ParameterError(
                f"turnover.new_build_path_years has {len(self.new_build_path_years)} years but "
                f"turnover.new_build_path_per_year {len(self.new_build_path_per_year)} values: "
                "expected as many")
        _require_increasing("turnover", "new_build_path_years", self.new_build_path_years, "years")
        if len(self.immigration_path_years) != len(self.immigration_path_persons):
            raise ParameterError("turnover.immigration_path_years and turnover.immigration_path_persons: "
                                 "expected as many years as values")
        if len(self.fertility_path_years) != len(self.fertility_path_tfr):
            raise ParameterError("turnover.fertility_path_years and turnover.fertility_path_tfr: "
                                 "expected as many years as values")
        for name in ("starter_age_years", "immigrant_parent_age_years"):
            _require_range("turnover", name, getattr(self, name))
        _require_increasing("turnover", "leave_home_age_years", self.leave_home_age_years, "ages")
        if len(self.leave_home_by_age_per_year) != len(self.leave_home_age_years) + 1:
            raise ParameterError(
                f"turnover.leave_home_by_age_per_year has {len(self.leave_home_by_age_per_year)} rates "
                f"for {len(self.leave_home_age_years)} age edges: expected one more rate than edges")
        _require_increasing("turnover", "union_age_years", self.union_age_years, "ages")
        if len(self.union_per_year) != len(self.union_age_years) - 1:
            raise ParameterError(
                f"turnover.union_per_year has {len(self.union_per_year)} rates for "
                f"{len(self.union_age_years) - 1} age bands of turnover.union_age_years: expected one "
                "rate per band")

    fertility_path_years: tuple[int, ...] = param(
        (2023, 2030, 2040, 2050), unit="years", kind="input",
        source="years of the total fertility rate path (with fertility_path_tfr), interpolated "
        "linearly and constant outside", bounds=(2000, 2100), any_length=True)
    fertility_path_tfr: tuple[float, ...] = param(
        (1.43289, 1.49079, 1.63374, 1.64257), unit="children per woman (total fertility rate)",
        kind="input",
        source="CBS Bevolkingsprognose 2023-2070, StatLine 85747NED (2023 realised, then projected), "
        "verified", bounds=(0.0, 10.0), any_length=True)
    fertility_mean_age_years: float = param(
        31.7, unit="years (mean age of the mother at birth)", kind="assumption",
        source="births by the mother's age follow a normal curve with this mean and the sd below, "
        "over ages 15-49, scaled to the year's total fertility rate. Derived: mean age at a first "
        "birth 30.3 (2022, CBS via news, secondary), births by order 2023 75,601 first, 60,044 "
        "second, 20,159 third, 8,683 later (CBS StatLine 37744ned, verified), later births taken "
        "2.1, 3.3 and 4.2 years older (assumption)", bounds=(15.0, 49.0))
    fertility_sd_age_years: float = param(
        4.8, unit="years", kind="assumption", source="spread of the mother's age at birth",
        bounds=(0.5, 20.0))
    births_single_mother_share: float = param(
        0.09, unit="share of births", kind="input",
        source="births to a mother without a partner: 15,000 of the live births of 2017, 9% (6% in "
        "2000, 7.5% in 2010; CBS via NU.nl 2018-12, secondary); the rest to women living with a "
        "partner", bounds=(0.0, 1.0))
    child_to_adult_per_year: float = param(
        1 / 18, unit="per child per year", kind="assumption",
        source="children aged 0-17 spread evenly over 18 years of age", bounds=(0.0, 1.0))
    union_age_years: tuple[int, ...] = param(
        (20, 30, 40, 50, 65), unit="years: edges of the age bands of union_per_year",
        kind="assumption", source="single adults of these ages may move in with a partner",
        bounds=(0, 120), any_length=True)
    starter_age_years: tuple[float, ...] = param(
        (20.0, 30.0), unit="years, drawn uniformly", kind="assumption",
        source="age of an adult child leaving home", bounds=(0.0, 120.0))
    newcomer_male_share: float = param(
        0.5, unit="share", kind="assumption", source="men among starters and immigrants",
        bounds=(0.0, 1.0))
    applicant_regular_share: float = param(
        0.5, unit="share of starters and immigrants", kind="assumption",
        source="first dwelling sought: regular, else an apartment (nultreden)", bounds=(0.0, 1.0))
    applicant_tenure_shares: tuple[float, ...] = param(
        (0.45, 0.40, 0.15), unit="share of starters and immigrants: private, social, owner",
        kind="assumption", source="tenure of the first dwelling sought", bounds=(0.0, 1.0))
    union_per_year: tuple[float, ...] = param(
        (0.4, 0.35, 0.08, 0.01), unit="per single adult per year, by age band of union_age_years",
        kind="output",
        source="singles who move in with a partner. The fall with age follows the wishes of "
        "singles: nine in ten twenty-somethings want to live together, most thirty-somethings, 40% of "
        "forty-somethings, and six in ten singles over 50 want no partner at home (CBS 2002 and 2018, "
        "via news, secondary). Levels set by hand against one-person households 2030-2050 of CBS "
        "85085NED (doorstroom validate): a flat 0.2 to age 50 coupled nearly every single by 50, so "
        "the one-person households of 50-74 halved by 2050; (0.25, 0.2) under 40 let one-person "
        "households of 25-39 grow by 290,000 in five years (+9.6% over 85085NED in 2030); 0.12 at "
        "40-49 took one-person households 8% under it by 2050; 0.03 at 50-64 left the 2050 count 5% "
        "under it while 2030 was 5% over: the 50-64 rate moves 2050 and hardly 2030. With immigrant "
        "households by CBS's ages and births mostly to couples, 0.35 at 20-29 put 2030 4.6% over; "
        "0.4 gives +3.0/+1.4/-4.0% (2030/2040/2050, seed 1); (0.45, 0.35, 0.08, 0.02) took 2050 to "
        "-8%", bounds=(0.0, 5.0), any_length=True)
    leave_home_per_year: float = param(
        0.09, unit="per adult co-resident per year", kind="assumption",
        source="hazard of a co-resident whose age is not followed (a fifth or later one in a "
        "household): adult children leave home after about 11 years on average (assumption)",
        bounds=(0.0, 5.0))
    leave_home_age_years: tuple[int, ...] = param(
        (20, 22, 24, 27, 30, 35), unit="years: edges of the age bands of leave_home_by_age_per_year",
        kind="input", source="age bands of the leave-home hazard", bounds=(0, 120), any_length=True)
    leave_home_by_age_per_year: tuple[float, ...] = param(
        (0.10, 0.12, 0.19, 0.26, 0.24, 0.12, 0.04), unit="per adult co-resident per year",
        kind="input",
        source="hazard of leaving home by the co-resident's age, derived from the share of each age "
        "living with a parent on 1 January 2021 (CBS 2021-49 'Leeftijd bij uit huis gaan in 2020 "
        "licht gedaald': 18 89.7%, 20 73.8%, 22 57.8%, 24 39.4%, 27 18.2%, 30 8.9%) as -ln(share "
        "at a+1 / share at a), mean over each band (18-19 0.10, 20-21 0.12, 22-23 0.19, 24-26 "
        "0.26, 27-29 0.24); 30-34 and 35+ (0.12, 0.04) are assumptions (no share published past "
        "30). Times leave_home_level", bounds=(0.0, 5.0), any_length=True)
    leave_home_level: float = param(
        0.55, unit="factor on leave_home_by_age_per_year", kind="assumption",
        source="the model's adult co-residents are the position table's residual (about 1.9 million "
        "in 2025, CBS's children at home 18-30 are about 1.2 million), so they include adults who "
        "are not children at home and leave less; the level is set by hand against CBS 85085NED "
        "households (doorstroom validate --seeds 2, results version 23): 1.0 gave 274,000 starters "
        "in 2025 and households +2.7/+3.2/+3.2% (2030/2040/2050), one-person +8.4/+5.9/+2.7%; 0.7 "
        "+1.9/+2.7/+2.2% and +5.7/+3.5/-0.8%; 0.55 +0.6/+0.8/-0.3% and +3.0/+0.7/-4.7%",
        bounds=(0.0, 10.0))
    immigration_path_years: tuple[int, ...] = param(
        (2024, 2030, 2040, 2050), unit="years", kind="input",
        source="years of the immigration path (with immigration_path_persons), interpolated "
        "linearly and constant outside", bounds=(2000, 2100), any_length=True)
    immigration_path_persons: tuple[float, ...] = param(
        (323_309.0, 308_688.0, 309_565.0, 310_012.0), unit="immigrants per year (persons, national)",
        kind="input",
        source="CBS Bevolkingsprognose 2023-2070, StatLine 85751NED (2024 realised, then projected), "
        "verified; ages as in sim/data/migration_2024.csv", bounds=(0.0, 1e7), any_length=True)
    immigrant_couple_share: float = param(
        0.3, unit="share of immigrant households", kind="assumption",
        source="immigrant households arriving as a couple (the rest arrive as one adult, with or "
        "without children); CBS registers household type at arrival (Bevolkingstrends 2009-4, "
        "'Gezinshereniging en gezinsvorming na immigratie') but the stored pages give no shares",
        bounds=(0.0, 1.0))
    immigrant_partner_age_sd_years: float = param(
        4.0, unit="years", kind="assumption",
        source="spread of the partner's age around the age of the first adult of an immigrant couple",
        bounds=(0.0, 20.0))
    immigrant_parent_age_years: tuple[float, ...] = param(
        (25.0, 55.0), unit="years: first adult's age from, to (exclusive)", kind="assumption",
        source="immigrant households whose first adult has an age in this range bring the minors "
        "among the immigrants (sim/data/migration_2024.csv), each a Poisson number with the mean that "
        "gives their count", bounds=(0.0, 120.0))
    recent_immigrant_years: float = param(
        6.0, unit="years", kind="input",
        source="households whose first adult arrived from abroad this recently emigrate at "
        "recent_immigrant_emigration_per_year (the window of CBS, Bevolkingstrends 2009-4, "
        "'Gezinshereniging en gezinsvorming na immigratie': of the immigrants of 1996 and 2002, "
        "35-45% had left after six years)", bounds=(0.0, 50.0))
    recent_immigrant_emigration_per_year: float = param(
        0.082, unit="per household per year", kind="input",
        source="derived: 40% (the middle of CBS's 35-45%) leaving within six years is a constant "
        "rate of 1 - 0.6^(1/6) = 0.082 a year (Bevolkingstrends 2009-4)", bounds=(0.0, 1.0))
    emigration_factor_settled: float = param(
        0.8, unit="factor on CBS's emigration rates by age", kind="output",
        source="households not recently arrived emigrate at CBS's rate for the age of their oldest "
        "adult (emigrants by age in 2024, sim/data/migration_2024.csv, per person of that age on "
        "1 January 2025, population_2025.csv) times this factor: CBS's rates include the recent "
        "immigrants, who leave at recent_immigrant_emigration_per_year. Set by hand against total "
        "emigration of 85751NED in 2030 (doorstroom validate)", bounds=(0.0, 5.0))
    immigrant_give_up_per_year: float = param(
        0.2, unit="per year", kind="assumption",
        source="immigrant households without a dwelling of their own who leave the country again "
        "(counted as emigrants; CBS: 35-45% of the immigrants of 1996 and 2002 had left within six "
        "years, Bevolkingstrends 2009-4 'Gezinshereniging en gezinsvorming na immigratie'); starters "
        "keep searching while living with their parents",
        bounds=(0.0, 12.0))
    new_build_path_years: tuple[int, ...] = param(
        (2024, 2025, 2030, 2031, 2040, 2041), unit="years", kind="assumption",
        source="completions path (with new_build_path_per_year), interpolated linearly and constant "
        "after the last year: 2024 realised; 2025-2030 the national programme's pace (900,000 "
        "dwellings 2022-2030, 100,000 a year from 2024 including about 15,000 by transformation: "
        "Kamerbrief 11-05-2022, 32 847 nr. 883; Kamerbrief versnellen woningbouw 13-06-2022) as the "
        "baseline assumption; after the programme (from 2031) the pace of projected household growth "
        "plus demolition minus transformation, decade by decade (assumption; a step, not a ramp, so "
        "that each decade builds its sum)",
        bounds=(2000, 2100), any_length=True)
    new_build_path_per_year: tuple[float, ...] = param(
        (69_000.0, 85_000.0, 85_000.0, 37_800.0, 37_800.0, 23_900.0),
        unit="new dwellings per year (national)",
        kind="assumption",
        source="2024: 69,000 completions (CBS via Blik op Nieuws 2025-01, secondary; 2022: 74,560, "
        "2023: 73,333, CBS 82235NED, verified); 2025-2030: 85,000 a year (the programme's 100,000 "
        "minus about 15,000 transformations); 2031-2040: 37,800 = household growth 2030-2040 of "
        "36,713 a year (CBS 85085NED: 8,658,795 to 9,025,926, verified) + demolitions 10,700 - "
        "transformations 9,600 (turnover parameters); from 2041: 23,900 = household growth "
        "2040-2050 of 22,840 a year (to 9,254,327) + 10,700 - 9,600 (derived). The earlier 50,000 "
        "from 2035 left out the transformations and the slower growth after 2040: vacancy rose to "
        "8% by 2050",
        bounds=(0.0, 1e6), any_length=True)
    transformation_per_year: float = param(
        9_600.0, unit="dwellings per year (national)", kind="input",
        source="dwellings added by transforming non-residential buildings: 10,480 (2021), 9,565 "
        "(2022), 8,755 (2023) (CBS Transformaties in de woningvoorraad 2021-2023, verified); mean of "
        "2021-2023; each starts a vacancy chain with cause 'transformation'", bounds=(0.0, 1e6))
    transformation_type_shares: tuple[float, ...] = param(
        (0.3, 0.7, 0.0, 0.0), unit="share: regular, nultreden, geclusterd, zorggeschikt",
        kind="assumption",
        source="transformed offices and shops become mostly apartments (offices 2,500 and shops 2,200 "
        "of 8,755 in 2023, CBS via Blik op Nieuws, secondary); the split is an assumption",
        bounds=(0.0, 1.0))
    transformation_tenure_shares: tuple[float, ...] = param(
        (0.2, 0.3, 0.5), unit="share: owner, social, private", kind="assumption",
        source="tenure of transformed dwellings, mostly rented (assumption)", bounds=(0.0, 1.0))
    separation_at40_per_year: float = param(
        0.0291, unit="per couple per year, older partner aged 40", kind="input",
        source="derived: with the slope below, the 2025 couples give about 79,500 separations a year "
        "(159,000 persons ended a co-residential relationship in 2019, married or not: CBS "
        "Statistische Trends 2021 'Conjunctuur en relatievorming en -ontbinding', verified) of which "
        "about 5,000 with an older partner aged 60+ (assumption; 'ruim 6.000' divorcing persons "
        "aged 60+ in 2019, secondary)", bounds=(0.0, 5.0))
    separation_slope_per_year_of_age: float = param(
        0.079, unit="per year of age of the older partner", kind="input",
        source="derived with separation_at40_per_year (see there)", bounds=(0.0, 1.0))
    separation_man_stays_share: float = param(
        0.616, unit="share of separations", kind="input",
        source="after a separation the man stayed in the joint dwelling in 53%, the woman in 33%, "
        "neither in 15% (CBS Statistische Trends 2021 'De woonsituatie na een scheiding', 2014 "
        "separations, verified): 53 / (53 + 33); the 15% who both leave are modelled as one leaving",
        bounds=(0.0, 1.0))
    new_dwelling_type_shares: tuple[float, ...] = param(
        (0.55, 0.40, 0.03, 0.02), unit="share: regular, nultreden, geclusterd, zorggeschikt",
        kind="assumption",
        source="about 30,000 single-floor apartments a year (nl_facts "
        "net_added_single_floor_apartments_per_year, verified) of about 80,000",
        bounds=(0.0, 1.0))
    new_dwelling_tenure_shares: tuple[float, ...] = param(
        (0.5, 0.3, 0.2), unit="share: owner, social, private", kind="assumption",
        source="tenure of new dwellings; the 2030 agreements aim at about a third social rent "
        "(assumption)", bounds=(0.0, 1.0))
    demolitions_per_year: float = param(
        10_700.0, unit="dwellings per year (national)", kind="input",
        source="demolitions 2018-2022: 8,759, 10,684, 10,245, 9,925, 10,559 (CBS 82235NED, verified), "
        "11,800 in 2024 (CBS via Blik op Nieuws, secondary): about 10,700 a year; the longest-vacant "
        "regular dwellings are demolished", bounds=(0.0, 1e6))


@dataclass(frozen=True)
class PolicyParams(_Group):
    """Policy levers; the defaults are the baseline (current policy). See ``agents/policies.py``."""

    _group = "policy"

    def _check_together(self) -> None:
        if self.programme_last_year < self.programme_first_year:
            raise ParameterError(
                f"policy.programme_last_year = {self.programme_last_year} is before "
                f"policy.programme_first_year = {self.programme_first_year}"
            )

    programme_nultreden_total: float = param(
        0.0, unit="dwellings (national), over the programme years", kind="policy",
        source="building programme for older people: 170,000 nultredenwoningen up to 2030 "
        "(letter, nl_facts target_nultredenwoningen, secondary); 0 in the baseline",
        bounds=(0.0, 5e6))
    programme_geclusterd_total: float = param(
        0.0, unit="dwellings (national), over the programme years", kind="policy",
        source="80,000 geclusterde woningen up to 2030 (nl_facts target_geclusterde_woningen, "
        "secondary); 0 in the baseline", bounds=(0.0, 5e6))
    programme_zorggeschikt_total: float = param(
        0.0, unit="dwellings (national), over the programme years", kind="policy",
        source="40,000 zorggeschikte woningen up to 2030 (nl_facts target_zorggeschikte_woningen, "
        "secondary); 0 in the baseline", bounds=(0.0, 5e6))
    programme_first_year: int = param(
        2025, unit="year", kind="policy", source="first year of the building programme",
        bounds=(2025, 2100))
    programme_last_year: int = param(
        2030, unit="year", kind="policy", source="last year of the building programme (up to 2030 "
        "in the agreements)", bounds=(2025, 2100))
    programme_social_share: float = param(
        0.5, unit="share of programme dwellings", kind="policy",
        source="half by woningcorporaties, half by the market (nl_facts "
        "target_geschikte_woningen_ouderen note, verified)", bounds=(0.0, 1.0))
    logeerzorg_share: float = param(
        0.0, unit="share of the main carers of persons with a Wlz indication at home", kind="policy",
        source="carers who use logeerzorg (respite stays); 0 in the baseline", bounds=(0.0, 1.0))
    logeerzorg_burden_factor: float = param(
        0.5, unit="factor on the carer's burden hazards", kind="assumption",
        source="respite halves a user's hazards of becoming overburdened and of stopping once "
        "overburdened; assumption, checked against the letter of 2021 (professionals: admission "
        "about half a year later for part of the users; nl_facts logeerzorg_admission_delay)",
        bounds=(0.0, 1.0))
    older_mover_priority_all_types: bool = param(
        False, unit="switch", kind="policy",
        source="doorstroom: corporaties give movers 65+ priority for every dwelling type, not "
        "only geclusterd and zorggeschikt", bounds=(None, None))
    keep_rent: bool = param(
        False, unit="switch", kind="policy",
        source="doorstroom: a social tenant 65+ who moves to another social dwelling keeps the old "
        "rent when it is lower (huurprijs meenemen; the corporation forgoes the re-let rent: letter "
        "VWS 20-02-2025, 29 389 nr. 146, section 4.4 answer); off in the baseline",
        bounds=(None, None))
    moving_allowance_eur: float = param(
        0.0, unit="EUR, one-off, per household 65+ that moves", kind="policy",
        source="doorstroom: help with moving paid as a one-off allowance (verhuiskostenvergoeding) "
        "that offsets money.moving_cost_eur in the cost of an offer; 0 in the baseline",
        bounds=(0.0, 1e6))
    verpleeghuis_places_target: float = param(
        0.0, unit="places (national); 0 = no target", kind="policy",
        source="scheiden wonen en zorg: verpleeghuis capacity brought back to 130,000 (letter "
        "2025, nl_facts verpleeghuis_places note, verified) by not refilling places that free up",
        bounds=(0.0, 1e6))
    wlz_at_home_in_zorggeschikt: bool = param(
        False, unit="switch", kind="policy",
        source="scheiden wonen en zorg: a person with a Wlz indication living in a zorggeschikte "
        "woning receives Wlz care there and does not register for a verpleeghuis place",
        bounds=(None, None))
    verzorgingshuis_places_per_year: float = param(
        0.0, unit="places per year (national)", kind="policy",
        source="verzorgingshuis reintroduction: places completed per year from "
        "verzorgingshuis_first_year until verzorgingshuis_places_total is reached, each province "
        "its share by households; 0 in the baseline (no verzorgingshuis)", bounds=(0.0, 1e6))
    verzorgingshuis_places_total: float = param(
        0.0, unit="places (national)", kind="policy",
        source="national number of verzorgingshuis places to be reached; the former target group "
        "had 39,000 VV2/VV3 residents in 2013 (nl_facts vv2_vv3_residents, verified) and VWS "
        "expects fewer now; 0 in the baseline", bounds=(0.0, 1e6))
    verzorgingshuis_first_year: int = param(
        2026, unit="year", kind="policy", source="first year in which places are completed",
        bounds=(2025, 2100))
    verzorgingshuis_min_age_years: float = param(
        65.0, unit="years", kind="policy",
        source="eligibility: persons with loss of regie (care state regie: dementia without a "
        "partner or a child nearby) living without a partner, from this age; the target group are "
        "'alleenstaande ouderen zonder sociaal netwerk' with regieverlies (letter VWS 20-02-2025, "
        "29 389 nr. 146); the age limit 65 is an assumption", bounds=(0.0, 120.0))
    verzorgingshuis_wlz_stay_share: float = param(
        0.0, unit="share (reduction of the registration probabilities)", kind="policy",
        source="verzorgingshuis residents who reach heavy care register for a verpleeghuis place "
        "with the usual probabilities times (1 - this share); the rest receive Wlz care in the "
        "verzorgingshuis. CPB (Zorgkeuzes in Kaart 2020, in the letter of 20-02-2025, Bijlage B) "
        "books fewer VV4 indications (-110 of +2,600 EUR mln); 0 in the baseline (assumption: "
        "no effect unless a scenario sets it)", bounds=(0.0, 1.0))
    verzorgingshuis_rent_eur_month: float = param(
        0.0, unit="EUR per month (2025 prices)", kind="policy",
        source="rent a verzorgingshuis resident pays for the place: 'uitgegaan van het scheiden "
        "van wonen en zorg; de betreffende ouderen betalen dus zelf de huur' (letter VWS "
        "20-02-2025, 29 389 nr. 146, Bijlage A); the scenario sets the amount; grows with the DAEB "
        "rent limit", bounds=(0.0, 1e5))
    verzorgingshuis_service_eur_month: float = param(
        0.0, unit="EUR per month (2025 prices)", kind="policy",
        source="service costs a resident pays besides the rent (shared room, 24-hour presence, "
        "meals); the scenario sets the amount; grows with incomes", bounds=(0.0, 1e5))
    verzorgingshuis_huurtoeslag: bool = param(
        False, unit="switch", kind="policy",
        source="whether residents receive huurtoeslag on the place's rent; the letter: 'Omdat er in "
        "principe geen sprake is van zelfstandige wooneenheden, is geen huurtoeslag mogelijk' "
        "(VWS 20-02-2025, 29 389 nr. 146, Bijlage A): off unless a scenario makes the places "
        "self-contained", bounds=(None, None))
    kostendelersnorm: str = param(
        "current", unit="variant", kind="policy",
        source="kostendelersnorm in bijstand and AIO: 'current' = benefit per person "
        "(40% + A x 30%) / A of the gehuwdennorm, A = co-residents 27+ (nl_facts "
        "kostendeler_bijstand_share_A1..A5, kostendeler_age_threshold; szw.rijksopenheid.nl); "
        "'abolished' = singles keep 70% and couples 100% whoever else lives there; 'exempt_older' "
        "= as current, but AIO recipients (AOW age) are exempt. The cabinet explores adapting or "
        "abolishing it and its effect on house sharing (Kamerbrief VWS 20-02-2025, 29 389 nr. 146)",
        choices=("current", "abolished", "exempt_older"))
    sharing_per_year: float = param(
        0.02, unit="per year", kind="assumption",
        source="hazard that a single household 55+ on bijstand or AIO becomes ready to share a "
        "dwelling with another such single when sharing does not cut the benefit (extra to the "
        "baseline's sharing); assumption, no Dutch figure found", bounds=(0.0, 12.0))
    sharing_per_year_with_cut: float = param(
        0.0, unit="per year", kind="assumption",
        source="the same hazard when the kostendelersnorm would cut the benefit (bijstand 2 x 70% "
        "-> 2 x 50% of the gehuwdennorm). 0: sharing under the current norm is part of the "
        "baseline's household dynamics (2025 household positions), so only the extra sharing when "
        "the cut goes is modelled; the letter only states that the income difference may influence "
        "the choice to live together (Kamerbrief VWS 20-02-2025, 29 389 nr. 146); assumption",
        bounds=(0.0, 12.0))
    sharing_min_age_years: float = param(
        55.0, unit="years", kind="assumption",
        source="house sharing is modelled for older singles (55+, the project's older households); "
        "assumption", bounds=(27.0, 120.0))
    hospitaverhuur: bool = param(
        False, unit="switch", kind="policy",
        source="hospitaverhuur under the proposed law (temporary contract of at most 5 years, "
        "easier ending; Rijksoverheid 19-12-2025, nl_facts hospita_contract_max_years): households "
        "with a spare room take a lodger from the starters of their province; off in the baseline "
        "(the about 13,800 current users of the kamerverhuurvrijstelling, nl_facts "
        "kamerverhuurvrijstelling_users, are not modelled)", bounds=(None, None))
    hospita_tenants_allowed: bool = param(
        False, unit="switch", kind="policy",
        source="tenants (social and private rent) may also take a lodger; off: owners only",
        bounds=(None, None))
    hospita_per_year: float = param(
        0.0125, unit="per year, per eligible household", kind="assumption",
        source="hazard that a household with two or more rooms more than persons considers a lodger "
        "(it takes one with the share 1 - exp(-money.hospita_gain_sensitivity x net gain share)); "
        "set so that about 20,000 lodgers a year start at the default rent and gain sensitivity "
        "(0.0125: `doorstroom run --scenario experiments/scenarios/hospitaverhuur.toml`), i.e. the "
        "potential of 100,000 rooms "
        "(1/3 of owners have a room, 8% of them consider renting it; nl_facts "
        "hospita_potential_rooms, Rijksoverheid 19-12-2025) taken up over about 5 years; assumption",
        bounds=(0.0, 12.0))
    hospita_min_spare_rooms: int = param(
        2, unit="rooms more than persons", kind="assumption",
        source="a household needs this many rooms more than persons to take a lodger",
        bounds=(0, 20))
    hospita_contract_max_years: float = param(
        5.0, unit="years", kind="input",
        source="temporary hospita contract of at most 5 years (nl_facts "
        "hospita_contract_max_years, Rijksoverheid 19-12-2025; Kamerbrief VWS 20-02-2025); the "
        "contract length is drawn uniformly from 1 month to this (assumption)", bounds=(0.1, 50.0))
    hospita_rent_eur_month: float = param(
        450.0, unit="EUR per month", kind="assumption",
        source="rent of a non-self-contained room in the host's home, EUR of 2025 (grows with "
        "incomes); assumption (below the kamerverhuurvrijstelling of 6,324 EUR/year = 527 EUR/month, "
        "nl_facts)", bounds=(0.0, 1e4))
    lodger_counts_for_kostendelersnorm: bool = param(
        False, unit="switch", kind="policy",
        source="whether a lodger counts as co-resident for the kostendelersnorm; current law "
        "excludes commercial lodgers (nl_facts kostendeler_age_threshold note); when it counts, "
        "the cut a lodger would make in a bijstand or AIO host's benefit is deducted from the host's "
        "gain", bounds=(None, None))


@dataclass(frozen=True)
class CostParams(_Group):
    """Unit costs for the cost indicators (EUR of 2025)."""

    _group = "costs"

    verpleeghuis_eur_per_resident_year: float = param(
        85_000.0, unit="EUR per resident per year", kind="assumption",
        source="order of magnitude of NZa integral tariffs VV5-VV6 (about EUR 230-260 a day); "
        "nl_facts wlz_cost_per_nursing_home_place is unverified, so this is an assumption",
        bounds=(0.0, 1e6))
    wlz_at_home_eur_per_person_year: float = param(
        40_000.0, unit="EUR per person per year", kind="assumption",
        source="Wlz care at home (volledig/modulair pakket thuis); assumption", bounds=(0.0, 1e6))
    wmo_eur_per_user_year: float = param(
        4_600.0, unit="EUR per user per year", kind="input",
        source="EUR 6.0 bn Wmo spending over 1.3 million users (2024; nl_facts wmo_spending "
        "secondary, wmo_users derived)", bounds=(0.0, 1e6))
    aow_single_eur_year: float = param(
        18_971.0, unit="EUR per year", kind="input",
        source="AOW single 1,580.92 gross per month x 12, 1 Jan 2025, excl. holiday pay "
        "(nl_facts aow_single_gross_month, secondary)", bounds=(0.0, 1e6))
    aow_couple_eur_year: float = param(
        25_956.0, unit="EUR per year (both partners)", kind="input",
        source="AOW couple 2 x 1,081.50 gross per month x 12, 1 Jan 2025 (nl_facts "
        "aow_couple_gross_month_pp, secondary)", bounds=(0.0, 1e6))
    bijstand_couple_eur_year: float = param(
        23_280.0, unit="EUR per year (gehuwdennorm)", kind="assumption",
        source="gehuwdennorm about 1,940 net per month (2025, recalled, not verified); single "
        "70% of it (nl_facts kostendeler_bijstand_share_A1)", bounds=(0.0, 1e6))
    bijstand_single_share: float = param(
        0.7, unit="share of the gehuwdennorm", kind="input",
        source="bijstand of a single without co-residents (nl_facts kostendeler_bijstand_share_A1)",
        bounds=(0.0, 2.0))
    verzorgingshuis_eur_per_client_year: float = param(
        7_400.0, unit="EUR per resident per year, EXTRA on top of care at home", kind="input",
        source="CPB structural extra cost of reintroducing VV2/VV3, EUR 735 mln a year (prijspeil "
        "2024) over 99,000 clients = EUR 7,424 (nl_facts cpb_verzorgingshuis_structural_cost, "
        "cpb_verzorgingshuis_clients, verified; the letter rounds to 7,500). The CPB figure is a "
        "saldo: extra Wlz stay costs (mainly housing) minus Wmo and Zvw savings and own "
        "contributions; so the Wmo and Wlz-at-home costs of residents keep being counted as at home "
        "and this is added on top", bounds=(0.0, 1e6))
    aio_supplement_eur_year: float = param(
        3_000.0, unit="EUR per household per year", kind="assumption",
        source="average AIO supplement on top of an incomplete AOW; assumption", bounds=(0.0, 1e6))
    kamerverhuurvrijstelling_eur_year: float = param(
        6_324.0, unit="EUR per year per host", kind="input",
        source="tax-free rent of a room in the own main residence, 2025 (nl_facts "
        "kamerverhuurvrijstelling, huurstunt.nl)", bounds=(0.0, 1e6))


@dataclass(frozen=True)
class PriceParams(_Group):
    """Rents of rented dwellings and values (WOZ) of owner-occupied ones, EUR of their year.

    Each dwelling gets a rent or a value when it enters the stock (the 2025 stock at set-up, new
    dwellings when built): the tenure's national mean times ``(rooms / 4) ** rooms_elasticity`` times
    a lognormal draw with mean 1; social rents are capped at ``social_rent_cap_eur_month``. Every year
    (for 1 January) sitting tenants' rents and values rise by the rates below; when a rented dwelling
    is let to a new household its rent rises once more by ``relet_rent_rise`` (capped for social
    rent). Private market rents and values then move apart between provinces with the pressure of
    searchers on vacancies (:func:`agents.prices.regional_rises`); the 2025 levels are national.
    """

    _group = "prices"

    social_rent_eur_month: float = param(
        612.0, unit="EUR per month, mean net rent of a corporation dwelling, 1 January 2025",
        kind="input",
        source="derived: EUR 582 at the end of 2023 (Aedes via nul20.nl 'Corporatiehuren gemiddeld "
        "met 5,1 procent omhoog') times the 5.1% average rise of 1 July 2024 (Aedes via nieuws.nl "
        "2024-06-26): 582 x 1.051 = 612", bounds=(0.0, 5000.0), changeable=False)
    social_rent_cap_eur_month: float = param(
        900.07, unit="EUR per month", kind="input",
        source="DAEB rent limit 2025 = the huurtoeslag maximum rent (Rijksoverheid 18-11-2024 "
        "'Indexering inkomensgrenzen voor woningcorporaties en huurtoeslagparameters per 2025')",
        bounds=(0.0, 5000.0))
    social_rent_cap_rise_per_year: float = param(
        0.023, unit="share per year", kind="assumption",
        source="yearly indexation of the DAEB rent limit and the huurtoeslag limits: EUR 879.66 "
        "(2024, recalled, not verified) to 900.07 (2025) is +2.3%; held for later years",
        bounds=(-0.5, 1.0))
    private_rent_eur_month: float = param(
        1100.0, unit="EUR per month, mean net rent of a privately rented dwelling, 1 January 2025",
        kind="assumption",
        source="NVM/VGM Q1 2020: EUR 1,076 for a house, 1,114 for an apartment in the free sector "
        "(RD 2020-05); kept at about 1,100: the sitting tenants' rises since (CBS 2023: +3.7% a "
        "year) against the lower regulated rents of the non-free private sector. No 2025 mean of "
        "the stock found; new free-sector lets averaged EUR 1,781 in Q1 2025 (Pararius), an upper "
        "bound for the stock",
        bounds=(0.0, 10000.0), changeable=False)
    owner_value_eur: float = param(
        474_000.0, unit="EUR, mean WOZ value of an owner-occupied dwelling, 1 January 2025",
        kind="input",
        source="derived: mean WOZ of all dwellings 2025 EUR 398,000 (CBS via Blik op Nieuws, +5.0%) "
        "times 1.19, the ratio of owner-occupied to all dwellings in the 2025 COROP rows of "
        "StatLine 85036NED (378/317, 335/283, 433/362, 503/422)", bounds=(0.0, 1e8),
        changeable=False)
    rent_dispersion_sigma: float = param(
        0.2, unit="standard deviation of log rent within a tenure", kind="assumption",
        source="rents within a tenure spread by location and quality", bounds=(0.0, 2.0),
        changeable=False)
    value_dispersion_sigma: float = param(
        0.35, unit="standard deviation of log value", kind="assumption",
        source="WOZ values spread more than rents (municipal means 2025 range from about "
        "EUR 200,000 to over 800,000, CBS 85036NED)", bounds=(0.0, 2.0), changeable=False)
    rooms_elasticity: float = param(
        0.3, unit="elasticity of rent and value to rooms", kind="assumption",
        source="larger dwellings cost more, less than in proportion", bounds=(0.0, 2.0),
        changeable=False)
    social_rent_rise_per_year: float = param(
        0.05, unit="share per year", kind="input",
        source="sitting tenants of social rent: the legal maximum from 1 July 2025, 5.0% "
        "(Rijksoverheid 17-12-2024); corporations raised rents 5.1% on average in July 2025, "
        "re-lets included (CBS via Blik op Nieuws). Held for later years (assumption; 2026: 4.1%)",
        bounds=(-0.5, 1.0))
    long_run_from_year: int = param(
        2027, unit="year", kind="assumption",
        source="the rates of this group are those of 2025 (sourced); from this year on, rents, "
        "market rents, the DAEB limit and values all grow by long_run_growth_per_year",
        bounds=(2025, 2100))
    long_run_growth_per_year: float = param(
        0.03, unit="share per year", kind="assumption",
        source="in the long run housing costs grow with incomes (money.income_growth_per_year): no "
        "projection of rents and prices to 2050 was found; assumption", bounds=(-0.5, 1.0))
    private_rent_rise_per_year: float = param(
        0.037, unit="share per year", kind="input",
        source="sitting tenants of private landlords, CBS huurverhoging 2023 (+3.7%, nu.nl 2023-09)",
        bounds=(-0.5, 1.0))
    relet_rent_rise: float = param(
        0.109, unit="share: market rent over the sitting tenant's rent in 2025", kind="input",
        source="CBS huurverhoging 2023: +10.9% with a new tenant (nu.nl 2023-09, secondary). A "
        "dwelling's market rent starts this much above its 2025 rent and grows by the market rate; "
        "a new tenant pays it (social rents within the year's DAEB limit); sitting tenants' rents "
        "rise by their rate up to it", bounds=(-0.5, 2.0))
    price_pressure_elasticity: float = param(
        0.1, unit="log price level per unit of log ratio", kind="assumption",
        source="elasticity of a province's private market rents and owner values, relative to the "
        "country's, to the log of its ratio of searchers to vacancies relative to the country's "
        "(smoothed): a province twice as tight as the country (log ratio 0.69) is 7% dearer. The "
        "rule follows the adaptive prices of the INET/Bank of England housing model (prices follow "
        "where demand meets supply, smoothed, and are pulled back to the index), reduced to one "
        "elasticity; the size is an assumption, free for the calibration",
        bounds=(0.0, 0.5), calibrated=False)
    price_pressure_new_year_weight: float = param(
        0.75, unit="share", kind="input",
        source="weight of the new year's pressure in its smoothed value (the rest is the previous "
        "smoothed value): the INET housing model's moving averages of prices keep 0.25 of their "
        "weight beyond one year (CUMULATIVE_WEIGHT_BEYOND_YEAR = 0.25 in its config.properties)",
        bounds=(0.0, 1.0))
    house_price_growth_per_year: float = param(
        0.05, unit="share per year", kind="input",
        source="WOZ 2025 +5.0% on 2024 (CBS via Blik op Nieuws); the market rose faster (prices of "
        "existing homes +8.7% in 2024 and +8.6% in 2025, CBS via openrijk.nl and ANP), which WOZ "
        "follows a year late; 5% is held for later years (assumption)",
        bounds=(-0.5, 1.0))


@dataclass(frozen=True)
class MoneyParams(_Group):
    """Incomes, housing costs, huurtoeslag and the weight of money in accepting an offer.

    A household's gross income is its statutory benefit (AOW, AIO, bijstand of ``CostParams``, under
    the kostendelersnorm where it applies) plus its own earnings or occupational pension
    (``income_eur_year``); disposable income is gross income times a net share. Housing cost per month
    is rent minus huurtoeslag (tenants) or ``owner_cost_share_per_year`` of the value (owners), plus
    ``energy_eur_month``. Huurtoeslag is a documented simplification of the Wet op de huurtoeslag
    (:func:`agents.money.huurtoeslag_month`). An offer is accepted with the acceptance of
    ``MovingParams`` times ``exp(-accept_cost_sensitivity * jump)``, where ``jump`` is the rise in
    yearly housing cost plus the moving cost spread over ``moving_cost_years``, as a share of
    disposable income (0 when the cost falls). A household with a move intention starts searching at
    the rates of ``MovingParams`` times ``exp(-search_cost_sensitivity * expected rise)``.
    """

    _group = "money"

    def _check_together(self) -> None:
        _require_increasing("money", "mortgage_age_years", self.mortgage_age_years, "ages")
        if len(self.mortgage_share_of_value) != len(self.mortgage_age_years) + 1:
            raise ParameterError(
                f"money.mortgage_share_of_value has {len(self.mortgage_share_of_value)} shares for "
                f"{len(self.mortgage_age_years)} age edges: expected one more share than edges")

    income_growth_per_year: float = param(
        0.03, unit="share per year", kind="assumption",
        source="nominal growth of incomes (AOW and bijstand follow the minimum wage, which follows "
        "contractual wages; pensions and earnings alike) after 2025; assumption. Benefit costs of "
        "the accounting stay in EUR of 2025",
        bounds=(-0.5, 1.0))
    net_share_working_age: float = param(
        0.72, unit="disposable / gross income", kind="assumption",
        source="bijstand only: the net norms count at gross / this share as gross income (for the "
        "huurtoeslag's income test) and at the net norm as disposable income; other incomes are "
        "taxed by income_tax (net share of a modal gross income, recalled, not verified)",
        bounds=(0.01, 1.0))
    tax_bracket_limits_eur_year: tuple[float, ...] = param(
        (38_441.0, 76_817.0), unit="EUR of taxable income per year per person", kind="input",
        source="box-1 bracket limits 2025 (fiscalert.nl, 'Prinsjesdag 2024: belastingtarieven box 1 "
        "2025', for those born in 1946 or later)", bounds=(0.0, 1e7), changeable=False)
    tax_rates_working_age: tuple[float, ...] = param(
        (0.3582, 0.3748, 0.495), unit="share of taxable income, by bracket", kind="input",
        source="box-1 rates 2025 below the AOW age, tax and national insurance premiums (fiscalert.nl, "
        "as tax_bracket_limits_eur_year)", bounds=(0.0, 1.0))
    tax_rates_aow_age: tuple[float, ...] = param(
        (0.1792, 0.3748, 0.495), unit="share of taxable income, by bracket", kind="input",
        source="box-1 rates 2025 at AOW age (no AOW premium; fiscalert.nl, as "
        "tax_bracket_limits_eur_year). The credits at AOW age are those below it times "
        "0.1792 / 0.3582, which gives the published 2025 maxima: algemene heffingskorting EUR 1,536 "
        "(fiscalert.nl), arbeidskorting half (salure.nl, 2026 table)", bounds=(0.0, 1.0))
    general_credit_eur_year: float = param(
        3_068.0, unit="EUR per year per person", kind="input",
        source="algemene heffingskorting 2025, maximum below the AOW age (fiscalert.nl; brink-hoek.nl "
        "'Gewijzigde heffingskortingen')", bounds=(0.0, 1e5))
    general_credit_phaseout: float = param(
        0.06337, unit="EUR of credit per EUR of income", kind="input",
        source="afbouwpercentage of the algemene heffingskorting 2025 (brink-hoek.nl)", bounds=(0.0, 1.0))
    general_credit_phaseout_from_eur_year: float = param(
        28_406.0, unit="EUR of taxable income per year", kind="input",
        source="income above which the algemene heffingskorting 2025 is reduced (brink-hoek.nl)",
        bounds=(0.0, 1e7))
    labour_credit_income_knots_eur_year: tuple[float, ...] = param(
        (0.0, 11_303.0, 24_416.0, 43_071.0), unit="EUR of earnings per year per person", kind="input",
        source="knots of the arbeidskorting's build-up, derived: the 2026 table (salure.nl: 8.324% up "
        "to EUR 11,965, EUR 5,300 at 25,845, the maximum 5,685 at 45,592) with its incomes scaled to "
        "2025's maximum at EUR 43,071 (brink-hoek.nl)", bounds=(0.0, 1e7), changeable=False)
    labour_credit_amounts_eur_year: tuple[float, ...] = param(
        (0.0, 981.0, 5_220.0, 5_599.0), unit="EUR per year per person at the knots", kind="input",
        source="the arbeidskorting at labour_credit_income_knots_eur_year, derived: the 2026 amounts "
        "(salure.nl: 996, 5,300, 5,685) scaled to 2025's maximum of EUR 5,599 (brink-hoek.nl)",
        bounds=(0.0, 1e5), changeable=False)
    labour_credit_phaseout: float = param(
        0.0651, unit="EUR of credit per EUR of earnings", kind="input",
        source="afbouw of the arbeidskorting 2025 above EUR 43,071 (brink-hoek.nl)", bounds=(0.0, 1.0))
    elderly_credit_eur_year: tuple[float, ...] = param(
        (2_035.0, 531.0), unit="EUR per year per person (ouderenkorting, alleenstaande ouderenkorting)",
        kind="input", source="2025 amounts (brink-hoek.nl; fiscalert.nl)", bounds=(0.0, 1e5))
    elderly_credit_limit_eur_year: float = param(
        45_308.0, unit="EUR of income per year", kind="input",
        source="verzamelinkomen up to which the full ouderenkorting 2025 is given (brink-hoek.nl)",
        bounds=(0.0, 1e7))
    elderly_credit_phaseout: float = param(
        0.15, unit="EUR of credit per EUR of income", kind="input",
        source="afbouw of the ouderenkorting 2025 above the limit (brink-hoek.nl)", bounds=(0.0, 1.0))
    premium_share_of_gross: tuple[float, ...] = param(
        (0.05, 0.0565), unit="share of gross income (below AOW age, at AOW age)", kind="assumption",
        source="premiums outside box 1: below AOW age the employees' pension premium (assumption); at "
        "AOW age the income-dependent Zvw contribution on AOW and pension, 5.65% in 2018 "
        "(zorgverzekeringtop10.nl; held for 2025, assumption)", bounds=(0.0, 1.0))
    energy_eur_month: tuple[float, ...] = param(
        (224.0, 156.0), unit="EUR per household per month (owners, tenants)", kind="input",
        source="bijkomende woonlasten (energy, water and municipal charges, which CBS counts in the "
        "housing cost of its woonquote) of owner-occupiers and tenants, WoON 2021 (CBS 84487NED: "
        "owners 224, tenants 156); held for 2025 in EUR of 2025 (assumption)",
        bounds=(0.0, 5000.0))
    owner_cost_share_per_year: float = param(
        0.0127, unit="share of the WOZ value per year", kind="output",
        source="owners' housing cost besides energy, water and municipal charges (mortgage interest "
        "net of tax relief where a mortgage is left, insurance, upkeep); fitted (se 0.0006) with "
        "population.tenure_position_correlation to the owners' median woonquote of 16.6% (CBS, "
        "2022) in 2025 (calibration/examples/money_2025.toml)",
        bounds=(0.0, 0.2))
    huurtoeslag_max_rent_eur_month: float = param(
        900.07, unit="EUR per month", kind="input",
        source="huurtoeslag maximum rent 2025 (Rijksoverheid 18-11-2024 'Indexering "
        "inkomensgrenzen voor woningcorporaties en huurtoeslagparameters per 2025')",
        bounds=(0.0, 5000.0))
    huurtoeslag_quality_limit_eur_month: float = param(
        477.20, unit="EUR per month", kind="input",
        source="kwaliteitskortingsgrens 2025, equal to the maximum rent for under-23s (Rijksoverheid "
        "18-11-2024 'Indexering inkomensgrenzen voor woningcorporaties en huurtoeslagparameters per "
        "2025'; the Woonbond names it the kwaliteitskortingsgrens): the rent up to it above the "
        "basishuur is paid in full", bounds=(0.0, 5000.0))
    huurtoeslag_capping_limits_eur_month: tuple[float, ...] = param(
        (682.96, 731.93), unit="EUR per month (one or two persons, three or more)", kind="input",
        source="aftoppingsgrenzen 2025 (the passend toewijzen rent limits; Rijksoverheid 18-11-2024 "
        "indexation of the huurtoeslag parameters)", bounds=(0.0, 5000.0))
    huurtoeslag_shares: tuple[float, ...] = param(
        (0.65, 0.4), unit="share of the rent paid (between the quality and capping limits; above "
        "the capping limit)", kind="input",
        source="Wet op de huurtoeslag: 65% between kwaliteitskortingsgrens and aftoppingsgrens, 40% "
        "above it for one- and two-person households (nothing above it for larger ones). The 40% "
        "for a single under the AOW age follows from the published 2025 example (a single of 27 "
        "at EUR 900 rent and EUR 22,000 income receives EUR 498 a month, Metro and NOS, January "
        "2025): 277.4 + 133.7 + 0.4 x 217.0 with a basishuur of EUR 199.8", bounds=(0.0, 1.0))
    huurtoeslag_min_basishuur_eur_month: float = param(
        199.8, unit="EUR per month", kind="input",
        source="basishuur 2025 at the lowest incomes, derived from the published 2025 example (EUR "
        "498 a month for a single at EUR 900 rent and EUR 22,000 income, Metro and NOS, January "
        "2025; it includes the temporary reduction of EUR 37.14 of 2025, BWBR0049106); secondary",
        bounds=(0.0, 5000.0))
    huurtoeslag_income_floor_eur_year: float = param(
        22_000.0, unit="EUR gross per household per year", kind="assumption",
        source="income up to which the basishuur stays at its minimum: the income of the 2025 "
        "example (assumption: it sits at the minimum; the AOW and bijstand levels of CostParams "
        "are below it); simplification of the normhuur formula", bounds=(0.0, 1e6))
    huurtoeslag_taper: float = param(
        0.343, unit="EUR of yearly basishuur per EUR of gross income above the floor",
        kind="input",
        source="the huurtoeslag tapers off with income since 2020 instead of ending at a hard limit "
        "(ESB 2023-12); rate derived from the published 2025 example, where the toeslag of a single "
        "at EUR 900 rent ends at EUR 46,500 (Metro and NOS, January 2025): the basishuur rises from "
        "EUR 199.8 at 22,000 to the rent at 46,500, (900 - 199.8) x 12 / 24,500 = 0.343",
        bounds=(0.0, 5.0))
    accept_cost_sensitivity: float = param(
        5.0, unit="per unit of yearly cost rise as a share of disposable income", kind="assumption",
        source="how strongly a rise in housing cost lowers the acceptance of an offer: a rise of 10% "
        "of income lowers it by a factor exp(-0.5) = 0.61. The barrier the 2025 letter names (a "
        "smaller social dwelling often costs more than the current rent); size: assumption, to be "
        "fitted to WoON housing costs and intentions", bounds=(0.0, 100.0))
    search_cost_sensitivity: float = param(
        5.0, unit="per unit of expected yearly cost rise as a share of disposable income",
        kind="assumption",
        source="how strongly the expected rise in housing cost lowers the start of a search by a "
        "household with a move intention: the mean market rent of its own tenure in its province "
        "against its current rent (tenants), the moving cost only (owners). Same size as "
        "accept_cost_sensitivity (assumption); the search-start rates of MovingParams are fitted "
        "with it", bounds=(0.0, 100.0))
    daeb_income_limits_eur_year: tuple[float, ...] = param(
        (49_669.0, 54_847.0), unit="EUR gross per household per year (one person, more)", kind="input",
        source="DAEB income limits 2025 for social rent (Rijksoverheid 18-11-2024 'Indexering "
        "inkomensgrenzen voor woningcorporaties en huurtoeslagparameters per 2025'); grow with "
        "incomes. Simplification: a household above the limit does not seek social rent (the "
        "corporations' free room of 7.5% of lets is not used)", bounds=(0.0, 1e6))
    mortgage_income_multiples: tuple[float, ...] = param(
        (4.5, 3.0), unit="maximum mortgage as a multiple of gross household income (below AOW age, "
        "at AOW age)", kind="assumption",
        source="borrowing capacity: Nibud's financieringslastpercentages of 2025 allow about 4.5 "
        "times a gross income around EUR 50,000 at 3.5-4% interest (recalled, not verified); at AOW "
        "age lenders test the income after retirement over a shorter horizon, taken as 3 times "
        "(assumption). With the equity of an owned home it bounds the value a household can buy "
        "(agents.money.affordable_tenure)", bounds=(0.0, 20.0))
    mortgage_age_years: tuple[int, ...] = param(
        (35, 45, 55, 65, 75, 85), unit="years: edges of the age bands (oldest adult)", kind="input",
        source="age bands of mortgage_share_of_value", bounds=(0, 120), any_length=True)
    mortgage_share_of_value: tuple[float, ...] = param(
        (0.70, 0.55, 0.41, 0.30, 0.23, 0.17, 0.09), unit="share of the home's value",
        kind="assumption",
        source="remaining mortgage over value by age band: under 35 0.70 and 45-54 0.41 (CBS "
        "2002-26 'Hypotheekschuld ruim 40 procent van woningwaarde', figures of 2000); 65-74 0.23, "
        "75-84 0.17 (6 in 10 owners 65+ with a mortgage, of 182,551 and 137,073 EUR on average, "
        "against a mean value of about 475,000; Van Bruggen Adviesgroep 2024 on CBS 2023) and 85+ "
        "0.09 (64% without a mortgage, Business Insider 2021 on CBS; mean 113,595); 35-44 and 55-64 "
        "interpolated (assumption); the same share for every owner of a band (simplification)",
        bounds=(0.0, 1.0), any_length=True)
    equity_annuity_years: float = param(
        20.0, unit="years", kind="assumption",
        source="years over which a household that sells its home spreads the equity released, "
        "about the remaining life expectancy at 65 (about 20 years, CBS); assumption",
        bounds=(1.0, 100.0))
    equity_release_weight: float = param(
        0.5, unit="share of the annuity of released equity", kind="assumption",
        source="how much of the released equity's annuity an owner moving to a rented home or an "
        "institution sets against the rise in housing cost: 1 fully, 0 not at all (older owners "
        "tend to keep home equity as a reserve rather than spend it); assumption, free for the "
        "calibration", bounds=(0.0, 1.0))
    hospita_gain_sensitivity: float = param(
        5.0, unit="per unit of yearly net gain as a share of disposable income", kind="assumption",
        source="how strongly a would-be hospita host's net gain from a lodger (rent, less income tax "
        "on the rent above the kamerverhuurvrijstelling, less a benefit cut where the lodger counts "
        "for the kostendelersnorm) makes it take one: the ready hazard policy.hospita_per_year "
        "times 1 - exp(-sensitivity x gain share); same size as accept_cost_sensitivity "
        "(assumption), free for the calibration", bounds=(0.0, 100.0))
    income_tax_rate_working_age: float = param(
        0.3582, unit="share of taxable income", kind="input",
        source="box 1 rate of the first bracket 2025 below the AOW age (Belastingdienst, recalled, "
        "not verified): the marginal tax on hospita rent above the kamerverhuurvrijstelling",
        bounds=(0.0, 1.0))
    income_tax_rate_aow_age: float = param(
        0.1792, unit="share of taxable income", kind="input",
        source="box 1 rate of the first bracket 2025 at AOW age, without the AOW premium "
        "(Belastingdienst, recalled, not verified)", bounds=(0.0, 1.0))
    survivor_income_share: tuple[float, float] = param(
        (0.5, 0.85), unit="share of the household's own yearly income",
        kind="assumption",
        source="own income (earnings, occupational pension) a household keeps when one of its two "
        "adults dies, (earnings, pension). Earnings: the survivor's own half (assumption: two equal "
        "earners; the Anw survivor benefit is not modelled). Pension: the survivor's own half plus "
        "the partnerpensioen of 70% of the deceased's old-age pension, the usual rate of Dutch "
        "pension funds (e.g. Pensioenfonds HAL's regulations; NRC 2018-10-19), on the assumption "
        "that the household's pension was the two partners' in equal parts: 0.5 + 0.5 x 0.70",
        bounds=(0.0, 1.0))
    separation_income_share: float = param(
        0.5, unit="share of the household's own yearly income", kind="assumption",
        source="own income each partner takes along at a separation: half, as the Wet verevening "
        "pensioenrechten bij scheiding splits the pension built up during the marriage in equal "
        "parts (assumption: earnings alike, and all pension built up during the marriage)",
        bounds=(0.0, 1.0))
    kostendeler_leave_sensitivity: float = param(
        5.0, unit="per unit of yearly benefit cut as a share of disposable income", kind="assumption",
        source="how strongly the cut the kostendelersnorm makes in a bijstand or AIO household's "
        "benefit because of its adult co-residents aged 27+ raises their hazard of leaving home "
        "(the hazard times exp(sensitivity x cut share)); same size as accept_cost_sensitivity "
        "(assumption), free for the calibration", bounds=(0.0, 100.0))
    moving_cost_eur: float = param(
        5_000.0, unit="EUR, one-off, per moving household", kind="assumption",
        source="removal, fitting out and double rent of a move; assumption", bounds=(0.0, 1e6))
    moving_cost_years: float = param(
        10.0, unit="years over which a household weighs the moving cost", kind="assumption",
        source="the moving cost counts as a yearly cost over this many years in the cost rise of an "
        "offer; assumption", bounds=(0.1, 100.0))


@dataclass(frozen=True)
class NetworkParams(_Group):
    """The kin network: the children of persons aged 50+ and who of them live within reach.

    Persons enter the network when they reach ``entry_age_years`` (all of them at 50+ in 2025):
    their children are drawn then, by their birth cohort, and shared with a partner already in it.
    """

    _group = "network"

    def _check_together(self) -> None:
        for name in ("childless_share_by_cohort", "children_per_woman_by_cohort"):
            if len(getattr(self, name)) != len(self.cohort_years):
                raise ParameterError(
                    f"network.{name} has {len(getattr(self, name))} values for "
                    f"{len(self.cohort_years)} cohort_years: expected one per cohort")
        _require_increasing("network", "cohort_years", self.cohort_years, "years")

    entry_age_years: float = param(
        50.0, unit="years", kind="assumption",
        source="age at which a person's children enter the network: the lower age of the potential "
        "carers ratio (50-74 per 85+, PBL 2018), whose children are adults", bounds=(18.0, 120.0),
        changeable=False)
    cohort_years: tuple[float, ...] = param(
        (1935.0, 1945.0, 1950.0, 1960.0), unit="year of birth", kind="input",
        source="birth cohorts of CBS StatLine 81612NED (women; observed up to the 1961 cohort); "
        "cohorts between are interpolated, those outside take the nearest", bounds=(1850.0, 2100.0),
        changeable=False)
    childless_share_by_cohort: tuple[float, ...] = param(
        (0.117, 0.117, 0.146, 0.172), unit="share of women without children", kind="input",
        source="CBS StatLine 81612NED: 11.7% of women born 1935 and 1945, 14.6% of 1950, 17.2% of 1960 "
        "(held for men and for later cohorts, assumption)", bounds=(0.0, 1.0), changeable=False)
    children_per_woman_by_cohort: tuple[float, ...] = param(
        (2.50, 2.00, 1.90, 1.86), unit="children per woman (all women of the cohort)", kind="input",
        source="CBS StatLine 81612NED: 2.50 (born 1935), 2.00 (1945), 1.90 (1950), 1.86 (1960); a "
        "parent has 1 + Poisson(mean / (1 - childless) - 1) children (the shape is an assumption)",
        bounds=(0.0, 10.0), changeable=False)
    mother_age_at_birth_years: tuple[float, ...] = param(
        (28.0, 5.0), unit="years (mean, sd) of a normal, cut to 18-45", kind="assumption",
        source="age of the parent at a child's birth; assumption", bounds=(0.0, 60.0), changeable=False)
    child_near_share: float = param(
        0.51, unit="share of children", kind="input",
        source="share of a person's children living within 10 km, derived: CBS (Statistische Trends "
        "2020, 'Een analyse van het verhuisgedrag van zestigers', end of 2016): of persons 60-69 with "
        "a child living away from home, almost three quarters live within 10 km of the nearest one; "
        "with children drawn independently and 2.25 children per parent, 1 - (1 - q) exp(-1.25 q) "
        "= 0.74 gives q = 0.51", bounds=(0.0, 1.0))
    child_same_province_share: float = param(
        0.5, unit="share of children living beyond reach", kind="assumption",
        source="children beyond 10 km who still live in the parent's province; assumption",
        bounds=(0.0, 1.0), changeable=False)
    child_move_away_per_year: float = param(
        0.02, unit="per child per year", kind="assumption",
        source="hazard that a child within reach moves beyond it; the hazard of moving back within "
        "reach follows so that the share within reach stays child_near_share; assumption",
        bounds=(0.0, 1.0))
    move_near_child_share: float = param(
        0.1, unit="share of the children beyond reach in the province", kind="assumption",
        source="an older parent who moves home within its province comes within reach of each child "
        "living beyond reach in that province with this probability; assumption (SCP, Kullberg, "
        "'Gepaste afstand': one in ten Dutch people want close family in the same neighbourhood; no "
        "share of older movers who move to be near a child was found)", bounds=(0.0, 1.0))
    move_near_child_min_age_years: float = param(
        65.0, unit="years", kind="assumption",
        source="age from which a move can bring a parent within reach of a child (the moves of older "
        "households the indicator moves_nearer_children counts); assumption", bounds=(0.0, 120.0),
        changeable=False)
    child_male_share: float = param(
        0.512, unit="share of children", kind="assumption",
        source="boys among births (about 105 boys per 100 girls)", bounds=(0.0, 1.0), changeable=False)


@dataclass(frozen=True)
class InformalParams(_Group):
    """Informal care (mantelzorg): who cares for a person in need at home, how much, and when it ends.

    A person with a care need (a limitation or more) living at home receives care from one main
    carer: the partner, else a child within reach, else someone else (a neighbour, friend or other
    relative). Care starts at a hazard by the carer's kind, burdens the carer in proportion to the
    hours the care state asks, and an overburdened carer stops (:mod:`agents.informal`).
    """

    _group = "informal"

    start_per_year: tuple[float, ...] = param(
        (0.187, 0.935, 0.742), unit="per person in need per year (partner, child within reach, other)",
        kind="output",
        source="hazard that a person in need without a carer starts receiving care from the best "
        "available carer; fitted (with overburden_per_hour_per_year) to the shares of persons 65-74 "
        "and 75+ receiving informal care (CBS 2019: 7.4%, 23.7%), the partners' share of the carers "
        "(44%, CBS 2023) and the heavily burdened carers (19%, CBS 2022) by "
        "calibration/examples/informal_care_2025.toml (results version 37: se 0.10, 5.4, 8.2; the "
        "child and other hazards are weakly identified, only their mix is)", bounds=(0.0, 50.0))
    hours_per_week: tuple[float, ...] = param(
        (8.0, 20.0, 36.0, 44.0), unit="hours per week (limitation, moderate, regie, heavy)",
        kind="assumption",
        source="hours of informal care a receiver gets by its care state: the profile (1 : 2.5 : 4.5 "
        ": 5.5) is an assumption, its level set so that receivers get about 18 hours a week on "
        "average (CBS Gezondheidsenquete 2019, receivers 55+; indicator informal_care_hours_mean)",
        bounds=(0.0, 168.0))
    overburden_per_hour_per_year: float = param(
        0.00898, unit="per year per weekly hour of care", kind="output",
        source="hazard that a carer becomes overburdened (heavily burdened), per hour of care a "
        "week; fitted to the 19% of carers heavily burdened in 2022 (CBS Statistische Trends 2024, "
        "Gezondheidsmonitor 2022) by calibration/examples/informal_care_2025.toml (se 0.0014)",
        bounds=(0.0, 1.0))
    overburdened_stop_per_year: float = param(
        0.5, unit="per overburdened carer per year", kind="assumption",
        source="hazard that an overburdened carer stops caring (the receiver turns to formal care or "
        "another carer); assumption", bounds=(0.0, 50.0))
    partner_max_care_state: int = param(
        1, unit="care state code (0 none, 1 limitation)", kind="assumption",
        source="a partner cares while its own care need is at most a limitation; assumption",
        bounds=(0, 4))
    moderate_rr_with_carer: float = param(
        0.8, unit="relative rate", kind="assumption",
        source="rate of moving from a limitation to a moderate (formal) care need for a person who "
        "receives informal care, relative to one who does not; assumption (free for the calibration)",
        bounds=(0.0, 5.0))
    registration_factor_with_carer: float = param(
        0.5, unit="factor on the probability of registering", kind="assumption",
        source="a person with a Wlz indication whose carer is not overburdened registers for a "
        "verpleeghuis place with this factor on the probabilities (at the indication and later); "
        "when the carer stops, the person weighs registering as at a new indication; assumption "
        "(free for the calibration)", bounds=(0.0, 1.0))


@dataclass(frozen=True)
class LonelinessParams(_Group):
    """Severe loneliness of older persons: its prevalence by age and living situation, and its persistence.

    Each year (31 December) a person's odds of severe loneliness are the intercept of its age band
    (solved on the 2025 population so that the prevalence by age is the published one) times the
    odds ratios of its situation; the state follows a two-state Markov chain with this stationary
    probability and the given persistence (:mod:`agents.loneliness`).
    """

    _group = "loneliness"

    def _check_together(self) -> None:
        if len(self.prevalence_by_age) != len(self.age_band_starts_years):
            raise ParameterError(
                f"loneliness.prevalence_by_age has {len(self.prevalence_by_age)} values for "
                f"{len(self.age_band_starts_years)} age_band_starts_years: expected one per band")
        _require_increasing("loneliness", "age_band_starts_years", self.age_band_starts_years, "years")

    age_band_starts_years: tuple[float, ...] = param(
        (65.0, 75.0, 85.0), unit="years", kind="input",
        source="age bands of the Gezondheidsmonitor's loneliness figures (65-74, 75-84, 85+); "
        "persons are followed from the first", bounds=(18.0, 120.0), changeable=False)
    prevalence_by_age: tuple[float, ...] = param(
        (0.084, 0.11, 0.14), unit="share of persons severely lonely", kind="input",
        source="GGD/CBS/RIVM Gezondheidsmonitor: severe loneliness 65-74 8.4% (2016, "
        "leidraadlangerzelfstandigwonen.nl), 75-84 11% and 85+ 14% (2020, volksgezondheidenzorg.info: "
        "75+ 12%)", bounds=(0.0, 1.0), changeable=False)
    odds_ratio_alone: float = param(
        2.3, unit="odds ratio", kind="input",
        source="living without a partner, derived: CBS 2017 (persons 15+, blikopnieuws.nl 2018-09): "
        "5-6% of persons in a couple and 12% of singles without children strongly lonely, "
        "(0.12/0.88)/(0.055/0.945) = 2.3", bounds=(0.0, 100.0), changeable=False)
    odds_ratio_recently_widowed: float = param(
        1.5, unit="odds ratio", kind="assumption",
        source="widowed in the last recent_widowhood_months, on top of living alone; assumption (LASA: "
        "losing a partner gives the largest rise in loneliness, Dykstra, Van Tilburg & De Jong "
        "Gierveld 2005, no odds ratio given)", bounds=(0.0, 100.0), changeable=False)
    recent_widowhood_months: float = param(
        24.0, unit="months", kind="assumption", source="how long widowhood counts as recent; assumption",
        bounds=(0.0, 600.0), changeable=False)
    odds_ratio_no_child_within_reach: float = param(
        1.3, unit="odds ratio", kind="assumption",
        source="no child within reach (10 km); assumption (no Dutch figure found)", bounds=(0.0, 100.0),
        changeable=False)
    odds_ratio_clustered: float = param(
        0.8, unit="odds ratio", kind="assumption",
        source="living in a geclusterde or zorggeschikte woning or a verzorgingshuis, built for meeting "
        "(the letter of 2025: 'veel gelegenheid om elkaar te ontmoeten'); assumption: the one Dutch "
        "study found (Dykstra et al. 2005, LASA) saw no effect of entering residential care; 1 "
        "switches the effect off", bounds=(0.0, 100.0))
    odds_ratio_care_need: float = param(
        6.0, unit="odds ratio", kind="input",
        source="a care need (a limitation or more), derived: CBS 2015 (75+ living independently, "
        "Telegraaf/BNR 2015-09): 20% of those in poor health and 4% of those in good health lonely, "
        "(0.20/0.80)/(0.04/0.96) = 6.0; a limitation taken as poor health", bounds=(0.0, 100.0),
        changeable=False)
    persistence_per_year: float = param(
        0.5, unit="share", kind="assumption",
        source="weight of last year's state in this year's (a lonely person stays lonely with "
        "probability persistence + (1 - persistence) p); assumption", bounds=(0.0, 1.0))
    intention_effect: tuple[float, ...] = param(
        (0.4, 0.3), unit="log odds (definite, maybe)", kind="assumption",
        source="a lonely adult in the household raises the odds of a move intention; assumption",
        bounds=(-10.0, 10.0))
    search_geclusterd_share: float = param(
        0.3, unit="share of searching households", kind="assumption",
        source="an older household with a lonely adult and no care need seeks a geclusterde woning "
        "with this probability (else as any household of its age); assumption", bounds=(0.0, 1.0))


GROUPS: tuple[type[_Group], ...] = (
    DemographyParams, CareParams, PopulationParams, WlzParams, HousingParams, MovingParams,
    TurnoverParams, PolicyParams, CostParams, PriceParams, MoneyParams, NetworkParams, InformalParams,
    LonelinessParams,
)


@dataclass(frozen=True)
class Parameters:
    """All model parameters, one attribute per group."""

    demography: DemographyParams = field(default_factory=DemographyParams)
    care: CareParams = field(default_factory=CareParams)
    population: PopulationParams = field(default_factory=PopulationParams)
    wlz: WlzParams = field(default_factory=WlzParams)
    housing: HousingParams = field(default_factory=HousingParams)
    moving: MovingParams = field(default_factory=MovingParams)
    turnover: TurnoverParams = field(default_factory=TurnoverParams)
    policy: PolicyParams = field(default_factory=PolicyParams)
    costs: CostParams = field(default_factory=CostParams)
    prices: PriceParams = field(default_factory=PriceParams)
    money: MoneyParams = field(default_factory=MoneyParams)
    network: NetworkParams = field(default_factory=NetworkParams)
    informal: InformalParams = field(default_factory=InformalParams)
    loneliness: LonelinessParams = field(default_factory=LonelinessParams)

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, Any]] | None) -> Parameters:
        """Builds parameters from ``{group: {name: value}}``, defaults for the rest.

        Raises:
            ParameterError: For an unknown group or name (listing the valid ones) or a bad value.
        """
        data = data or {}
        by_name = {g.group_name(): g for g in GROUPS}
        unknown = sorted(set(data) - set(by_name))
        if unknown:
            raise ParameterError(
                f"unknown parameter group(s) {unknown}; valid groups: {sorted(by_name)}"
            )
        groups = {}
        for gname, gcls in by_name.items():
            values = dict(data.get(gname, {}))
            valid = {f.name: f for f in fields(gcls)}
            bad = sorted(set(values) - set(valid))
            if bad:
                raise ParameterError(
                    f"unknown parameter(s) {bad} in [{gname}]; valid names: {sorted(valid)}"
                )
            for name, value in values.items():
                default = valid[name].default
                if isinstance(default, tuple):
                    free = valid[name].metadata.get("any_length", False)
                    if (not isinstance(value, list | tuple) or (not free and len(value) != len(default))
                            or (free and not value)):
                        count = "one or more" if free else str(len(default))
                        raise ParameterError(
                            f"{gname}.{name} = {value!r} must be a list of {count} numbers "
                            f"({valid[name].metadata['unit']})"
                        )
                    values[name] = tuple(value)
                elif isinstance(default, bool) != isinstance(value, bool):
                    raise ParameterError(f"{gname}.{name} = {value!r}: expected {type(default).__name__}")
                elif isinstance(default, int) and not isinstance(default, bool):
                    if not isinstance(value, int):
                        raise ParameterError(f"{gname}.{name} = {value!r}: expected an integer")
            groups[gname] = gcls(**values)
        return cls(**groups)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Returns ``{group: {name: value}}`` with tuples as lists (for JSON and TOML)."""
        out = {}
        for f in fields(self):
            group = getattr(self, f.name)
            out[f.name] = {
                k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(group).items()
            }
        return out


def check_changeable(changes: dict[str, dict[str, Any]]) -> None:
    """Refuses a dated change of a parameter that is read only when the model is built.

    Args:
        changes: ``{group: {name: value}}`` of a dated change (names already known to be valid).

    Raises:
        ParameterError: Naming the parameter.
    """
    by_name = {g.group_name(): {f.name: f for f in fields(g)} for g in GROUPS}
    for group, values in changes.items():
        for name in values:
            f = by_name.get(group, {}).get(name)
            if f is not None and not f.metadata.get("changeable", True):
                raise ParameterError(
                    f"{group}.{name} is read only when the model is built (1 January 2025), so a "
                    f"dated change would have no effect; set it in [{group}] of the scenario instead")


def parameter_fields() -> dict[str, Any]:
    """Every parameter's dataclass field (default and metadata), by ``group.name``."""
    return {f"{g.group_name()}.{f.name}": f for g in GROUPS for f in fields(g)}


def parameter_table() -> list[dict[str, str]]:
    """Lists every parameter with its default, unit, kind and source (for the documentation)."""
    rows = []
    for gcls in GROUPS:
        for f in fields(gcls):
            rows.append({
                "name": f"{gcls.group_name()}.{f.name}",
                "default": repr(f.default),
                "unit": f.metadata["unit"],
                "kind": f.metadata["kind"],
                "calibrated": f"{BASELINE_CALIBRATION}/report.html" if f.metadata.get("calibrated") else "",
                "changeable": "yes" if f.metadata.get("changeable", True) else "at start only",
                "source": f.metadata["source"],
            })
    return rows


MIN_SCALE = 1e-5
"""Smallest sample fraction a run accepts (about 80 of the 8.3 million households)."""


@dataclass(frozen=True)
class RunSettings:
    """How a run is executed; not a model parameter.

    Attributes:
        scale: Sample fraction of the national population (0.01 = 1:100, about 84,000 households).
        seed: Root seed of all random streams.
        start_year: First simulated year (starts 1 January; the population is that of 2025).
        end_year: Last simulated year (inclusive).
        steps_per_year: Time steps per year (12 = monthly).
    """

    scale: float = 0.01
    seed: int = 1
    start_year: int = 2025
    end_year: int = 2050
    steps_per_year: int = 12

    def __post_init__(self):
        if isinstance(self.scale, bool) or not isinstance(self.scale, int | float) or not (
            0 < self.scale <= 1
        ):
            raise ParameterError(f"scale = {self.scale!r}: expected a number in (0, 1]")
        if self.scale < MIN_SCALE:
            raise ParameterError(
                f"scale = {self.scale!r}: expected at least {MIN_SCALE:g} (about 80 households); a "
                "smaller sample has too few households to represent the population and may have none")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ParameterError(f"seed = {self.seed!r}: expected a non-negative integer")
        if (isinstance(self.start_year, bool) or not isinstance(self.start_year, int)
                or not 2025 <= self.start_year <= 2100):
            raise ParameterError(
                f"start_year = {self.start_year!r}: expected an integer year from 2025 to 2100 "
                "(the synthetic population is that of 1 January 2025)"
            )
        if (isinstance(self.end_year, bool) or not isinstance(self.end_year, int)
                or self.end_year < self.start_year):
            raise ParameterError(
                f"end_year = {self.end_year!r}: expected an integer year not before "
                f"start_year = {self.start_year}"
            )
        if self.end_year > 2100:
            raise ParameterError(f"end_year = {self.end_year!r}: expected a year up to 2100")
        if (isinstance(self.steps_per_year, bool) or not isinstance(self.steps_per_year, int)
                or self.steps_per_year not in (1, 2, 4, 12)):
            raise ParameterError(
                f"steps_per_year = {self.steps_per_year!r}: expected one of 1, 2, 4, 12"
            )

    @property
    def n_years(self) -> int:
        """Number of simulated years."""
        return self.end_year - self.start_year + 1
