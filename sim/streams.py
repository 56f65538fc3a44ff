"""Named random streams: common random numbers across scenarios.

Each process (mortality, care, ...) draws from its own stream, derived from the run's root seed, the
stream's name and the step number. A draw for household row ``i`` at step ``t`` in stream ``s`` is the
``i``-th value of that stream's array at that step, so it does not depend on how many draws other
processes make, nor on how many rows exist beyond ``i``. A policy run therefore faces the same deaths and
care onsets as its baseline as long as the same households exist.
"""

from __future__ import annotations

import zlib

import numpy as np

STREAMS = ("mortality", "care", "dementia", "heavy", "population", "admission", "reference")
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
