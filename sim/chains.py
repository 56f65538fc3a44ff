"""Bookkeeping of vacancy chains (verhuisketens) by CBS's register definitions.

A vacancy chain follows one vacancy through the housing stock, as in CBS's Dashboard Verhuisketens:

* **Start.** A chain starts when a dwelling becomes vacant for one of these causes (``START_CAUSES``):

  - ``new_build``: a newly built dwelling is added to the stock;
  - ``transformation``: a dwelling is added by transforming a non-residential building (or splitting);
  - ``death``: the last resident of the dwelling dies;
  - ``emigration``: the last resident household moves abroad;
  - ``institution``: the last resident moves into an institution (verpleeghuis or verzorgingshuis);
  - ``merger``: two households merge into one, so one of their dwellings is freed;
  - ``initial``: the dwelling was already vacant on 1 January 2025, when the simulation window opens.
    These chains are *left-censored*: their true start (cause and date) lies before the window, so their
    start cause and length are not comparable with CBS's; report them apart.

* **Link.** Each move of a household into a vacant dwelling that carries a chain is one link of that chain
  (link numbers 1, 2, ...). The dwelling the mover left then becomes vacant and carries the same chain on,
  unless the chain ends with this link.

* **End.** A chain ends (``END_CAUSES``) when

  - ``starter``: the mover had no previous own dwelling (a new household, e.g. leaving the parental home);
  - ``immigrant``: the mover is a household from abroad;
  - ``stays_behind``: someone stays behind in the dwelling the mover left, so it does not become vacant
    (e.g. one partner of a separating couple moves out; the caller decides the mover kind);
  - ``demolition``: the vacant dwelling that carries the chain is demolished (or merged/withdrawn);
  - ``open``: the chain is still running when the observation window closes (right-censored; assigned by
    :meth:`ChainBook.close`).

  Institution places (verpleeghuis, verzorgingshuis) are not dwellings: they never carry a chain, and a move
  *into* one does not end a chain — if the mover was the last resident, it *starts* one (``institution``).

Every chain has exactly one start and at most one end, and every link belongs to exactly one chain.

Mover kinds passed to :meth:`ChainBook.link` (``MOVER_KINDS``):

* ``0`` (``CONTINUES``): mover from an own dwelling that becomes vacant; the chain continues there;
* ``1`` (``STARTER``): a starter; ends the chain as ``starter``;
* ``2`` (``IMMIGRANT``): a household from abroad; ends the chain as ``immigrant``;
* ``3`` (``LEAVES_BEHIND``): a mover who leaves someone behind; ends the chain as ``stays_behind``.

Storage is column-wise: per-chain attributes in numpy arrays grown by doubling, links as a list of column
chunks (one per :meth:`ChainBook.link` call) concatenated lazily. All hot-path methods are vectorised over
arrays of chains; there are no Python loops over individual chains or links.

**Bounded memory.** :meth:`ChainBook.spill` hands every link and every ended chain to a sink (the run
writes them to Parquet as it goes, :class:`experiments.writers.ChainSink`) and drops them, keeping the
running chains: the engine spills at the end of every year once the year's indicators are taken, so
the book holds about one year of links and the running chains whatever the horizon. A chain id maps to
its row in memory through a slot array (4 bytes per chain ever started); the tables and checks then
cover the chains and links still in memory.
"""

from __future__ import annotations

import numpy as np

from sim.invariants import require

START_CAUSES = ("new_build", "transformation", "death", "emigration", "institution", "merger", "initial")
"""Start causes of a chain (CBS Dashboard Verhuisketens), plus ``initial`` (vacant on 1 January 2025)."""

END_CAUSES = ("starter", "immigrant", "stays_behind", "demolition", "open")
"""End causes of a chain; ``open`` means still running at the end of the window (set by ``close``)."""

CONTINUES, STARTER, IMMIGRANT, LEAVES_BEHIND = 0, 1, 2, 3
MOVER_KINDS = ("continues", "starter", "immigrant", "leaves_behind")
"""Names of the ``mover_kind`` codes 0..3 of :meth:`ChainBook.link`."""

# mover kind -> end cause code (kind 0 does not end the chain)
_KIND_END = np.array([-1, END_CAUSES.index("starter"), END_CAUSES.index("immigrant"),
                      END_CAUSES.index("stays_behind")], np.int8)
_END_BY_LINK = frozenset(("starter", "immigrant", "stays_behind"))
_RUNNING = -1

_CHAIN_COLUMNS = {
    "chain_id": np.int64,
    "start_cause": np.int8,
    "start_year": np.int16,
    "start_step": np.int32,
    "start_dwelling_type": np.int8,
    "start_tenure": np.int8,
    "weight": np.float32,
    "n_links": np.int32,
    "end_cause": np.int8,
    "end_year": np.int16,
    "end_step": np.int32,
}

_LINK_COLUMNS = {
    "chain_id": np.int64,
    "link_number": np.int32,
    "year": np.int16,
    "step": np.int32,
    "mover_age": np.int16,
    "household_type": np.int8,
    "from_type": np.int8,
    "to_type": np.int8,
    "mover_kind": np.int8,
}


def _ids_text(ids: np.ndarray, limit: int = 20) -> str:
    """Short text listing chain ids for error messages."""
    ids = np.unique(np.asarray(ids))
    shown = ", ".join(str(int(i)) for i in ids[:limit])
    return shown + (f", ... ({len(ids)} in all)" if len(ids) > limit else "")


def _small_int(name: str, values, dtype, k: int) -> np.ndarray:
    """Casts ``values`` (array or scalar) to an integer ``dtype`` of length ``k``, refusing overflow.

    Args:
        name: Argument name, for the error message.
        values: Array-like of length ``k`` or a scalar (broadcast).
        dtype: Target numpy integer dtype.
        k: Expected length.

    Returns:
        A 1-d array of ``dtype`` and length ``k``.

    Raises:
        ValueError: On a wrong length, non-finite values or values outside the range of ``dtype``.
    """
    a = np.asarray(values)
    if a.ndim == 0:
        a = np.broadcast_to(a, (k,))
    if a.shape != (k,):
        raise ValueError(f"{name}: expected {k} values, got shape {a.shape}")
    if k == 0:
        return np.zeros(0, dtype)
    if a.dtype.kind == "f":
        if not np.isfinite(a).all():
            raise ValueError(f"{name}: non-finite values")
        a = np.floor(a)
    elif a.dtype.kind not in "iub":
        raise ValueError(f"{name}: expected integer codes, got dtype {a.dtype}")
    info = np.iinfo(dtype)
    lo, hi = a.min(), a.max()
    if lo < info.min or hi > info.max:
        raise ValueError(f"{name}: values {lo}..{hi} do not fit {np.dtype(dtype).name}")
    return a.astype(dtype, copy=False)


def _grown(arr: np.ndarray, used: int, need: int) -> np.ndarray:
    """``arr`` with room for ``need`` entries (capacity doubled as often as needed; ``used`` kept)."""
    cap = len(arr)
    if need <= cap:
        return arr
    while cap < need:
        cap *= 2
    grown = np.empty(cap, arr.dtype)
    grown[:used] = arr[:used]
    return grown


class DiscardSink:
    """A sink for :meth:`ChainBook.spill` that keeps nothing: for runs that need only the indicators."""

    def chains(self, columns: dict[str, np.ndarray]) -> None:
        """Drops the chains."""

    def links(self, columns: dict[str, np.ndarray]) -> None:
        """Drops the links."""


DISCARD = DiscardSink()
"""The sink of runs that keep no chains (benchmarks, comparisons, validation, calibration)."""


class ChainBook:
    """Register of vacancy chains and their links, by CBS's definitions (see the module docstring).

    Chain ids are consecutive integers from 0 in order of :meth:`start`. Each method takes arrays and
    validates all of its input before changing anything, so a refused call leaves the book unchanged.

    Example:
        >>> book = ChainBook()
        >>> c = book.start(year=2025, step=1, dwelling_type=np.array([2]), tenure=np.array([0]),
        ...                cause="death", weight=np.array([100.0]))
        >>> nxt = book.link(c, year=2025, step=2, mover_age=np.array([70]), household_type=np.array([1]),
        ...                 from_type=np.array([0]), to_type=np.array([2]), mover_kind=np.array([0]))
        >>> nxt.tolist()
        [0]
    """

    def __init__(self, capacity: int = 1024):
        cap = max(int(capacity), 1)
        self._n = 0  # chain ids given out
        self._m = 0  # rows in memory (chains not spilled)
        self._c = {name: np.empty(cap, dt) for name, dt in _CHAIN_COLUMNS.items()}
        self._slot = np.empty(cap, np.int32)  # row of each chain id; -1 once spilled
        self._link_chunks: list[dict[str, np.ndarray]] = []
        self._n_link_rows = 0
        self._spilled = False

    # ------------------------------------------------------------------ storage helpers
    def _reserve(self, extra: int) -> None:
        """Grows the per-chain arrays (and the slot array) by doubling so that ``extra`` more fit."""
        for name, arr in self._c.items():
            self._c[name] = _grown(arr, self._m, self._m + extra)
        self._slot = _grown(self._slot, self._n, self._n + extra)

    def _col(self, name: str) -> np.ndarray:
        """View of the filled part of a per-chain column (the chains in memory, in order of id)."""
        return self._c[name][: self._m]

    def _links(self) -> dict[str, np.ndarray]:
        """All links as columns (chunks are concatenated once and cached as a single chunk)."""
        if len(self._link_chunks) != 1:
            if not self._link_chunks:
                return {n: np.zeros(0, dt) for n, dt in _LINK_COLUMNS.items()}
            merged = {n: np.concatenate([c[n] for c in self._link_chunks]) for n in _LINK_COLUMNS}
            self._link_chunks = [merged]
        return self._link_chunks[0]

    def _chain_ids(self, chain, what: str) -> tuple[np.ndarray, np.ndarray]:
        """Validates chain ids (integers in range, not spilled); returns them (int64) and their rows.

        Raises:
            ValueError: On ids that are not integers, unknown, or of chains spilled (which had ended).
        """
        c = np.asarray(chain)
        if c.ndim != 1:
            c = c.reshape(-1)
        if c.size and c.dtype.kind not in "iu":
            raise ValueError(f"{what}: chain ids must be integers, got dtype {c.dtype}")
        c = c.astype(np.int64, copy=False)
        bad = (c < 0) | (c >= self._n)
        if bad.any():
            raise ValueError(f"{what}: unknown chain ids {_ids_text(c[bad])} (book has {self._n} chains)")
        rows = self._slot[c].astype(np.int64)
        if (rows < 0).any():
            raise ValueError(f"{what}: refused, chains already ended: {_ids_text(c[rows < 0])}")
        return c, rows

    # ------------------------------------------------------------------ public API
    def nbytes(self) -> int:
        """Bytes held: the chains in memory, the slot array and the links in memory."""
        links = sum(a.nbytes for chunk in self._link_chunks for a in chunk.values())
        return sum(a.nbytes for a in self._c.values()) + self._slot.nbytes + links

    @property
    def n_chains(self) -> int:
        """Number of chains started so far."""
        return self._n

    @property
    def n_links(self) -> int:
        """Number of links recorded so far."""
        return self._n_link_rows

    def __len__(self) -> int:
        return self._n

    def running(self) -> np.ndarray:
        """Ids of the chains that have not ended."""
        return self._col("chain_id")[self._col("end_cause") == _RUNNING]

    def start(self, *, year: int, step: int, dwelling_type, tenure, cause: str, weight) -> np.ndarray:
        """Starts one chain per vacated dwelling.

        Args:
            year: Calendar year of the vacancy.
            step: Model step of the vacancy.
            dwelling_type: Dwelling type code of each vacated dwelling (int8 codes; scalar broadcasts).
            tenure: Tenure code of each vacated dwelling (int8 codes; scalar broadcasts).
            cause: One of ``START_CAUSES``.
            weight: Real dwellings one sample dwelling stands for (float32; scalar broadcasts).

        Returns:
            The new chain ids (int64), one per vacated dwelling, in input order.

        Raises:
            ValueError: On an unknown cause, mismatched lengths, bad codes or negative/non-finite weights.
        """
        if cause not in START_CAUSES:
            raise ValueError(f"unknown start cause {cause!r}; expected one of {START_CAUSES}")
        sizes = {np.asarray(a).size for a in (dwelling_type, tenure, weight) if np.asarray(a).ndim > 0}
        if len(sizes) > 1:
            raise ValueError(f"start: dwelling_type, tenure and weight differ in length ({sorted(sizes)})")
        k = sizes.pop() if sizes else 1
        dt = _small_int("dwelling_type", dwelling_type, np.int8, k)
        tn = _small_int("tenure", tenure, np.int8, k)
        w = np.asarray(weight, np.float32)
        w = np.broadcast_to(w, (k,)) if w.ndim == 0 else w.reshape(-1)
        if k and (not np.isfinite(w).all() or (w < 0).any()):
            raise ValueError("start: weights must be finite and non-negative")
        if k == 0:
            return np.zeros(0, np.int64)
        self._reserve(k)
        s = slice(self._m, self._m + k)
        ids = np.arange(self._n, self._n + k, dtype=np.int64)
        self._slot[self._n:self._n + k] = np.arange(self._m, self._m + k)
        c = self._c
        c["chain_id"][s] = ids
        c["start_cause"][s] = START_CAUSES.index(cause)
        c["start_year"][s] = year
        c["start_step"][s] = step
        c["start_dwelling_type"][s] = dt
        c["start_tenure"][s] = tn
        c["weight"][s] = w
        c["n_links"][s] = 0
        c["end_cause"][s] = _RUNNING
        c["end_year"][s] = -1
        c["end_step"][s] = -1
        self._n += k
        self._m += k
        return ids

    def link(self, chain, *, year: int, step: int, mover_age, household_type, from_type, to_type,
             mover_kind) -> np.ndarray:
        """Records one link per element: a household moves into a vacant dwelling carrying ``chain``.

        Moves of kinds 1, 2 and 3 end their chain (``starter``, ``immigrant``, ``stays_behind``); kind 0
        continues it on the dwelling the mover left. A chain id may occur more than once in one call only
        as a sequence in array order (the later mover fills the dwelling the earlier one left), so every
        occurrence but the last must be of kind 0.

        Args:
            chain: Chain id of each vacancy filled.
            year: Calendar year of the moves.
            step: Model step of the moves.
            mover_age: Age of the (oldest) mover, whole years (stored as int16; floats are floored).
            household_type: Household type code of the mover (caller's codes; int8).
            from_type: Dwelling type code of the dwelling left; ``-1`` for starters and immigrants.
            to_type: Dwelling type code of the dwelling moved into.
            mover_kind: 0 continues, 1 starter, 2 immigrant, 3 leaves someone behind.

        Returns:
            Per element, the chain id that continues on the dwelling the mover left (the same id for
            kind 0), or -1 where the chain ended.

        Raises:
            ValueError: On unknown chain ids, links into ended chains (ids named), a link after an
                ending link of the same chain in this call, mismatched lengths or inconsistent codes.
        """
        c, rows = self._chain_ids(chain, "link")
        k = len(c)
        kind = _small_int("mover_kind", mover_kind, np.int8, k)
        age = _small_int("mover_age", mover_age, np.int16, k)
        hh = _small_int("household_type", household_type, np.int8, k)
        frm = _small_int("from_type", from_type, np.int8, k)
        to = _small_int("to_type", to_type, np.int8, k)
        if k == 0:
            return np.zeros(0, np.int64)
        if ((kind < 0) | (kind > 3)).any():
            raise ValueError(f"link: mover_kind must be 0..3, got {np.unique(kind).tolist()}")
        no_home = (kind == STARTER) | (kind == IMMIGRANT)
        if (frm[no_home] != -1).any():
            raise ValueError("link: from_type must be -1 for starters and immigrants (mover_kind 1, 2)")
        if (frm[~no_home] < 0).any():
            raise ValueError("link: from_type must be a dwelling type (>= 0) for mover_kind 0 and 3")
        if (to < 0).any():
            raise ValueError("link: to_type must be a dwelling type (>= 0)")
        ended = self._c["end_cause"][rows] != _RUNNING
        if ended.any():
            raise ValueError(f"link: refused, chains already ended: {_ids_text(c[ended])}")

        # order of occurrences per chain (stable: array order is the sequence within the call)
        order = np.argsort(c, kind="stable")
        sc = c[order]
        new_group = np.empty(k, bool)
        new_group[0] = True
        np.not_equal(sc[1:], sc[:-1], out=new_group[1:])
        last = np.empty(k, bool)
        last[-1] = True
        last[:-1] = new_group[1:]
        pos = np.arange(k)
        rank = pos - np.maximum.accumulate(np.where(new_group, pos, 0))
        early_end = ~last & (kind[order] != CONTINUES)
        if early_end.any():
            raise ValueError(
                "link: refused, a later link in this call goes into a chain ended earlier in the same call: "
                f"{_ids_text(sc[early_end])}"
            )

        n_links = self._c["n_links"]
        sr = rows[order]
        number = np.empty(k, np.int32)
        number[order] = n_links[sr] + rank + 1
        n_links[sr[last]] += (rank[last] + 1).astype(np.int32)

        ends = kind != CONTINUES
        if ends.any():
            ce = rows[ends]
            self._c["end_cause"][ce] = _KIND_END[kind[ends]]
            self._c["end_year"][ce] = year
            self._c["end_step"][ce] = step

        self._link_chunks.append({
            "chain_id": c.copy(),
            "link_number": number,
            "year": np.full(k, year, np.int16),
            "step": np.full(k, step, np.int32),
            "mover_age": age.copy(),
            "household_type": hh.copy(),
            "from_type": frm.copy(),
            "to_type": to.copy(),
            "mover_kind": kind.copy(),
        })
        self._n_link_rows += k
        return np.where(ends, -1, c)

    def end(self, chain, cause: str, *, year: int, step: int) -> None:
        """Ends chains without a link, e.g. on demolition of the vacant dwelling that carries them.

        Args:
            chain: Ids of the chains to end (each at most once).
            cause: ``demolition`` (``starter``, ``immigrant`` and ``stays_behind`` are set by :meth:`link`,
                ``open`` by :meth:`close`).
            year: Calendar year of the end.
            step: Model step of the end.

        Raises:
            ValueError: On an unknown or misplaced cause, unknown ids, or chains already ended (or
                repeated in ``chain``), naming the ids.
        """
        if cause not in END_CAUSES:
            raise ValueError(f"unknown end cause {cause!r}; expected one of {END_CAUSES}")
        if cause in _END_BY_LINK:
            raise ValueError(f"end cause {cause!r} is recorded by ChainBook.link (mover_kind), not end()")
        if cause == "open":
            raise ValueError("end cause 'open' is assigned by ChainBook.close(), not end()")
        c, rows = self._chain_ids(chain, "end")
        if len(c) == 0:
            return
        ended = self._c["end_cause"][rows] != _RUNNING
        if ended.any():
            raise ValueError(f"end: refused, chains already ended: {_ids_text(c[ended])}")
        sc = np.sort(c)
        dup = sc[1:] == sc[:-1]
        if dup.any():
            raise ValueError(
                f"end: refused, chains given more than once (would end twice): {_ids_text(sc[1:][dup])}"
            )
        self._c["end_cause"][rows] = END_CAUSES.index(cause)
        self._c["end_year"][rows] = year
        self._c["end_step"][rows] = step

    def close(self, *, year: int) -> None:
        """Ends all running chains as ``open`` (right-censored at the end of the window in ``year``).

        Chains that have already ended keep their end cause and year. The end step of open chains is -1.
        """
        run = np.flatnonzero(self._col("end_cause") == _RUNNING)
        self._c["end_cause"][run] = END_CAUSES.index("open")
        self._c["end_year"][run] = year
        self._c["end_step"][run] = -1

    def chains_table(self, rows=None) -> dict[str, np.ndarray]:
        """One row per chain in memory (all chains until a :meth:`spill`), in order of id.

        Args:
            rows: Only these rows of the chains in memory (all if ``None``).

        Returns:
            Columns ``chain_id``, ``start_cause`` (str), ``start_year``, ``start_step``,
            ``start_dwelling_type``, ``start_tenure``, ``weight``, ``n_links``, ``end_cause`` (str, ``''``
            while running), ``end_year`` (-1 while running) and ``end_step`` (-1 while running or open).
            Arrays are copies.
        """
        start_names = np.array(START_CAUSES)
        end_names = np.array(END_CAUSES + ("",))  # code -1 indexes the trailing ''
        out = {}
        for name in _CHAIN_COLUMNS:
            col = self._col(name) if rows is None else self._col(name)[rows]
            if name == "start_cause":
                out[name] = start_names[col]
            elif name == "end_cause":
                out[name] = end_names[col]
            else:
                out[name] = col.copy()
        return out

    def spill(self, sink) -> None:
        """Hands every link and every ended chain to ``sink`` and drops them from memory.

        ``sink.links(columns)`` receives the links in order of recording, ``sink.chains(columns)`` the
        ended chains in order of id (the columns of :meth:`links_table` and :meth:`chains_table`).
        The running chains stay, with their ids; links into them continue to be numbered on. A chain
        spilled can no longer be linked or ended (it had ended).
        """
        links = self._links()
        if len(links["chain_id"]):
            sink.links(links)  # dropped from the book just below
        self._link_chunks = []
        ended = np.flatnonzero(self._col("end_cause") != _RUNNING)
        if len(ended):
            sink.chains(self.chains_table(ended))
        keep = np.flatnonzero(self._col("end_cause") == _RUNNING)
        self._slot[self._col("chain_id")[ended]] = -1
        for arr in self._c.values():
            arr[:len(keep)] = arr[keep]
        self._m = len(keep)
        self._slot[self._col("chain_id")] = np.arange(self._m)
        self._spilled = True

    def links_table(self) -> dict[str, np.ndarray]:
        """One row per link in memory (all links until a :meth:`spill`), in order of recording.

        Returns:
            Columns ``chain_id``, ``link_number``, ``year``, ``step``, ``mover_age``, ``household_type``,
            ``from_type``, ``to_type`` and ``mover_kind`` (codes as in ``MOVER_KINDS``). Arrays are copies.
        """
        return {n: a.copy() for n, a in self._links().items()}

    def check(self) -> None:
        """Verifies the invariants of the book.

        Checks that every link's chain exists; link numbers per chain are exactly 1..n_links; links are in
        time order within their chain and not before its start; a chain ends at most once and only by its
        last link (kinds 1-3, with the matching cause) or without an ending link (``demolition``/``open``);
        end years are set exactly for ended chains and not before the start; weights are finite and >= 0.

        Raises:
            sim.invariants.InvariantError: Naming the broken invariant and offending chain ids.
        """
        n = self._m
        ids = self._col("chain_id")
        links = self._links()
        require(len(links["chain_id"]) <= self._n_link_rows, "link row count out of step with the chunks")
        require(self._spilled or len(links["chain_id"]) == self._n_link_rows,
                "link row count out of step with the chunks")
        require(bool((self._slot[ids] == np.arange(n)).all()), "chain slots out of step with the rows")
        ch_id = links["chain_id"]
        bad = (ch_id < 0) | (ch_id >= self._n)
        require(not bad.any(), f"links refer to chains that do not exist: {_ids_text(ch_id[bad])}")
        ch = self._slot[ch_id].astype(np.int64)  # rows
        require(not (ch < 0).any(), f"links in memory refer to spilled chains: {_ids_text(ch_id[ch < 0])}")

        n_links = self._col("n_links")
        counted = np.bincount(ch, minlength=n)[:n] if len(ch) else np.zeros(n, np.int64)
        # after a spill the earlier links of a running chain are written out: those in memory are its last
        spilled_links = n_links - counted if self._spilled else np.zeros(n, np.int64)
        off = ((counted != n_links) & (not self._spilled)) | (spilled_links < 0)
        require(not off.any(), (
            f"n_links differs from the number of links for chains {_ids_text(ids[np.flatnonzero(off)])}"
        ))

        end_cause = self._col("end_cause")
        end_year = self._col("end_year")
        start_year = self._col("start_year")
        start_step = self._col("start_step")
        if len(ch):
            num = links["link_number"].astype(np.int64)
            order = np.lexsort((num, ch))
            sc, sn = ch[order], num[order]
            first = np.empty(len(sc), bool)
            first[0] = True
            first[1:] = sc[1:] != sc[:-1]
            pos = np.arange(len(sc))
            expected = pos - np.maximum.accumulate(np.where(first, pos, 0)) + 1 + spilled_links[sc]
            wrong = sn != expected
            require(not wrong.any(),
                    f"link numbers are not 1..n_links for chains {_ids_text(ids[sc[wrong]])}")

            st = links["step"][order].astype(np.int64)
            back = ~first[1:] & (st[1:] < st[:-1])
            require(not back.any(), f"links out of time order in chains {_ids_text(ids[sc[1:][back]])}")
            early = st < start_step[sc]
            require(not early.any(), f"links before the start of chains {_ids_text(ids[sc[early]])}")

            kind = links["mover_kind"][order]
            last = np.empty(len(sc), bool)
            last[-1] = True
            last[:-1] = first[1:]
            inner_end = ~last & (kind != CONTINUES)
            require(not inner_end.any(),
                    f"links after an ending link in chains {_ids_text(ids[sc[inner_end]])}")
            ending = last & (kind != CONTINUES)
            mism = end_cause[sc[ending]] != _KIND_END[kind[ending]]
            require(not mism.any(), (
                "end cause does not match the ending link's mover kind for chains "
                f"{_ids_text(ids[sc[ending][mism]])}"
            ))
            has_end_link = np.zeros(n, bool)
            has_end_link[sc[ending]] = True
        else:
            has_end_link = np.zeros(n, bool)
        by_link = np.isin(end_cause, [_KIND_END[k] for k in (STARTER, IMMIGRANT, LEAVES_BEHIND)])
        orphan = by_link & ~has_end_link
        require(not orphan.any(), (
            f"link end cause without an ending link for chains {_ids_text(ids[orphan])}"
        ))

        valid = (end_cause >= _RUNNING) & (end_cause < len(END_CAUSES))
        require(valid.all(), f"invalid end cause codes for chains {_ids_text(ids[~valid])}")
        running = end_cause == _RUNNING
        yr_off = running != (end_year == -1)
        require(not yr_off.any(), (
            f"end_year inconsistent with end status for chains {_ids_text(ids[yr_off])}"
        ))
        before = ~running & (end_year < start_year)
        require(not before.any(), f"chains end before they start: {_ids_text(ids[before])}")
        sc_ok = (self._col("start_cause") >= 0) & (self._col("start_cause") < len(START_CAUSES))
        require(sc_ok.all(), f"invalid start cause codes for chains {_ids_text(ids[~sc_ok])}")
        w = self._col("weight")
        w_bad = ~np.isfinite(w) | (w < 0)
        require(not w_bad.any(), f"invalid weights for chains {_ids_text(ids[w_bad])}")

    def year_summary(self, year: int) -> dict[str, float]:
        """Weighted chain statistics of one calendar year.

        Weights are the chain weights (real dwellings per sample dwelling); a link carries its chain's
        weight. ``initial`` (left-censored) chains are included; they start in the first year.

        Args:
            year: Calendar year.

        Returns:
            ``chains_started``: weighted number of chains with ``start_year == year``;
            ``chain_links_mean``: weighted mean ``n_links`` of chains that ended in ``year`` (including
            ``open`` chains closed in that year), ``nan`` if none;
            ``links``: weighted number of links recorded in ``year``.
        """
        w = self._col("weight").astype(np.float64)
        started = float(w[self._col("start_year") == year].sum())
        ended = (self._col("end_cause") != _RUNNING) & (self._col("end_year") == year)
        we = w[ended]
        mean = float(np.dot(we, self._col("n_links")[ended]) / we.sum()) if we.sum() > 0 else float("nan")
        links = self._links()
        in_year = links["year"] == year
        n_links = float(w[self._slot[links["chain_id"][in_year]]].sum())
        return {"chains_started": started, "chain_links_mean": mean, "links": n_links}
