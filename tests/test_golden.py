"""The golden baseline: fresh seeded runs must reproduce the stored tables exactly.

Regenerate the stored files only when results change on purpose (see ``tests/golden.py``).
"""

import golden
import pytest


@pytest.fixture(scope="module", params=sorted(golden.SCENARIOS))
def fresh(request):
    return request.param, golden.golden_tables(request.param)


@pytest.mark.parametrize("table", golden.TABLES)
def test_golden_tables_are_reproduced_exactly(fresh, table):
    name, tables = fresh
    stored = golden.read_table(golden.path_of(name, table))
    now = golden.as_text(tables[table])
    assert list(now) == list(stored), f"{name}/{table}: columns {list(now)} != stored {list(stored)}"
    for column in stored:
        a, b = stored[column], now[column]
        assert len(a) == len(b), f"{name}/{table}.{column}: {len(b)} rows, stored {len(a)}"
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        assert not diff, (
            f"{name}/{table}.{column} differs in {len(diff)} rows; first at row {diff[0]}: "
            f"stored {a[diff[0]]!r}, now {b[diff[0]]!r}. If the change is meant, regenerate with "
            "'make golden' in a commit of its own that gives the reason"
        )
