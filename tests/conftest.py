"""Shared fixtures of the test suite, and the ``slow`` mark.

Whole-model tests that take more than a few seconds are marked ``slow``; ``make test-quick`` (``pytest -m
"not slow"``) leaves them out, ``make test`` runs everything.
"""

from pathlib import Path

import pytest

from agents.model import DoorstroomModel
from sim.params import RunSettings
from sim.population import build_population

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "experiments" / "scenarios"
"""The shipped scenario files."""

SMALL = RunSettings(scale=0.002, seed=11, end_year=2029)
"""A small run: about 16,500 households over five years."""


@pytest.fixture(scope="session")
def scenario_dir() -> Path:
    """The folder of the shipped scenario files."""
    return SCENARIO_DIR


@pytest.fixture
def run_model():
    """Builds and runs a model to its end year: ``run_model(params=None, settings=SMALL, **kwargs)``."""

    def run(params=None, settings=SMALL, **kwargs) -> DoorstroomModel:
        model = DoorstroomModel(params, settings, **kwargs)
        model.run()
        return model

    return run


@pytest.fixture
def tiny_model() -> DoorstroomModel:
    """A model of about 8,000 households at 1 January 2025, not yet stepped."""
    return DoorstroomModel(settings=RunSettings(scale=0.001, seed=2, end_year=2025))


@pytest.fixture(scope="session")
def population_002():
    """The synthetic population at scale 0.002, seed 3 (do not modify: copy it)."""
    return build_population(0.002, 3)
