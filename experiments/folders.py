"""Output folders: recognised by a marker, locked against a second writer, recovered after a kill.

**Marker.** Every folder doorstroom writes holds ``.doorstroom``, a small JSON file naming the kind of
results (``run`` or ``compare``) and the format version. A non-empty folder is written into (or
replaced) only when it carries the marker of the same kind, or (a run folder from before the marker
existed) when it holds nothing but the files a run writes. A run folder is replaced whole, so it is
refused as well when it holds any file a run does not write: nothing that doorstroom did not write is
ever deleted.

**Lock.** A command holds an exclusive lock (``fcntl.flock``) on ``.<name>.lock`` beside the folder
while it works; a second command on the same folder stops at once with a message naming the process
that holds it. The operating system releases the lock when its process dies, however it dies, so a
lock left by a killed process is simply taken over.

**Recovery.** Temporary folders and files carry the writer's process id (``.<name>.tmp-<pid>-...``,
``.<name>.old-<pid>``). The next command on the folder, holding the lock, rolls back a replacement
that a kill interrupted between its two renames (the old results come back) and removes every
temporary left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sim.params import ParameterError

MARKER = ".doorstroom"
"""Name of the marker file of a results folder."""

FORMAT = 1
"""Format version of the folders this version writes; a newer one is refused."""

KINDS = ("run", "compare", "validate", "calibrate", "batch")

RUN_FILES = frozenset({"indicators.parquet", "chains.parquet", "links.parquet", "flows.parquet",
                       "manifest.json", MARKER})
"""Everything a run writes into its folder."""


def marker_bytes(kind: str) -> bytes:
    """The content of the marker of a folder of ``kind``."""
    return (json.dumps({"tool": "doorstroom", "kind": kind, "format": FORMAT}) + "\n").encode()


def read_marker(folder: Path) -> dict | None:
    """The marker of ``folder``, or ``None`` if it has none (or an unreadable one)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("tool") != "doorstroom" or data.get("kind") not in KINDS:
        return None
    return data


def require_kind(folder: str | Path, kind: str) -> Path:
    """The folder, if it holds doorstroom results of ``kind`` (its marker says so).

    Raises:
        ParameterError: Naming the folder and the command that writes that kind.
    """
    folder = Path(folder)
    marker = read_marker(folder) if folder.is_dir() else None
    if marker is None or marker.get("kind") != kind:
        raise ParameterError(f"{str(folder)!r} is not a folder written by doorstroom {kind}")
    return folder


def _legacy_folder(folder: Path, kind: str) -> bool:
    """True for a folder written before the marker existed.

    A run folder: only the files a run writes, with a doorstroom manifest. A compare folder: a
    ``compare.json`` written by doorstroom compare.
    """
    if kind in ("validate", "calibrate", "batch"):
        return False
    name = "manifest.json" if kind == "run" else "compare.json"
    names = {p.name for p in folder.iterdir()}
    if name not in names or (kind == "run" and not names <= RUN_FILES):
        return False
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    if kind == "run":
        return isinstance(data, dict) and "doorstroom_version" in data
    return isinstance(data, dict) and data.get("command") == "doorstroom compare"


def check_results_folder(out: str | Path, kind: str) -> Path:
    """Checks, before any work, that results of ``kind`` may be written to the folder ``out``.

    Accepted: a folder that does not exist yet (its parent is created), an empty folder, or a folder
    that holds doorstroom results of the same kind (and, for a run, nothing else).

    Raises:
        ParameterError: Naming the folder and what is wrong.
    """
    out = Path(out)
    flag = "--out"
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{flag} {str(out)!r} is a file; expected a folder for the results")
    if out.is_dir() and any(out.iterdir()):
        found = read_marker(out)
        if found is None:
            if not _legacy_folder(out, kind):
                raise ParameterError(
                    f"{flag} {str(out)!r} is a non-empty folder that does not hold doorstroom {kind} "
                    f"results (no {MARKER} marker); refusing to write into it: choose a new or empty "
                    "folder")
        elif found["kind"] != kind:
            raise ParameterError(f"{flag} {str(out)!r} holds doorstroom {found['kind']} results, not "
                                 f"{kind} results; choose another folder")
        elif not isinstance(found.get("format"), int) or found["format"] > FORMAT:
            raise ParameterError(f"{flag} {str(out)!r} was written by a newer doorstroom (format "
                                 f"{found.get('format')!r}, this version reads {FORMAT}); choose "
                                 "another folder")
        if kind == "run":
            foreign = sorted(p.name for p in out.iterdir() if p.name not in RUN_FILES)
            if foreign:
                raise ParameterError(
                    f"{flag} {str(out)!r} holds files a run does not write ({', '.join(foreign[:5])}"
                    f"{', ...' if len(foreign) > 5 else ''}); replacing the folder would delete them: "
                    "move them or choose another folder")
    parent = ensure_parent(out)
    check_writable(out.resolve() if out.is_dir() else parent, out)
    return out


def ensure_parent(out: Path) -> Path:
    """Creates the parent folder of ``out`` if needed and returns it.

    Raises:
        ParameterError: When it cannot be created, naming the folder.
    """
    parent = Path(out).resolve().parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as exc:
            raise ParameterError(f"--out {str(out)!r}: cannot create its parent folder: {exc}") from None
    return parent


def check_new_file(out: str | Path, suffix: str, households: int, least: int) -> Path:
    """Checks the ``--out`` file and ``--households`` of a sample command before any work.

    The file must end in ``suffix`` and not exist (it is never replaced); ``households`` must be at
    least ``least``. Returns the file as a path.

    Raises:
        ParameterError: Naming the value and what was expected.
    """
    out = Path(out)
    if out.suffix != suffix:
        raise ParameterError(f"--out {str(out)!r}: expected a file name ending in {suffix}")
    if out.exists():
        raise ParameterError(f"--out {str(out)!r} exists; the command does not replace files")
    if households < least:
        raise ParameterError(f"--households {households}: expected at least {least}")
    return out


def check_writable(folder: Path, out: Path) -> None:
    """Writes and removes a probe in ``folder`` (a read-only mount is found now, not after the work).

    Raises:
        ParameterError: Naming the folder.
    """
    try:
        probe = tempfile.mkdtemp(prefix=f".doorstroom-probe-{os.getpid()}-", dir=folder)
        os.rmdir(probe)
    except OSError as exc:
        raise ParameterError(f"--out {str(out)!r}: folder {str(folder)!r} is not writable "
                             f"({exc.strerror})") from None


def lock_path(out: Path) -> Path:
    """The lock file of the folder ``out`` (beside it)."""
    out = Path(out).resolve()
    return out.with_name(f".{out.name}.lock")


@contextlib.contextmanager
def folder_lock(out: str | Path) -> Iterator[None]:
    """Holds the exclusive lock of the folder ``out`` (see the module docstring).

    Raises:
        ParameterError: When another process holds it, naming that process.
    """
    path = lock_path(Path(out))
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ParameterError(
                f"--out {str(out)!r} is being written by another doorstroom command (process "
                f"{holder}); wait for it to finish or stop it") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:  # else the holder removed the file as we opened it: open it anew
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


def recover(out: str | Path) -> list[str]:
    """Rolls back an interrupted replacement of ``out`` and removes leftover temporaries.

    Call it while holding :func:`folder_lock`: no other writer can be at work.

    Returns:
        One line per thing done (for the log).
    """
    out = Path(out).resolve()
    parent, name = out.parent, out.name
    done = []
    olds = sorted(parent.glob(f".{name}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds and not out.exists():
        os.replace(olds[-1], out)
        done.append(f"restored {out} from an interrupted replacement")
        olds = olds[:-1]
    leftovers = [*olds, *parent.glob(f".{name}.tmp-*")]
    if out.is_dir():
        for folder in (out, *(p for p in (out / "runs").glob("*") if p.is_dir())):
            leftovers += folder.glob(".*.tmp-*")
        olds_inside = sorted(out.glob(".figures.old-*"), key=lambda p: p.stat().st_mtime)
        if olds_inside and not (out / "figures").exists():
            os.replace(olds_inside[-1], out / "figures")
            olds_inside = olds_inside[:-1]
        leftovers += olds_inside
    for path in leftovers:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        done.append(f"removed {path.name}, left by an interrupted command")
    return done
