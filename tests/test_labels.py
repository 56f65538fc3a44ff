"""The label table of the reports (sim/labels.py): complete for the registry, the units and the codes."""

import math

import numpy as np
import pytest

from agents.schedule import REGISTRY
from experiments.writers import LABELS
from sim import chains, codes
from sim.labels import (
    CODE_NAMES,
    CODES,
    COLUMN_KINDS,
    INDICATORS,
    LANGS,
    TEXTS,
    UNITS,
    code_label,
    format_eur,
    format_number,
    indicator_label,
    text,
    unit_label,
)
from sim.params import ParameterError

MAX_LABEL_CHARS = 75
"""A Dutch indicator label fits a chart axis or a table row (about 70 characters)."""

EURO_WORDS = ("million", "billion")
"""Euro units are also shown in millions and billions ("EUR million per year")."""


def units_in_use() -> set[str]:
    units = {ind.unit for ind in REGISTRY.values()}
    return units | {u.replace("EUR", f"EUR {w}", 1) for u in units if u.startswith("EUR") for w in EURO_WORDS}


def test_langs_are_dutch_first():
    assert LANGS == ("nl", "en")
    assert indicator_label("deaths") == indicator_label("deaths", "nl") == "Overledenen"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_indicator_has_a_dutch_and_english_label(name):
    assert name in INDICATORS, f"indicator {name!r} has no label: add it to INDICATORS in sim/labels.py"
    nl, en = indicator_label(name, "nl"), indicator_label(name, "en")
    assert nl.strip() and en.strip(), f"{name}: empty label"
    assert en == REGISTRY[name].label, (f"{name}: the English label must be the registry's own label "
                                        f"{REGISTRY[name].label!r}, not {en!r}")
    assert nl != en, f"{name}: the Dutch label {nl!r} is the English one"
    assert len(nl) <= MAX_LABEL_CHARS, f"{name}: Dutch label of {len(nl)} characters: {nl!r}"


def test_no_label_for_an_indicator_not_in_the_registry():
    stale = sorted(set(INDICATORS) - set(REGISTRY))
    assert not stale, f"labels of indicators that are not in the registry (renamed or removed?): {stale}"


def test_missing_indicator_label_raises_key_error_naming_it():
    with pytest.raises(KeyError, match="no_such_indicator"):
        indicator_label("no_such_indicator", "nl")


@pytest.mark.parametrize("unit", sorted(units_in_use()))
def test_every_unit_in_use_has_a_dutch_and_english_label(unit):
    assert unit in UNITS, f"unit {unit!r} has no label: add it to UNITS in sim/labels.py"
    assert unit_label(unit, "nl").strip() and unit_label(unit, "en").strip()
    assert unit_label(unit, "en") == unit, "the English unit label is the unit as the registry writes it"


def test_unit_labels():
    assert unit_label("persons per year") == "personen per jaar"
    assert unit_label("EUR million per year", "nl") == "mln euro per jaar"
    assert unit_label("", "nl") == "" and unit_label("", "en") == ""
    with pytest.raises(KeyError, match="furlongs"):
        unit_label("furlongs", "en")


def test_code_kinds_are_the_models_tuples():
    assert CODE_NAMES["dwelling_type"] == codes.DWELLING_TYPES
    assert CODE_NAMES["tenure"] == codes.TENURES
    assert CODE_NAMES["household_type"] == codes.HOUSEHOLD_TYPES
    assert CODE_NAMES["start_cause"] == chains.START_CAUSES
    assert CODE_NAMES["end_cause"] == chains.END_CAUSES
    assert CODE_NAMES["mover_kind"] == chains.MOVER_KINDS
    for kind, names in CODE_NAMES.items():
        assert set(CODES[kind]) == set(names), f"labels of {kind} differ from the model's codes {names}"


@pytest.mark.parametrize("column", sorted(set(LABELS) | {"start_cause", "end_cause"}))
def test_every_code_a_report_shows_has_a_label(column):
    names = LABELS.get(column) or CODE_NAMES[COLUMN_KINDS[column]]
    assert column in COLUMN_KINDS, f"code column {column!r} of the chain tables has no kind in COLUMN_KINDS"
    for lang in LANGS:
        for number, name in enumerate(names):
            label = code_label(column, name, lang)
            assert label.strip(), f"{column} {name!r}: empty {lang} label"
            assert code_label(column, number, lang) == label
            assert code_label(column, np.int8(number), lang) == label
        if column in LABELS:  # a negative code is written "none" (experiments.writers.labelled)
            assert code_label(column, "none", lang) == code_label(column, -1, lang)
            assert code_label(column, "none", lang).strip()


def test_code_labels():
    assert code_label("dwelling_type", "nultreden") == "nultredenwoning"
    assert code_label("to_type", codes.GECLUSTERD, "nl") == "geclusterde woning"
    assert code_label("tenure", "social", "en") == "social rent"
    assert code_label("start_cause", "death", "nl") == "overlijden"
    assert code_label("mover_kind", -1, "nl") == "geen"
    assert code_label("care_state", "none", "nl") == "geen zorgvraag"
    with pytest.raises(KeyError, match="castle"):
        code_label("dwelling_type", "castle", "nl")
    with pytest.raises(KeyError, match="colour"):
        code_label("colour", "red", "nl")
    with pytest.raises(KeyError, match="6"):
        code_label("dwelling_type", 6, "nl")


def test_texts():
    for key, pair in TEXTS.items():
        assert key == key.lower() and " " not in key, f"key {key!r} is not snake_case"
        assert len(pair) == len(LANGS) and all(s.strip() for s in pair), key
    assert text("baseline") == "Basispad" and text("baseline", "en") == "Baseline"
    assert text("policy", "nl") == "Beleid"
    assert text("interval_95", "nl") == "95%-interval"
    assert text("seeds", "nl") == "seeds (herhalingen)"
    assert text("not_significant", "nl") == "niet significant (het interval bevat nul)"
    low, high = format_number(-0.5, "nl"), format_number(1.25, "nl")
    assert text("between", "nl", low=low, high=high) == "tussen −0,500 en 1,25"
    assert text("between", "en", low="1", high="2") == "between 1 and 2"
    with pytest.raises(KeyError, match="high"):
        text("between", "nl", low="1")
    with pytest.raises(KeyError, match="no_such_text"):
        text("no_such_text", "nl")


def test_report_words_of_the_brief_exist_in_both_languages():
    for key in ("baseline", "policy", "difference", "interval_95", "between", "year", "seeds", "scale",
                "assumptions", "how_this_report_was_made", "the_question", "scenarios_compared", "costs",
                "moves_between_dwelling_types", "chain_length_by_start_cause", "unit", "source",
                "parameter", "value", "no_change", "increase", "decrease", "not_significant",
                "levels_over_time", "paired_difference", "reproduce_with", "version", "git_revision",
                "run_time", "generated_on"):
        assert key in TEXTS, key


@pytest.mark.parametrize("value, decimals, nl, en", [
    (1234.5, 1, "1.234,5", "1,234.5"),
    (1234.5, None, "1.235", "1,235"),  # half away from zero, not half to even
    (0.0351, None, "0,0351", "0.0351"),
    (-12.25, None, "−12,3", "−12.3"),
    (-12.25, 2, "−12,25", "−12.25"),
    (12.25, None, "12,3", "12.3"),
    (1_234_567, None, "1.234.567", "1,234,567"),
    (0.25, None, "0,250", "0.250"),
    (9.996, None, "10,0", "10.0"),
    (99.96, None, "100", "100"),
    (0, None, "0", "0"),
    (-0.0001, 2, "0,00", "0.00"),  # no minus on a number that rounds to zero
    (np.float64(-3.14159), None, "−3,14", "−3.14"),
    (float("nan"), None, "n.v.t.", "n/a"),
    (math.inf, None, "∞", "∞"),
])
def test_format_number(value, decimals, nl, en):
    assert format_number(value, "nl", decimals) == nl
    assert format_number(value, "en", decimals) == en


@pytest.mark.parametrize("value, nl, en", [
    (1_234_567, "€ 1,2 mln", "EUR 1.2 mn"),
    (1_234_567_000, "€ 1,2 mld", "EUR 1.2 bn"),
    (-1_234_567_000, "€ −1,2 mld", "EUR −1.2 bn"),
    (250_000_000, "€ 250 mln", "EUR 250 mn"),
    (999_960_000, "€ 1,0 mld", "EUR 1.0 bn"),
    (950_000, "€ 950.000", "EUR 950,000"),
    (12.5, "€ 12,50", "EUR 12.50"),
    (0, "€ 0", "EUR 0"),
    (float("nan"), "n.v.t.", "n/a"),
])
def test_format_eur(value, nl, en):
    assert format_eur(value, "nl") == nl
    assert format_eur(value, "en") == en


@pytest.mark.parametrize("call", [
    lambda: indicator_label("deaths", "fr"),
    lambda: unit_label("persons", "NL"),
    lambda: code_label("tenure", "owner", "de"),
    lambda: text("baseline", "fr"),
    lambda: format_number(1.0, "fr"),
    lambda: format_eur(1.0, "fr"),
])
def test_unknown_language_is_refused_naming_it_and_the_allowed_ones(call):
    with pytest.raises(ParameterError) as err:
        call()
    msg = str(err.value)
    assert "language" in msg and ("'fr'" in msg or "'NL'" in msg or "'de'" in msg), msg
    assert "'nl'" in msg and "'en'" in msg, msg
