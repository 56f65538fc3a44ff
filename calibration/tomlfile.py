"""Reading the calibration's TOML files (targets, mappings, moments, calibration files) with one message."""

from __future__ import annotations

import tomllib
from pathlib import Path


def read_toml(path: str | Path, what: str, error: type[Exception]) -> dict:
    """The table of a TOML file.

    Args:
        path: The file.
        what: What the file is, for messages ("mapping file", "calibration file", ...).
        error: The exception raised when the file is missing or not TOML.

    Raises:
        error: Naming the file and what is wrong.
    """
    p = Path(path)
    if not p.is_file():
        raise error(f"{what} {str(p)!r} does not exist")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(f"{what} {p}: not a readable TOML file: {exc}") from exc
