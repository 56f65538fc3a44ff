"""Named random streams: common random numbers across scenarios.

Each decision draws from its own stream, derived from the run's root seed, the stream's name, the step
number and, for a keyed sub-stream, a key (``generator("family", key="births")``): no arithmetic on
stream numbers, and no two decisions share draws. With a read log (``--debug``) a stream read twice in
one step (the same name, step and key) raises :class:`StreamReuseError`: the second reader would get
the same draws as the first. The draw for person ``p`` at step ``t`` in stream ``s`` is the
``p``-th value of that stream's array at that step (see :meth:`RandomStreams.for_ids`), so it does not
depend on how many draws other processes make, nor on how many persons exist beyond ``p``, nor on the
household row the person lives in. A policy run therefore faces the same deaths and care onsets as its
baseline for every person who exists in both.
"""

from __future__ import annotations

import zlib

import numpy as np

SETUP_STREAMS = ("population", "stock")
"""Streams drawn while the model is built (the synthetic population and the dwelling stock); the
processes declare their own streams (``sim.process.Process.streams``)."""

JUMP_COST = 1024
"""Draws that cost about as much time as one jump of the generator (``advance``) in
:meth:`RandomStreams.for_ids`: ids closer than this are drawn as one stretch."""


class StreamReuseError(RuntimeError):
    """A stream was read twice in one step: two decisions would share the same draws."""


class RandomStreams:
    """Factory of per-decision, per-step numpy generators under one root seed.

    The generator of a stream depends only on the root seed, the stream's name and key (through their
    CRC-32) and the step.

    Args:
        seed: Root seed of the run (non-negative integer).
        names: The stream names that may be drawn (any name if ``None``).
        log: Record every read and refuse a second read of the same (name, key, step).
    """

    def __init__(self, seed: int, names=None, log: bool = False):
        self.seed = int(seed)
        self.names = None if names is None else tuple(sorted(set(names)))
        self._scratch = np.empty(0)
        self._reads: set[tuple[str, str | None, int]] | None = set() if log else None

    def _entropy(self, name: str, step: int, key: str | None) -> list[int]:
        if self.names is not None and name not in self.names:
            raise KeyError(f"unknown random stream {name!r}; known streams: {list(self.names)}")
        if self._reads is not None:
            read = (name, key, step)
            if read in self._reads:
                sub = "" if key is None else f", key {key!r}"
                raise StreamReuseError(f"stream {name!r}{sub} read twice at step {step}: the two "
                                       "readers would share draws; give each decision its own stream "
                                       "or key")
            self._reads.add(read)
        entropy = [self.seed, zlib.crc32(name.encode()), step + 1]
        if key is not None:
            entropy.append(zlib.crc32(str(key).encode()))
        return entropy

    def generator(self, name: str, step: int = -1, key: str | None = None) -> np.random.Generator:
        """Returns the generator of stream ``name`` (sub-stream ``key``) at ``step`` (-1: set-up)."""
        return np.random.default_rng(self._entropy(name, step, key))

    def uniform(self, name: str, step: int, n: int, key: str | None = None) -> np.ndarray:
        """Returns ``n`` uniform draws in [0, 1) of stream ``name`` at ``step`` (float64)."""
        return self.generator(name, step, key).random(n)

    def scratch(self, n: int) -> np.ndarray:
        """A reusable float64 buffer of length ``n`` for draws that are used at once.

        Filling a buffer that already exists saves the cost of fresh memory for large arrays. The
        buffer is overwritten by the next call of this method, :meth:`prefix` or :meth:`for_ids`.
        """
        if len(self._scratch) < n:
            self._scratch = np.empty(max(n, len(self._scratch) * 5 // 4))
        return self._scratch[:n]

    def for_ids(self, name: str, step: int, ids: np.ndarray, key: str | None = None) -> np.ndarray:
        """Returns the draw of each id (person or household) in stream ``name`` at ``step``.

        The draw of id ``p`` is ``uniform(name, step, p + 1)[p]``. When the ids are few and far
        apart compared with the largest id (e.g. new person ids, which are the highest), only the
        stretches of the stream around them are drawn, jumping over the rest with the bit generator's
        ``advance``; the values are the same.
        """
        ids = np.asarray(ids)
        if len(ids) == 0:
            return np.zeros(0)
        top = int(ids.max()) + 1
        if len(ids) * JUMP_COST >= top:
            return self.prefix(name, step, top, key)[ids]
        uniq = np.unique(ids)
        cut = np.flatnonzero(np.diff(uniq) > JUMP_COST) + 1
        first = uniq[np.concatenate(([0], cut))]
        last = uniq[np.concatenate((cut - 1, [len(uniq) - 1]))]
        length = last - first + 1
        if len(first) * JUMP_COST + int(length.sum()) >= top:
            return self.prefix(name, step, top, key)[ids]
        gen = self.generator(name, step, key)
        offset = np.concatenate(([0], np.cumsum(length)))
        values = np.empty(int(offset[-1]))
        pos = 0
        for a, b, o in zip(first.tolist(), (last + 1).tolist(), offset[:-1].tolist(), strict=True):
            if a > pos:
                gen.bit_generator.advance(a - pos)
            gen.random(out=values[o:o + b - a])
            pos = b
        seg = np.searchsorted(first, ids, side="right") - 1
        return values[offset[seg] + (ids - first[seg])]

    def prefix(self, name: str, step: int, n: int, key: str | None = None) -> np.ndarray:
        """:meth:`uniform` drawn into the scratch buffer (valid until the buffer is reused).

        Element ``p`` is the draw of id ``p`` (as :meth:`for_ids` gives it), for all ids below ``n``.
        """
        out = self.scratch(n)
        self.generator(name, step, key).random(out=out)
        return out
