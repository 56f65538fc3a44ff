"""Separations and emigration are drawn by thinning (results version 39): in the model, the events of
every step over five years follow the per-step probabilities of the households at risk, computed by
each rule as it was written before thinning (one Bernoulli draw per household and step)."""

import dataclasses

import numpy as np

from agents import migration
from agents.model import DoorstroomModel
from agents.separation import separation_bound, separation_hazard
from sim.codes import is_home
from sim.households import is_shared, oldest_age_months
from sim.params import Parameters, RunSettings
from sim.rates import step_probability


def _separation_at_risk(ctx):
    """Weights and per-step probabilities of the couples (the rule of one draw per couple)."""
    hh, tp = ctx.households, ctx.params.turnover
    couples = np.flatnonzero(hh.active & hh.present[:, 0] & hh.present[:, 1] & is_home(hh.dwelling)
                             & ~is_shared(hh))
    p = step_probability(separation_hazard(oldest_age_months(hh, couples) / 12.0, tp.separation_at40_per_year,
                                           tp.separation_slope_per_year_of_age), ctx.steps_per_year)
    return hh.weight[couples].astype(np.float64), p


def _emigration_at_risk(ctx):
    """Weights and per-step probabilities of the households in the stock."""
    hh, tp, spy = ctx.households, ctx.params.turnover, ctx.steps_per_year
    rows = np.flatnonzero(hh.active & is_home(hh.dwelling))
    p = step_probability(migration.emigration_rates() * tp.emigration_factor_settled, spy)[
        oldest_age_months(hh, rows) // 12]
    recent = hh.arrived_step[rows] > ctx.step - tp.recent_immigrant_years * spy
    p[recent] = step_probability(tp.recent_immigrant_emigration_per_year, spy)
    return hh.weight[rows].astype(np.float64), p


def test_thinned_events_follow_the_per_step_law():
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.01, seed=3, end_year=2029))
    rules = {"separation": (_separation_at_risk, "separations"),
             "migration": (_emigration_at_risk, "emigrant_households")}
    seen = {name: [] for name in rules}  # per step: (events, expected, variance), weighted

    def wrap(process):
        at_risk, flow = rules[process.name]

        def run(ctx):
            w, p = at_risk(ctx)
            before = model.recorder.flows.get(flow, 0.0)  # the recorder's flows are anew each year
            process.run(ctx)
            events = model.recorder.flows.get(flow, 0.0) - before
            seen[process.name].append((events, float((w * p).sum()), float((w * w * p * (1 - p)).sum())))

        return dataclasses.replace(process, run=run)

    model._stepping = tuple((wrap(proc), ctx) if proc.name in rules else (proc, ctx)
                            for proc, ctx in model._stepping)
    for _ in range(60):
        model.step()
    for name, rows in seen.items():
        events, expected, variance = np.array(rows).T
        # weights are 1 / scale = 100: a 10% error in the law moves the total by more than 5 sd
        assert expected.sum() / 100 > 2500, f"{name}: too few events expected ({expected.sum() / 100:.0f})"
        z = (events - expected) / np.sqrt(variance)
        total = (events.sum() - expected.sum()) / np.sqrt(variance.sum())
        assert abs(total) < 4, (f"{name}: events {events.sum():.0f} against {expected.sum():.0f} "
                                f"(z {total:.1f})")
        assert float((z ** 2).sum()) < 115, f"{name}: per-step z {np.round(z, 1)}"  # P(chi2_60 > 115) < 1e-4


def test_bounds_hold_for_every_older_age():
    params = Parameters()
    tp = params.turnover
    bound = separation_bound(tp, 12)
    months = np.arange(len(bound))
    p = step_probability(separation_hazard(months / 12.0, tp.separation_at40_per_year,
                                           tp.separation_slope_per_year_of_age), 12)
    # the older partner may be any age from the first adult's on
    assert all(bound[a] >= p[a:].max() for a in range(0, len(bound), 37))
    p_settled = step_probability(migration.emigration_rates() * tp.emigration_factor_settled, 12)
    p_recent = float(step_probability(tp.recent_immigrant_emigration_per_year, 12))
    table = migration.emigration_bound(p_settled, p_recent)
    assert all(table[a] >= max(p_settled[a:].max(), p_recent) for a in range(len(table)))
    assert table.max() <= 1.0


def test_an_adult_who_comes_to_head_a_couple_midyear_draws_every_step():
    """A partner who moves into the first slot was not screened for separations in January (only first
    adults are): from then on the couple is looked at every step, with bound 1."""
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=5, end_year=2025))
    for _ in range(3):
        model.step()
    hh = model.households
    couples = np.flatnonzero(hh.active & hh.present[:, 0] & hh.present[:, 1] & (hh.shared_pid < 0)
                             & is_home(hh.dwelling))
    rows = couples[:5]
    for name, (_dtype, width, _fill) in type(hh).COLUMNS.items():
        if width is True:  # the two adults change slots
            col = getattr(hh, name)
            col[rows] = col[rows][:, ::-1]
    thinning = model.contexts["separation"].memory["thinning"]
    seen = []
    step = thinning.step

    def record(ctx, pids, bounds):
        out = step(ctx, pids, bounds)
        seen.append(out)
        return out

    thinning.step = record
    for _ in range(2):
        model.step()
    for (due,), p_max in seen:
        at = np.searchsorted(due, rows)
        assert np.array_equal(due[np.minimum(at, len(due) - 1)], rows), "every swapped couple is due"
        assert (p_max["separation"][at] == 1.0).all()
