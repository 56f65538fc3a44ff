"""The policy catalogue: every lever, the scenario key that sets it, its module and the processes it acts in.

A lever is a parameter of ``sim.params.PolicyParams``; a scenario sets it in ``[policy]`` (from the
start) or in ``[change.policy]`` of a ``[[change]]`` (from 1 January of the change's year). Each lever
is read in its policy's module only (``agents/policies/<module>.py``); the processes listed call that
module. ``doorstroom policies`` prints this table; ``tests/test_house.py`` checks that it is complete
and that no other module reads a lever.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sim.params import PolicyParams


@dataclass(frozen=True)
class Lever:
    """One policy lever.

    Attributes:
        name: The parameter of ``PolicyParams``.
        module: The policy module that reads it (``agents.policies.<module>``).
        processes: The processes whose step it changes (names in ``agents.schedule.SCHEDULE``).
    """

    name: str
    module: str
    processes: tuple[str, ...]

    @property
    def scenario_key(self) -> str:
        """Where a scenario file sets it."""
        return f"[policy] {self.name}"


def _levers(module: str, processes: tuple[str, ...], *names: str) -> tuple[Lever, ...]:
    return tuple(Lever(n, module, processes) for n in names)


LEVERS: tuple[Lever, ...] = (
    *_levers("building_programme", ("building_programme",),
             "programme_nultreden_total", "programme_geclusterd_total",
             "programme_zorggeschikt_total", "programme_first_year", "programme_last_year",
             "programme_social_share"),
    *_levers("logeerzorg", ("informal_care",), "logeerzorg_share", "logeerzorg_burden_factor"),
    *_levers("doorstroom", ("allocation",), "older_mover_priority_all_types", "keep_rent",
             "moving_allowance_eur"),
    *_levers("scheiden_wonen_zorg", ("wlz_admission",), "verpleeghuis_places_target",
             "wlz_at_home_in_zorggeschikt"),
    *_levers("verzorgingshuis", ("verzorgingshuis_places",), "verzorgingshuis_places_per_year",
             "verzorgingshuis_first_year"),
    *_levers("verzorgingshuis", ("verzorgingshuis_places", "wlz_admission"),
             "verzorgingshuis_places_total"),
    *_levers("verzorgingshuis", ("wlz_admission",), "verzorgingshuis_min_age_years",
             "verzorgingshuis_wlz_stay_share", "verzorgingshuis_rent_eur_month",
             "verzorgingshuis_service_eur_month", "verzorgingshuis_huurtoeslag"),
    *_levers("kostendelersnorm", ("sharing", "hospitaverhuur", "accounting"), "kostendelersnorm",
             "lodger_counts_for_kostendelersnorm"),
    *_levers("kostendelersnorm", ("sharing",), "sharing_per_year", "sharing_per_year_with_cut",
             "sharing_min_age_years"),
    *_levers("hospitaverhuur", ("hospitaverhuur",), "hospitaverhuur", "hospita_tenants_allowed",
             "hospita_per_year", "hospita_min_spare_rooms", "hospita_contract_max_years",
             "hospita_rent_eur_month"),
)
"""Every field of ``PolicyParams``, by policy."""


def table() -> list[dict[str, str]]:
    """The catalogue as rows: policy module, lever, scenario key, processes, default, unit, kind."""
    meta = {f.name: f for f in fields(PolicyParams)}
    return [{"policy": lev.module, "lever": lev.name, "scenario_key": lev.scenario_key,
             "processes": ", ".join(lev.processes), "default": repr(meta[lev.name].default),
             "unit": meta[lev.name].metadata["unit"], "kind": meta[lev.name].metadata["kind"]}
            for lev in LEVERS]
