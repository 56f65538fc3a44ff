"""The calendar of a run: Mesa's step counter read as months (or other steps) from 1 January 2025."""

from __future__ import annotations

POPULATION_YEAR = 2025
"""The synthetic population is that of 1 January of this year; runs start there."""


class CalendarClock:
    """Mixin for a ``mesa.Model`` with a ``settings.steps_per_year``: step index, year and time."""

    @property
    def step_index(self) -> int:
        """Index of the current step, 0 for the first (Mesa's ``steps`` counts from 1)."""
        return self.steps - 1

    @property
    def year(self) -> int:
        """Calendar year of the current step."""
        return POPULATION_YEAR + max(self.step_index, 0) // self.settings.steps_per_year

    @property
    def year_fraction(self) -> float:
        """Calendar time at the middle of the current step, in years (e.g. 2025.04)."""
        return POPULATION_YEAR + (max(self.step_index, 0) + 0.5) / self.settings.steps_per_year
