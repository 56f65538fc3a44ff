"""Wlz admission: registration for a verpleeghuis place and admission by the zorgkantoor.

Registration. A person who reaches heavy care (a Wlz indication) registers for a verpleeghuis place
with probability ``wlz.wants_admission_share``; the others receive Wlz care at home and register
later at the hazard ``wlz.later_admission_wish_per_year`` (stream ``wlz_wish``, by person id). While
an informal carer who is not overburdened cares for the person, both are multiplied by
``informal.registration_factor_with_carer``; when the carer stops or leaves, the person weighs
registering as at a new indication (:mod:`agents.informal` sets its ``wlz_step``).
Registered persons form the waiting list (``verpleeghuis_waiting``). On 1 January 2025 a share
``wlz.initial_waiting_share`` of the indications at home is on the list, for up to
``wlz.initial_waiting_months_max`` months (set-up, stream ``admission``).

Admission. Each step the zorgkantoor of a province offers its vacant places (longest vacant first) to
the persons on its waiting list in order of urgency: first those with dementia without a network (no
partner, no child nearby), then the longest waiting, ties broken by a draw of the ``admission``
stream. An admitted person leaves the household for a new one-person household in the place
(:meth:`sim.occupancy.Occupancy.admit`): a partner stays behind in the dwelling; a person living alone
vacates it, which starts a vacancy chain with cause ``institution``.

Capacity. On 1 January the zorgkantoren build places up to the year's capacity on the path of
current policy (``wlz.capacity_path_*``: about 135,000 places in 2026, back to 130,000 after it);
places above the path close as they free up (:func:`adjust_capacity`).

Policies acting here (each in its module): :mod:`agents.policies.scheiden_wonen_zorg` (a further cap
on the capacity, Wlz care at home in zorggeschikte woningen) and :mod:`agents.policies.verzorgingshuis`
(admission to verzorgingshuis places, the registration of its residents). Logeerzorg acts through the
carers (:mod:`agents.informal`). Order within the step: capacity, registration, verpleeghuis
admission, verzorgingshuis admission.
"""

from __future__ import annotations

import numpy as np

from agents import informal
from agents.policies import scheiden_wonen_zorg, verzorgingshuis
from sim.clock import POPULATION_YEAR
from sim.codes import HEAVY, INSTITUTION_TENURE, NOT_WAITING, VERPLEEGHUIS, VERZORGINGSHUIS
from sim.households import partner_of, row_of, slot_of
from sim.outputs import declare
from sim.population import round_counts
from sim.process import Context, Process
from sim.rates import step_probability

URGENT_BONUS_STEPS = 10**6
"""Added to the sort key of non-urgent persons so that urgent ones always come first."""


def capacity_target(ctx: Context) -> float:
    """Verpleeghuis places (national) this year: the capacity path, under a policy cap if any."""
    wp = ctx.params.wlz
    target = float(np.interp(ctx.year, (POPULATION_YEAR, *wp.capacity_path_years),
                             (wp.verpleeghuis_places, *wp.capacity_path_places)))
    cap = scheiden_wonen_zorg.capacity_cap(ctx)
    return target if cap is None else min(target, cap)


def adjust_capacity(ctx: Context) -> None:
    """Builds places up to the year's capacity on 1 January; closes free places above it.

    New places go to the provinces in proportion to their places (largest remainders); places
    above the target close as they free up, longest vacant first.
    """
    dw = ctx.dwellings
    places = np.flatnonzero(dw.active & (dw.type == VERPLEEGHUIS))
    target = capacity_target(ctx)
    current = float(dw.weight[places].sum())
    if ctx.first_step_of_year and target > current:
        k = int(np.floor((target - current) * ctx.scale + 0.5))
        if k > 0:
            n_regions = len(ctx.institutions.zorgkantoren)
            share = np.bincount(dw.region[places], minlength=n_regions).astype(float)
            share = share / share.sum() if share.sum() > 0 else np.full(n_regions, 1 / n_regions)
            counts = round_counts(share * k)
            region = np.repeat(np.arange(n_regions), counts)
            ids = ctx.occupancy.build_places({
                "weight": np.full(k, 1.0 / ctx.scale, np.float32),
                "type": np.full(k, VERPLEEGHUIS, np.int8),
                "tenure": np.full(k, INSTITUTION_TENURE, np.int8),
                "region": region.astype(np.int8), "rooms": np.ones(k, np.int8),
                "step_free": np.ones(k, bool),
            })
            ctx.record.flow("verpleeghuis_places_built", float(dw.weight[ids].sum()))
        return
    excess = int(np.floor((current - target) * ctx.scale + 1e-9))
    if excess <= 0:
        return
    free = places[dw.occupant[places] < 0]
    close = free[np.argsort(dw.vacant_since[free], kind="stable")[:excess]]
    if len(close):
        ctx.occupancy.close_places(close)
        ctx.record.flow("verpleeghuis_places_closed", float(dw.weight[close].sum()))


def initial_waiting_list(ctx: Context) -> None:
    """Set-up: puts a share of the 2025 Wlz indications at home on the waiting list."""
    hh = ctx.households
    wp = ctx.params.wlz
    at_home = hh.active & (hh.dwelling != VERPLEEGHUIS)
    rows, slots = np.nonzero((hh.care == HEAVY) & hh.present & at_home[:, None])
    rng = ctx.streams.generator("admission", "initial_waiting_list")
    join = rng.random(len(rows)) < wp.initial_waiting_share
    months = rng.integers(0, wp.initial_waiting_months_max, len(rows))
    hh.wlz_wait_since[rows[join], slots[join]] = -months[join] * ctx.steps_per_year // 12


def expected_wait_months(ctx: Context) -> float:
    """The waiting time a person registering now can expect, in months (national).

    The waiting list divided by the admissions per month over the past year (before the model has a
    year of its own admissions, the missing months count at ``wlz.admissions_per_year_2024``).
    """
    hh = ctx.households
    flat = np.flatnonzero(hh.wlz_wait_since.ravel() != NOT_WAITING)
    flat = flat[hh.present.ravel()[flat]]
    listed = float(hh.weight[row_of(flat)].sum(dtype=np.float64))
    history = admissions_history(ctx)
    per_month = history.sum() / len(history) * ctx.steps_per_year / 12
    return listed / per_month if per_month > 0 else float("inf")


def admissions_history(ctx: Context) -> np.ndarray:
    """Verpleeghuis admissions (national) of each of the last ``steps_per_year`` steps."""
    if "admitted" not in ctx.memory:
        per_step = ctx.params.wlz.admissions_per_year_2024 / ctx.steps_per_year
        ctx.memory["admitted"] = np.full(ctx.steps_per_year, per_step)
    return ctx.memory["admitted"]


def waiting_response(ctx: Context) -> float:
    """Factor on registration: halves with every ``wlz.registration_half_wait_months`` of waiting.

    People with a Wlz indication at home weigh the expected wait against a volledig pakket thuis;
    the longer the queue, the fewer register, so the list stays a queue that people avoid and leave
    rather than a list that grows without bound when demand outgrows the places. Recorded as the
    year's mean ``verpleeghuis_expected_wait_months``.
    """
    wait = expected_wait_months(ctx)
    ctx.record.mean("verpleeghuis_expected_wait_months", np.array([min(wait, 1e3)]), np.ones(1))
    half = ctx.params.wlz.registration_half_wait_months
    return float(np.exp(-np.log(2.0) * wait / half)) if np.isfinite(wait) else 0.0


def registration(ctx: Context, response: float = 1.0) -> None:
    """Persons with a Wlz indication at home register for a place (see the module docstring).

    ``response`` (:func:`waiting_response`) multiplies the share registering at a new indication
    and the hazard of registering later.
    """
    hh = ctx.households
    wp = ctx.params.wlz
    flat = np.flatnonzero(hh.care.ravel() == HEAVY)
    rows = row_of(flat)
    cand = (hh.present.ravel()[flat] & hh.active[rows] & (hh.dwelling[rows] != VERPLEEGHUIS)
            & (hh.wlz_wait_since.ravel()[flat] == NOT_WAITING))
    cand &= scheiden_wonen_zorg.may_register(ctx, rows)
    flat = flat[cand]
    if len(flat) == 0:
        return
    rows, slots = row_of(flat), slot_of(flat)
    new = hh.wlz_step.ravel()[flat] == ctx.step
    p = np.where(new, wp.wants_admission_share * response,
                 step_probability(wp.later_admission_wish_per_year * response, ctx.steps_per_year))
    factor = verzorgingshuis.registration_factor(ctx, rows)
    if factor is not None:
        p = p * factor
    p = p * np.where(informal.carer_available(hh.carer.ravel()[flat]),
                     ctx.params.informal.registration_factor_with_carer, 1.0)
    u = ctx.streams.for_few("wlz_wish", hh.pid.ravel()[flat])
    join = u < p
    hh.wlz_wait_since[rows[join], slots[join]] = ctx.step


def admit_by_province(ctx: Context, rows: np.ndarray, slots: np.ndarray, priority: np.ndarray,
                      place_type: int) -> None:
    """Every zorgkantoor admits the persons of its province to its free places of ``place_type``."""
    hh, dw = ctx.households, ctx.dwellings
    free = np.flatnonzero((dw.type == place_type) & dw.active & (dw.occupant < 0))
    if len(free) == 0 or len(rows) == 0:
        return
    free = free[np.argsort(dw.vacant_since[free], kind="stable")]
    region = hh.region[rows]
    free_region = dw.region[free]
    weight = hh.weight[rows]
    chosen = []
    for kantoor in ctx.institutions.zorgkantoren:
        sel = region == kantoor.region
        chosen.append(kantoor.choose(rows[sel], slots[sel], priority[sel],
                                     free[free_region == kantoor.region], place_type, weight[sel]))
    if chosen:  # the provinces' persons and places are disjoint: one move for all of them
        admit_to_places(ctx, *(np.concatenate(parts) for parts in zip(*chosen, strict=True)),
                        place_type)


def admit_to_places(ctx: Context, rows: np.ndarray, slots: np.ndarray, places: np.ndarray,
                    place_type: int) -> None:
    """Records the admissions (and waiting times) and moves the persons into the places."""
    if len(rows) == 0:
        return
    hh = ctx.households
    if place_type == VERPLEEGHUIS:
        waited = (ctx.step - hh.wlz_wait_since[rows, slots]) * (12 / ctx.steps_per_year)
        ctx.record.mean("verpleeghuis_waiting_months_mean", waited, hh.weight[rows])
        ctx.record.flow("wlz_admissions", hh.weight[rows].sum())
        admissions_history(ctx)[ctx.step % ctx.steps_per_year] += hh.weight[rows].sum()
    else:
        ctx.record.flow("verzorgingshuis_admissions", hh.weight[rows].sum())
    ctx.occupancy.admit(rows, slots, places)


def verpleeghuis_admission(ctx: Context) -> None:
    """Admits registered persons to free verpleeghuis places, most urgent first."""
    hh = ctx.households
    waiting = hh.wlz_wait_since.ravel()
    flat = np.flatnonzero((waiting != NOT_WAITING) & (waiting <= ctx.step))
    flat = flat[hh.present.ravel()[flat]]
    if len(flat) == 0:
        return
    dw = ctx.dwellings
    if not ((dw.type == VERPLEEGHUIS) & dw.active & (dw.occupant < 0)).any():
        return
    rows = row_of(flat)
    urgent = (hh.dementia.ravel()[flat] & ~hh.present.ravel()[partner_of(flat)]
              & ~hh.children_nearby[rows])
    u = ctx.streams.for_few("admission", hh.pid.ravel()[flat])
    priority = hh.wlz_wait_since.ravel()[flat] + np.where(urgent, 0, URGENT_BONUS_STEPS) + u
    admit_by_province(ctx, rows, slot_of(flat), priority, VERPLEEGHUIS)


def wlz_admission(ctx: Context) -> None:
    """Adjusts the capacity, registers, admits to verpleeghuis and verzorgingshuis places."""
    response = waiting_response(ctx)  # from the admissions of the past steps_per_year steps
    admissions_history(ctx)[ctx.step % ctx.steps_per_year] = 0.0  # the oldest slot: this step's
    adjust_capacity(ctx)
    registration(ctx, response)
    verpleeghuis_admission(ctx)
    if verzorgingshuis.open_for_admission(ctx):
        dw = ctx.dwellings
        if ((dw.type == VERZORGINGSHUIS) & dw.active & (dw.occupant < 0)).any():
            rows, slots, priority = verzorgingshuis.eligible(ctx)
            admit_by_province(ctx, rows, slots, priority, VERZORGINGSHUIS)
        if ctx.last_step_of_year:
            verzorgingshuis.resident_money(ctx)
    elif ctx.last_step_of_year:
        # no place planned: nobody can decline one (0, so that a comparison has a paired difference)
        ctx.record.mean("verzorgingshuis_declined_on_cost", np.zeros(1), np.ones(1))


PROCESS = Process(
    "wlz_admission", wlz_admission, reads=("wlz", "policy", "money", "costs", "prices", "informal"),
    streams=("admission", "wlz_wish", "verzorgingshuis"),
    setup=initial_waiting_list,
    records=declare(
        ("wlz_admissions", "persons per year", "Admissions to a verpleeghuis", "flow"),
        ("verpleeghuis_waiting_months_mean", "months",
         "Mean waiting time of the persons admitted in the year", "mean"),
        ("verpleeghuis_expected_wait_months", "months",
         "Expected wait for a place (waiting list / admissions per month), mean over the year",
         "mean"),
        ("verpleeghuis_places_built", "places per year", "Verpleeghuis places completed", "flow"),
        ("verpleeghuis_places_closed", "places per year", "Verpleeghuis places closed", "flow"),
    ) + verzorgingshuis.INDICATORS,
)
