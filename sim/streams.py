"""Named random streams: common random numbers across scenarios.

Each decision draws from its own stream, derived from the run's root seed, the stream's name, the step
number and, for a keyed sub-stream, a key (``generator("family", key="births")``): no arithmetic on
stream numbers, and no two decisions share draws. With a read log (``--debug``) a stream read twice in
one step (the same name, step and key) raises :class:`StreamReuseError`: the second reader would get
the same draws as the first. The draw for person ``p`` at step ``t`` in stream ``s`` depends only on
(seed, ``s``, key, ``t``, ``p``), so it does not depend on how many draws other processes make, nor on
how many persons exist beyond ``p``, nor on the household row the person lives in (a household's
decision draws by the person in its first slot). A policy run
therefore faces the same deaths and care onsets as its baseline for every person of the starting
population (new persons, starters and immigrants, are numbered in order of arrival, so their ids stay
the same persons only as long as the arrivals of both runs do).

Draws by id come in two kinds, fixed per stream (reading a stream the other way raises
:class:`StreamReuseError`):

- :meth:`RandomStreams.for_ids`, a sequential stream: the draw of id ``p`` is the ``p``-th value of the
  stream's generator at that step. Its cost grows with the largest id, so it serves decisions most
  persons face every step (death, care onset, births).
- :meth:`RandomStreams.for_few`, counter-based: the draw of id ``p`` is a hash of ``p`` under the
  stream's key (SplitMix64, with a gamma of its own per stream and step). Its cost grows with the
  number of ids asked, so it serves decisions a few persons face (a target type for a new searcher,
  who moves out at a separation).
"""

from __future__ import annotations

import zlib

import numpy as np

SETUP_STREAMS = ("population", "stock")
"""Streams drawn while the model is built (the synthetic population and the dwelling stock); the
processes declare their own streams (``sim.process.Process.streams``)."""

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15  # SplitMix64's increment: 2**64 / golden ratio, odd
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)  # multipliers of SplitMix64's finaliser (Stafford's "mix13")
_MIX2 = np.uint64(0x94D049BB133111EB)
_SHIFT11, _SHIFT27, _SHIFT30, _SHIFT31 = (np.uint64(k) for k in (11, 27, 30, 31))  # its shifts
_MIX_CHUNK = 1 << 18
"""Ids mixed at a time by counter-based draws (two buffers of 2 MiB)."""


def _mix64(z: int) -> int:
    """SplitMix64's finaliser on one Python integer (64-bit, wrapping)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


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
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
            raise ValueError(f"seed {seed!r}: expected an integer in [0, 2**63)")
        self.seed = int(seed)
        self.names = None if names is None else tuple(sorted(set(names)))
        self._scratch = np.empty(0)
        self._mix: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.uint64), np.empty(0, np.uint64))
        self._reads: set[tuple[str, str | None, int]] | None = set() if log else None
        self._modes: dict[tuple[str, str | None], str] = {}

    def _mode(self, name: str, key: str | None, mode: str) -> None:
        """Refuses a stream read one way after it was read the other (sequential or counter-based)."""
        known = self._modes.setdefault((name, key), mode)
        if known != mode:
            sub = "" if key is None else f", key {key!r}"
            raise StreamReuseError(f"stream {name!r}{sub} is read {mode} here but {known} before: "
                                   "a stream is read one way only (for_ids/generator or for_few)")

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
        self._mode(name, key, "sequentially")
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
        """Returns the draw of each id (person or household) in sequential stream ``name`` at ``step``.

        The draw of id ``p`` is ``uniform(name, step, p + 1)[p]``: the stream is drawn up to the
        largest id asked, so the cost grows with that id, not with the number of ids. For a decision
        only a few ids face, use :meth:`for_few`.
        """
        ids = np.asarray(ids)
        if len(ids) == 0:
            self._mode(name, key, "sequentially")
            self._entropy(name, step, key)  # a read all the same (the reuse log sees it)
            return np.zeros(0)
        return self.prefix(name, step, int(ids.max()) + 1, key)[ids]

    def for_few(self, name: str, step: int, ids: np.ndarray, key: str | None = None) -> np.ndarray:
        """Returns the counter-based draw of each id in stream ``name`` at ``step`` (float64 in [0, 1)).

        The draw of id ``p`` is SplitMix64's output for state ``k + (p + 1) g``, with the offset ``k``
        and the odd gamma ``g`` derived from (seed, name, key, step): a function of the id alone, at
        a cost per id asked. A stream read this way must always be read this way (its draws differ
        from :meth:`for_ids`'s).
        """
        return self.counter(name, step, key)(ids)

    def counter(self, name: str, step: int, key: str | None = None):
        """The counter-based draws of :meth:`for_few` as a function of the ids, for reading in parts.

        The read is logged once, here; the function may then be called for several parts of the ids
        (each id's draw is the same however the ids are split).
        """
        self._mode(name, key, "counter-based")
        entropy = self._entropy(name, step, key)
        h = 0
        for word in entropy:
            h = _mix64(((h ^ (word & _MASK64)) + _GOLDEN) & _MASK64)
        g = _mix64(h ^ _GOLDEN) | 1
        if (g ^ (g >> 1)).bit_count() < 24:  # SplitMix's rule: a gamma needs enough bit changes
            g ^= 0xAAAAAAAAAAAAAAAA
        gamma = np.uint64(g)
        start = np.uint64((h + g) & _MASK64)  # k + (p + 1) g = p g + (k + g), wrapping

        def draw(ids: np.ndarray) -> np.ndarray:
            ids = np.atleast_1d(np.asarray(ids))
            if ids.dtype.kind not in "iu":
                raise TypeError(f"stream {name!r}: ids must be integers, got dtype {ids.dtype}")
            # SplitMix64 in place, in chunks of two reused buffers (bounded memory, no fresh arrays)
            n = len(ids)
            out = np.empty(n)
            if len(self._mix[0]) < min(n, _MIX_CHUNK):
                self._mix = tuple(np.empty(min(max(n, len(self._mix[0]) * 5 // 4), _MIX_CHUNK),
                                           np.uint64) for _ in range(2))
            for lo in range(0, n, _MIX_CHUNK):
                hi = min(n, lo + _MIX_CHUNK)
                z, t = self._mix[0][:hi - lo], self._mix[1][:hi - lo]
                np.copyto(z, ids[lo:hi], casting="unsafe")
                z *= gamma
                z += start
                for shift, mul in ((_SHIFT30, _MIX1), (_SHIFT27, _MIX2)):
                    np.right_shift(z, shift, out=t)
                    z ^= t
                    z *= mul
                np.right_shift(z, _SHIFT31, out=t)
                z ^= t
                z >>= _SHIFT11
                np.multiply(z, 1.0 / (1 << 53), out=out[lo:hi])
            return out

        return draw

    def prefix(self, name: str, step: int, n: int, key: str | None = None) -> np.ndarray:
        """:meth:`uniform` drawn into the scratch buffer (valid until the buffer is reused).

        Element ``p`` is the draw of id ``p`` (as :meth:`for_ids` gives it), for all ids below ``n``.
        """
        out = self.scratch(n)
        self.generator(name, step, key).random(out=out)
        return out
