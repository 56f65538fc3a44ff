"""Named random streams: common random numbers across scenarios.

Each process (mortality, care, ...) draws from its own stream, derived from the run's root seed, the
stream's name and the step number. The draw for person ``p`` at step ``t`` in stream ``s`` is the
``p``-th value of that stream's array at that step (see :meth:`RandomStreams.for_ids`), so it does not
depend on how many draws other processes make, nor on how many persons exist beyond ``p``, nor on the
household row the person lives in. A policy run therefore faces the same deaths and care onsets as its
baseline for every person who exists in both.
"""

from __future__ import annotations

import zlib

import numpy as np

STREAMS = (
    "mortality", "care", "dementia", "population", "stock", "admission", "wlz_wish", "intention",
    "search", "allocation", "adaptation", "turnover", "migration", "building",
    "union",
)
"""Names of the streams used by the model; a new process adds its own name here."""


def _name_key(name: str) -> int:
    if name not in STREAMS:
        raise KeyError(f"unknown random stream {name!r}; known streams: {STREAMS}")
    return zlib.crc32(name.encode())


class RandomStreams:
    """Factory of per-process, per-step numpy generators under one root seed.

    Args:
        seed: Root seed of the run (non-negative integer).
    """

    def __init__(self, seed: int):
        self.seed = int(seed)

    def generator(self, name: str, step: int = -1) -> np.random.Generator:
        """Returns the generator of stream ``name`` at ``step`` (``-1`` for set-up draws)."""
        return np.random.default_rng([self.seed, _name_key(name), step + 1])

    def uniform(self, name: str, step: int, n: int) -> np.ndarray:
        """Returns ``n`` uniform draws in [0, 1) of stream ``name`` at ``step`` (float64)."""
        return self.generator(name, step).random(n)

    def for_ids(self, name: str, step: int, ids: np.ndarray) -> np.ndarray:
        """Returns the draw of each id (person or household) in stream ``name`` at ``step``."""
        ids = np.asarray(ids)
        if len(ids) == 0:
            return np.zeros(0)
        return self.uniform(name, step, int(ids.max()) + 1)[ids]
