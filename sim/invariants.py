"""The named error of a broken invariant, and the check that raises it (independent of ``python -O``)."""

from __future__ import annotations


class InvariantError(RuntimeError):
    """The model's state broke one of its invariants (checked with ``--debug``)."""


def require(condition, message: str) -> None:
    """Raises :class:`InvariantError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise InvariantError(message)
