"""Household rows compacted at each year's end: the rows of households that ended are dropped, the others
keep their order, and the dwellings' links follow them (memory bounded over the horizon)."""

import numpy as np
import pytest

from agents.kin import Kin
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


def test_a_column_table_grows_keeping_its_rows_and_refuses_columns_of_unequal_length():
    """ColumnTable: appends past the capacity grow it with every row kept (each old column freed once
    copied); reserve makes room at once as one append would; columns of unequal length are refused."""
    table = Kin(capacity=4)
    rows = table.append({"drawer": np.arange(3), "nth": np.ones(3, np.int8), "birth_month": -5})
    assert list(rows) == [0, 1, 2] and list(table.birth_month) == [-5, -5, -5]
    table.reserve(10)
    assert table.capacity == 21 and table.n == 3  # as one append of 10 would: 4 x 1.25 + 16
    table.append({"drawer": np.arange(3, 23), "parent": np.arange(20)})
    assert table.capacity == 42 and table.n == 23  # grown once more: 21 x 1.25 + 16
    assert list(table.drawer) == list(range(23)) and table.active.all()
    assert list(table.parent[:3]) == [-1, -1, -1] and list(table.parent[3:]) == list(range(20))
    assert list(table.birth_month[:3]) == [-5, -5, -5] and not table.birth_month[3:].any()
    with pytest.raises(ValueError, match="one length"):
        table.append({"drawer": np.arange(2), "parent": np.arange(3)})
    assert table.n == 23
