"""Behaviour: one module per process, the schedule, the assembled model, institutions and policies."""
