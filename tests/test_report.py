"""Tests of the comparison report (``doorstroom report``) and the detail rows a comparison keeps.

One small comparison (the baseline, verzorgingshuis and hospitaverhuur; 2 seeds, scale 0.001,
2025-2026) is computed once for the module. The browser test opens its report in headless Chromium
from the Debian packages (``make test`` installs it when missing, where it can) and skips, saying why,
only where no Chromium is installed.
"""

from __future__ import annotations

import html
import html.parser
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from browser import find_browser, open_page

from experiments import batch, compare, report
from experiments.cli import main
from experiments.runs import ChainTally, run_one
from experiments.scenario import load_scenario
from sim import labels
from sim.chains import START_CAUSES
from sim.params import ParameterError, RunSettings

POLICIES = ("verzorgingshuis", "hospitaverhuur")


@pytest.fixture(scope="module")
def comparison(tmp_path_factory, scenario_dir):
    out = tmp_path_factory.mktemp("report") / "cmp"
    files = [str(scenario_dir / f"{name}.toml") for name in ("baseline", *POLICIES)]
    compare.compare(files, 2, out, {"scale": 0.001, "end_year": 2026}, workers=2, log=lambda line: None)
    return out


@pytest.fixture(scope="module")
def dutch(comparison):
    return report.write_report(comparison)


class Cells(html.parser.HTMLParser):
    """Collects the table cells that carry a number's identity (data-policy, data-indicator, ...)."""

    def __init__(self):
        super().__init__()
        self.cells: list[dict] = []
        self.images: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and "data-column" in attrs:
            self._open = {**attrs, "text": ""}
        elif tag == "img":
            self.images.append(attrs)

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._open is not None:
            self.cells.append(self._open)
            self._open = None


def parsed(path) -> Cells:
    cells = Cells()
    cells.feed(path.read_text(encoding="utf-8"))
    return cells


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def expected_text(value: float, unit: str) -> str:
    """A number as the Dutch report must show it (independently of the report's own helpers)."""
    return labels.format_eur(value, "nl") if unit.startswith("EUR") else labels.format_number(value, "nl")


def test_every_headline_number_is_its_row_of_differences_csv(comparison, dutch):
    diff = pd.read_csv(comparison / "differences.csv").set_index(["policy", "indicator", "year"])
    cells = parsed(dutch).cells
    assert {c["data-policy"] for c in cells} == set(POLICIES)
    year = int(diff.index.get_level_values("year").max())
    numbers = intervals = 0
    for c in cells:
        row = diff.loc[(c["data-policy"], c["data-indicator"], int(c["data-year"]))]
        assert int(c["data-year"]) == year
        unit = row["unit"]
        if c["data-column"] == "interval":
            low, high = float(c["data-low"]), float(c["data-high"])
            assert same(low, row["ci_low"]) and same(high, row["ci_high"]), c
            assert c["text"] == f"tussen {expected_text(low, unit)} en {expected_text(high, unit)}"
            intervals += 1
        else:
            value = float(c["data-value"])
            assert same(value, row[c["data-column"]]), c
            want = expected_text(value, unit)
            if c["data-column"] == "mean_difference" and value > 0:
                want = "+" + want  # a rise carries its sign
            assert c["text"] == want, c
            numbers += 1
    # every main indicator present, for each policy: baseline, policy, difference and the interval
    main = report.headline_indicators(pd.read_csv(comparison / "differences.csv"))
    assert numbers >= 3 * len(main) * len(POLICIES) and intervals >= len(main) * len(POLICIES)


def test_the_headline_sentences_name_the_differences_whose_interval_excludes_zero(comparison, dutch):
    diff = pd.read_csv(comparison / "differences.csv")
    year = int(diff["year"].max())
    page = html.unescape(dutch.read_text(encoding="utf-8"))
    said = 0
    for policy in POLICIES:
        block = page.split(f'<div class="policy"><h3>{policy}</h3>')[1].split('<div class="policy">')[0]
        items = re.findall(r"<li>(.*?)</li>", block)
        names = report.headline_indicators(diff) + report.cost_indicators(diff)
        for r in report.headline_rows(diff, policy, year, names):
            label = labels.indicator_label(r["indicator"], "nl") + ": "
            mine = [x for x in items if x.startswith(label)]
            if r["ci_low"] > 0 or r["ci_high"] < 0:
                sign = "+" if r["mean_difference"] > 0 else ""
                low, high = expected_text(r["ci_low"], r["unit"]), expected_text(r["ci_high"], r["unit"])
                assert len(mine) == 1, (r, items)
                assert f"{sign}{expected_text(r['mean_difference'], r['unit'])}" in mine[0], mine
                assert mine[0].endswith(f"(tussen {low} en {high}).") and f"in {year}" in mine[0], mine
                said += 1
            else:
                assert not mine, (r, mine)  # no sentence for a difference the interval does not exclude
    assert said > 0, "the test comparison should have at least one difference that excludes zero"


def test_the_report_is_dutch_by_default_and_english_on_request(comparison, dutch):
    page = dutch.read_text(encoding="utf-8")
    assert '<html lang="nl">' in page and "Samenvatting" in page and "tussen" in page
    assert "Personen op de wachtlijst voor een verpleeghuis" in page
    english = report.write_report(comparison, lang="en")
    assert english.name == "report.en.html"
    text = english.read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "between" in text
    assert "Persons waiting for a verpleeghuis place" in text
    # numbers the Dutch way in Dutch: a thousands separator "." and no "," thousands
    nl_numbers = [c["text"] for c in parsed(dutch).cells if c["data-column"] == "baseline_mean"]
    en_numbers = [c["text"] for c in parsed(english).cells if c["data-column"] == "baseline_mean"]
    assert any("." in x and "," not in x for x in nl_numbers)
    assert any("," in x for x in en_numbers)


def test_the_report_is_self_contained_small_and_every_figure_has_alt_text(dutch):
    page = dutch.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and "<script" not in page
    images = parsed(dutch).images
    assert len(images) > 10
    for img in images:
        assert img["src"].startswith("data:image/svg+xml;base64,") and img.get("alt", "").strip()
    assert dutch.stat().st_size < report.MAX_BYTES


def test_bad_input_is_refused_naming_the_value(comparison, tmp_path, capsys):
    with pytest.raises(ParameterError, match="not a folder written by doorstroom compare"):
        report.write_report(tmp_path)
    with pytest.raises(ParameterError, match="--year 2040"):
        report.write_report(comparison, year=2040)
    with pytest.raises(ParameterError, match="ending in .html"):
        report.write_report(comparison, out=tmp_path / "report.pdf")
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my own notes</html>", encoding="utf-8")
    with pytest.raises(ParameterError, match="is not a doorstroom report"):
        report.write_report(comparison, out=mine)
    assert mine.read_text(encoding="utf-8") == "<html>my own notes</html>"  # left as it was
    again = report.write_report(comparison, out=tmp_path / "again.html")
    assert report.write_report(comparison, out=again) == again  # a report of its own is replaced
    assert main(["report", str(tmp_path)]) == 2
    assert "not a folder written by doorstroom compare" in capsys.readouterr().err


def test_detail_rows_add_up_to_the_indicators():
    settings = RunSettings(scale=0.001, seed=2, end_year=2026)
    cols = run_one(load_scenario(None), settings, details=True)
    plain = run_one(load_scenario(None), settings)
    n = len(plain["year"])
    assert np.array_equal(cols["value"][:n], plain["value"], equal_nan=True)  # the indicators unchanged
    rows = {(int(y), str(i)): v
            for y, i, v in zip(cols["year"], cols["indicator"], cols["value"], strict=True)}
    for year in (2025, 2026):
        w = np.array([rows[(year, f"chains_ended.{c}")] for c in START_CAUSES])
        m = np.array([rows[(year, f"chain_links_mean.{c}")] for c in START_CAUSES])
        ended = w > 0
        assert np.dot(w[ended], m[ended]) / w[ended].sum() == pytest.approx(rows[(year, "chain_links_mean")])
        flows = sum(v for (y, name), v in rows.items() if y == year and name.startswith("flow."))
        assert flows > 0
    tally = ChainTally()
    tally.chains({"weight": np.array([2.0, 1.0, 5.0]), "n_links": np.array([1, 3, 9]),
                  "end_year": np.array([2025, 2025, 2025]), "start_cause": np.array(["death"] * 3),
                  "end_cause": np.array(["starter", "immigrant", "open"])})
    assert tally.weight[(2025, "death")] == 3.0 and tally.link_sums[(2025, "death")] == 5.0  # open left out


def test_the_report_opens_in_headless_chromium_without_errors(dutch):
    if find_browser() is None:
        pytest.skip("no Chromium: `make test` installs the Debian package chromium where it runs as root "
                    "with apt-get; elsewhere install it to run this test")
    probe = ("JSON.stringify({images: Array.from(document.images).map(i => [i.naturalWidth, i.naturalHeight,"
             " i.complete]), headline: document.querySelectorAll('table.headline tr').length,"
             " title: document.querySelector('h1').textContent})")
    visit = open_page(dutch, probe)
    errors = [t for level, t in visit.console if level in ("error", "warning")]
    assert not errors and not visit.exceptions, (errors, visit.exceptions)
    outside = [u for u in visit.requests if not u.startswith(("file://", "data:"))]
    assert not outside, outside
    seen = json.loads(visit.value)
    assert seen["images"] and all(w > 0 and h > 0 and done for w, h, done in seen["images"]), seen["images"]
    assert seen["headline"] > 2 * len(POLICIES) and "verzorgingshuis" in seen["title"]
    shot = dutch.with_suffix(".png")
    shot.write_bytes(visit.screenshot)
    assert visit.screenshot[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    print(f"screenshot for a person to look at: {shot}")


def test_a_batch_report_gives_the_design_and_what_matters(tmp_path):
    design = tmp_path / "grid.toml"
    design.write_text('[design]\nsampler = "grid"\nseeds = 1\n[run]\nscale = 0.001\nend_year = 2025\n'
                      '[[uncertainty]]\nname = "moving.search_start_definite_per_year"\n'
                      'values = [0.0, 0.4, 1.2, 3.0]\n', encoding="utf-8")
    batch.batch(design, tmp_path / "b", workers=1, log=lambda line: None)
    path = report.write_report(tmp_path / "b")
    page = path.read_text(encoding="utf-8")
    assert "Onzekere parameters" in page and "moving.search_start_definite_per_year" in page
    assert "Verhuismobiliteit, 65-74 jaar" in page and "R2 = " in page  # a regression over the grid
    assert len(parsed(path).images) >= 1 and "https://" not in page
    with pytest.raises(ParameterError, match="--year 2030"):
        report.write_report(tmp_path / "b", year=2030)
