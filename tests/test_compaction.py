"""Household rows compacted at each year's end: the rows of households that ended are dropped, the others
keep their order, and the dwellings' links follow them (memory bounded over the horizon)."""

import numpy as np

from agents.model import DoorstroomModel
from sim.params import Parameters, RunSettings


def test_year_end_drops_ended_households_and_renumbers_the_links():
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=2, end_year=2027), debug=True)
    hh, dw = model.households, model.dwellings
    spy = model.settings.steps_per_year
    for _ in range(spy - 1):
        model.step()
    ended = int((~hh.active).sum())
    assert ended > 0, "some households end within a year"
    rows_before = hh.n
    model.step()  # the year's last step ends with the compaction
    assert hh.active.all() and hh.n == int(hh.active.sum()) < rows_before
    assert (np.diff(hh.hid) > 0).all(), "rows keep the order of their creation"
    assert hh.appended >= rows_before
    # every occupied dwelling still points at a household that lives in it, one household each
    occ = np.flatnonzero(dw.occupant >= 0)
    assert (hh.dwelling_id[dw.occupant[occ]] == occ).all()
    assert len(np.unique(dw.occupant[occ])) == len(occ)
    model.check_invariants()
    for _ in range(spy):  # a year more with every invariant checked each step (debug)
        model.step()


def test_rows_stay_near_the_active_households_over_the_horizon():
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=2, end_year=2030))
    model.run()
    hh = model.households
    assert hh.appended > 1.2 * hh.n, "households were formed and ended over the years"
    assert hh.n - int(hh.active.sum()) < 0.1 * hh.n, "rows of ended households are freed each year"
