"""Runs of one model with a chunk size at its default and at a small value, for the tests that a pass
done in chunks of rows gives the same numbers whatever the chunk (its temporaries are bounded at full
scale; each row's result depends on its own row and its draws by id)."""

from __future__ import annotations

import numpy as np

from agents.model import DoorstroomModel
from sim.params import Parameters, RunSettings

SMALL_CHUNK = 997
"""A chunk size that splits a small population's passes into many parts (a prime, so no part aligns)."""


def whole_and_chunked(monkeypatch, module, constant: str, settings: RunSettings, run: bool = True
                      ) -> tuple[DoorstroomModel, DoorstroomModel]:
    """Two models of ``settings``: with ``module.constant`` as it is, then set to :data:`SMALL_CHUNK`.

    Both are run to their end year unless ``run`` is false (then only built).
    """
    models = []
    for chunk in (getattr(module, constant), SMALL_CHUNK):
        monkeypatch.setattr(module, constant, chunk)
        model = DoorstroomModel(Parameters(), settings)
        if run:
            model.run()
        models.append(model)
    return models[0], models[1]


def assert_same_indicators(a: DoorstroomModel, b: DoorstroomModel) -> None:
    """The two runs recorded the same indicators, value for value."""
    x, y = a.indicator_columns(), b.indicator_columns()
    assert list(x["indicator"]) == list(y["indicator"])
    np.testing.assert_array_equal(x["value"], y["value"])
