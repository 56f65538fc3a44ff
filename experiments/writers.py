"""Writing results: the run tables as Parquet, run files and CSV tables, all atomically.

Every writer puts its output in place in one rename: a file is written to a temporary file beside its
target (:func:`atomic_write_bytes`), a folder to a temporary folder beside its target
(:func:`replace_dir`), so that an interrupted or failed write leaves the earlier output as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.folders import MARKER, marker_bytes
from sim.chains import MOVER_KINDS
from sim.codes import DWELLING_TYPES, HOUSEHOLD_TYPES, TENURES

OUTPUT_MARKER = "manifest.json"
"""The manifest written with every run's tables."""

META_KEY = b"doorstroom_compare"
"""Key of the run description in the Parquet schema metadata of a run file of a comparison."""

LABELS = {
    "start_dwelling_type": DWELLING_TYPES, "from_type": DWELLING_TYPES, "to_type": DWELLING_TYPES,
    "start_tenure": TENURES, "household_type": HOUSEHOLD_TYPES, "mover_kind": MOVER_KINDS,
}
"""Integer code columns of the chain tables written as names (a negative code is ``"none"``)."""


def labelled(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The columns with the code columns of :data:`LABELS` as names (other columns unchanged)."""
    out = {}
    for name, values in columns.items():
        if name in LABELS:
            names = np.array([*LABELS[name], "none"], dtype=object)
            code = np.asarray(values)
            out[name] = names[np.where(code < 0, len(names) - 1, code)]
        else:
            out[name] = values
    return out


def table_columns(model) -> dict[str, dict[str, np.ndarray]]:
    """The run's tables as columns: ``indicators``, ``chains``, ``links`` and ``flows``.

    Code columns of the chain tables are names (:data:`LABELS`), as written to Parquet.
    """
    return {
        "indicators": model.indicator_columns(),
        "chains": labelled(model.chains.chains_table()),
        "links": labelled(model.chains.links_table()),
        "flows": model.flow_columns(),
    }


PARQUET_TYPES = {
    "indicators": {"year": "int32", "value": "float64"},
    "flows": {"year": "int32", "households": "float64", "persons": "float64"},
}
"""Arrow types of the columns whose numpy type is not the one to write, by table."""


def _arrow_table(table: str, columns: dict[str, np.ndarray]):
    types = PARQUET_TYPES.get(table, {})
    arrays = {}
    for name, values in columns.items():
        values = np.asarray(values)
        if values.dtype == object:
            arrays[name] = pa.array(values.tolist(), pa.string())
        elif name in types:
            arrays[name] = pa.array(values, getattr(pa, types[name])())
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


def write_table(path: Path, table: str, columns: dict[str, np.ndarray]) -> None:
    """Writes the columns of run table ``table`` (``indicators``, ``chains``, ...) as Parquet.

    Object columns become strings; the types of :data:`PARQUET_TYPES` are applied.
    """
    pq.write_table(_arrow_table(table, columns), path)


class ChainSink:
    """Writes a run's vacancy chains and links to Parquet as the run goes (``ChainBook.spill``).

    Each spill adds a row group to ``chains.parquet`` and ``links.parquet`` in ``folder`` (made here,
    beside the results folder, named so that :func:`experiments.folders.recover` removes it if the
    run is killed); :meth:`finish` adds what the book still holds, and :func:`write_results` moves the
    files into the results. Chains come in order of the year they ended (in order of id within a
    year), those open at the end last; links in order of recording.
    """

    TABLES = ("chains", "links")

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True)
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows = dict.fromkeys(self.TABLES, 0)

    @classmethod
    def beside(cls, out: str | Path) -> ChainSink:
        """A sink in a temporary folder beside the results folder ``out``."""
        out = Path(out).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        return cls(out.parent / f".{out.name}.tmp-{os.getpid()}-chains")

    def _write(self, table: str, columns: dict[str, np.ndarray]) -> None:
        arrow = _arrow_table(table, labelled(columns))
        writer = self._writers.get(table)
        if writer is None:
            writer = self._writers[table] = pq.ParquetWriter(self.folder / f"{table}.parquet",
                                                             arrow.schema)
        writer.write_table(arrow)
        self.rows[table] += arrow.num_rows

    def chains(self, columns: dict[str, np.ndarray]) -> None:
        """Appends chains (the columns of ``ChainBook.chains_table``)."""
        self._write("chains", columns)

    def links(self, columns: dict[str, np.ndarray]) -> None:
        """Appends links (the columns of ``ChainBook.links_table``)."""
        self._write("links", columns)

    def finish(self, book) -> dict[str, Path]:
        """Appends what ``book`` still holds and closes the files; returns their paths by table."""
        self.chains(book.chains_table())
        self.links(book.links_table())
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        return {t: self.folder / f"{t}.parquet" for t in self.TABLES}

    def discard(self) -> None:
        """Closes and removes the folder (after the files were moved, or after a failed run)."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def write_results(model, manifest: dict, out: str | Path, sink: ChainSink | None = None) -> Path:
    """Writes the run's tables (:func:`table_columns`) and manifest to the folder ``out`` atomically.

    With ``sink`` (the run spilled its chains there) the chains and links are the sink's files.
    """
    out = Path(out)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=parent))
    tmp.chmod(0o755)
    try:
        if sink is not None:
            for name, path in sink.finish(model.chains).items():
                os.replace(path, tmp / f"{name}.parquet")
            tables = {"indicators": model.indicator_columns(), "flows": model.flow_columns()}
        else:
            tables = table_columns(model)
        for name, columns in tables.items():
            write_table(tmp / f"{name}.parquet", name, columns)
        with open(tmp / OUTPUT_MARKER, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, default=str)
        (tmp / MARKER).write_bytes(marker_bytes("run"))
        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def replace_dir(new: Path, target: Path) -> None:
    """Puts folder ``new`` in the place of ``target`` (renames only; the old one is removed last)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)  # a leftover of an interrupted earlier replacement
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` through a temporary file in the same folder and one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run_file(path: str | Path, columns: dict[str, np.ndarray], meta: dict) -> None:
    """Writes a run's indicator columns as Parquet atomically, with ``meta`` in the schema metadata."""
    table = pa.table({
        "year": pa.array(np.asarray(columns["year"]), pa.int32()),
        "indicator": pa.array([str(x) for x in columns["indicator"]], pa.string()),
        "value": pa.array(np.asarray(columns["value"]), pa.float64()),
    }).replace_schema_metadata({META_KEY: json.dumps(meta, sort_keys=True).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    atomic_write_bytes(Path(path), sink.getvalue().to_pybytes())


def write_csv(path: Path, columns: Sequence[str], rows: list[dict]) -> None:
    """Writes rows as CSV atomically (floats with full precision, NaN as ``nan``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_bytes(path, buf.getvalue().encode())


def short_revision(revision: str) -> str:
    """A git revision cut to 12 characters for captions, keeping the ``+dirty`` mark."""
    revision = str(revision)
    dirty = revision.endswith("+dirty")
    return revision.removesuffix("+dirty")[:12] + ("+dirty" if dirty else "")
