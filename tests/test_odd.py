"""The ODD document: its generated tables are current, staleness is detected, its sections are all there."""

import re
import shutil
from pathlib import Path

import pytest

from agents.schedule import SCHEDULE
from experiments import cli, odd

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

ODD_SECTIONS = (
    "1 Purpose and patterns",
    "2 Entities, state variables and scales",
    "3 Process overview and scheduling",
    "4 Design concepts",
    "5 Initialisation",
    "6 Input data",
    "7 Submodels",
)
DESIGN_CONCEPTS = ("Basic principles", "Emergence", "Adaptation", "Objectives", "Learning", "Prediction",
                   "Sensing", "Interaction", "Stochasticity", "Collectives", "Observation")


def _copy_docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (odd.ODD_FILE, odd.PARAMETERS_FILE):
        shutil.copy(DOCS / name, docs / name)
    return docs


def test_committed_docs_are_current():
    stale = odd.stale_tables(DOCS)
    assert not stale, f"stale generated tables {stale}: run `doorstroom odd` and commit docs/"


def test_a_stale_table_is_detected_and_regenerated(tmp_path):
    docs = _copy_docs(tmp_path)
    text = (docs / odd.ODD_FILE).read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| 1 | `ageing` |"))
    (docs / odd.ODD_FILE).write_text(text.replace(row, row.replace("`ageing`", "`aging`")), encoding="utf-8")
    params = (docs / odd.PARAMETERS_FILE).read_text(encoding="utf-8")
    (docs / odd.PARAMETERS_FILE).write_text(params.replace("| 1.1 |", "| 1.2 |", 1), encoding="utf-8")

    stale = odd.stale_tables(docs)
    assert stale == [f"schedule ({odd.ODD_FILE})", odd.PARAMETERS_FILE], stale

    changed = odd.write_tables(docs)
    assert sorted(p.name for p in changed) == sorted([odd.ODD_FILE, odd.PARAMETERS_FILE])
    assert odd.stale_tables(docs) == []
    assert (docs / odd.ODD_FILE).read_text(encoding="utf-8") == text, "the prose is kept, the table restored"


def test_hand_edited_prose_is_not_stale(tmp_path):
    docs = _copy_docs(tmp_path)
    path = docs / odd.ODD_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("## 5 Initialisation",
                                                             "## 5 Initialisation\n\nA new sentence."),
                    encoding="utf-8")
    assert odd.stale_tables(docs) == []


def test_check_names_the_stale_tables_and_writes_nothing(tmp_path, monkeypatch, capsys):
    docs = _copy_docs(tmp_path)
    path = docs / odd.ODD_FILE
    text = path.read_text(encoding="utf-8")
    stale_text = text.replace("| `persons_total` | persons |", "| `persons_total` | people |", 1)
    assert stale_text != text
    path.write_text(stale_text, encoding="utf-8")
    monkeypatch.setattr(odd, "DOCS", docs)

    assert cli.main(["odd", "--check"]) == 1
    err = capsys.readouterr().err
    assert "indicators" in err and "schedule" not in err, err
    assert path.read_text(encoding="utf-8") == stale_text, "--check writes nothing"

    assert cli.main(["odd"]) == 0
    assert path.read_text(encoding="utf-8") == text
    assert cli.main(["odd", "--check"]) == 0


def test_a_missing_block_is_reported(tmp_path):
    docs = _copy_docs(tmp_path)
    path = docs / odd.ODD_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("<!-- generated: codes -->\n", "", 1),
                    encoding="utf-8")
    stale = odd.stale_tables(docs)
    assert len(stale) == 1 and "codes" in stale[0], stale
    with pytest.raises(odd.OddError, match="codes"):
        odd.write_tables(docs)


def test_a_state_column_without_a_note_stops_the_rendering(monkeypatch):
    notes = {k: dict(v) for k, v in odd.COLUMN_NOTES.items()}
    del notes["dwellings"]["rooms"]
    monkeypatch.setattr(odd, "COLUMN_NOTES", notes)
    with pytest.raises(odd.OddError, match="rooms"):
        odd.state_block()
    stale = odd.stale_tables(DOCS)  # --check reports it instead of failing with a traceback
    assert len(stale) == 1 and "rooms" in stale[0], stale


def test_odd_has_all_seven_sections_and_the_design_concepts():
    text = (DOCS / odd.ODD_FILE).read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    found = [h for h in headings if h in ODD_SECTIONS]
    assert found == list(ODD_SECTIONS), f"the seven ODD sections, in order: {headings}"
    concepts = re.findall(r"^### 4\.\d+ (.+)$", text, re.MULTILINE)
    assert concepts == list(DESIGN_CONCEPTS), concepts


def test_every_process_has_a_submodel_naming_its_parameter_groups():
    text = (DOCS / odd.ODD_FILE).read_text(encoding="utf-8")
    submodels = text[text.index("## 7 Submodels"):]
    parts = re.split(r"^(### 7\.\d+ .+)$", submodels, flags=re.MULTILINE)
    sections = {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    for p in SCHEDULE:
        mine = [body for heading, body in sections.items() if f"`{p.name}`" in heading]
        assert len(mine) == 1, f"process {p.name!r}: expected one subsection of section 7 naming it"
        missing = [g for g in p.reads if f"`{g}`" not in mine[0]]
        assert not missing, f"the subsection of {p.name!r} does not name the groups it reads: {missing}"
