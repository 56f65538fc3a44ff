"""The synthetic population reproduces the marginals it was built from, and published totals."""

import numpy as np
import pytest

from sim import outputs
from sim.codes import FEMALE, INSTITUTION_TENURE, MALE, OWNER, PRIVATE, SOCIAL, VERPLEEGHUIS
from sim.population import build_population, load_tables

SCALE = 0.01
CBS_TOTAL_2025 = 18_044_027  # persons, 1 Jan 2025 (CBS, verified)


@pytest.fixture(scope="module")
def hh():
    return build_population(SCALE, seed=7)


def _persons_by_band(hh, lo, hi, sex):
    age = hh.age_months // 12
    mask = hh.present & (age >= lo) & (age <= hi) & (hh.sex == sex) & hh.active[:, None]
    return float(np.broadcast_to(hh.weight[:, None], mask.shape)[mask].sum())


def test_age_sex_marginals_within_2_percent(hh):
    for row in load_tables().population:
        if row["age_from"] < 55:
            continue  # younger adults partly live as untracked co-residents
        for sex, col in ((MALE, "men"), (FEMALE, "women")):
            got = _persons_by_band(hh, row["age_from"], row["age_to"], sex)
            want = row[col]
            assert abs(got / want - 1) < 0.02, (
                f"persons {row['age_from']}-{row['age_to']} {col}: {got:,.0f} vs table {want:,.0f}"
            )


def test_total_population_within_2_percent(hh):
    total = outputs.stocks(hh)["persons_total"]
    assert abs(total / CBS_TOTAL_2025 - 1) < 0.02, f"population {total:,.0f} vs {CBS_TOTAL_2025:,}"


def test_household_totals_near_cbs(hh):
    s = outputs.stocks(hh)
    # CBS 1 Jan 2024: 8,374,404 private households, 3,340,560 one-person (verified); the model starts
    # a year later, after growth of about 127,000 and 96,000 a year (2022-2024, derived)
    assert 8_374_404 <= s["households_total"] <= 8_374_404 + 2 * 127_000, (
        f"households {s['households_total']:,}")
    assert 3_340_560 <= s["households_one_person"] <= 3_340_560 + 2 * 96_000, (
        f"one-person households {s['households_one_person']:,}"
    )


def test_couple_shares_reproduced(hh):
    tables = load_tables()
    pos = {(r["age_from"], r["sex"]): r for r in tables.position}
    age = hh.age_months // 12
    in_couple = np.broadcast_to((hh.present.sum(axis=1) == 2)[:, None], hh.present.shape)
    for lo, hi in ((65, 69), (75, 79), (85, 89)):
        for sex, name in ((MALE, "male"), (FEMALE, "female")):
            band = hh.present & (age >= lo) & (age <= hi) & (hh.sex == sex)
            got = (band & in_couple).sum() / band.sum()
            want = pos[(lo, name)]["share_couple"]
            assert abs(got - want) < 0.03, f"couple share {lo}-{hi} {name}: {got:.3f} vs {want}"


def test_face_validity_2025(hh):
    s = outputs.stocks(hh)
    assert 0.90 <= s["share_75plus_independent"] <= 0.94, (
        f"share_75plus_independent {s['share_75plus_independent']:.3f}, published 0.92"
    )
    assert 290_000 <= s["dementia_persons"] <= 330_000, f"dementia {s['dementia_persons']:,}"
    # persons in verzorgings- and verpleeghuizen 128,686 on 1 Jan 2024 (CBS, verified)
    assert abs(s["institution_residents"] / 128_686 - 1) < 0.10, (
        f"institution residents {s['institution_residents']:,}"
    )


def test_tenure_of_65plus_households(hh):
    age = np.where(hh.present, hh.age_months // 12, -1).max(axis=1)
    old = hh.active & (age >= 65) & (hh.tenure != INSTITUTION_TENURE)
    w = hh.weight[old]
    for code, want in ((OWNER, 0.55), (SOCIAL, 0.35), (PRIVATE, 0.10)):
        got = w[hh.tenure[old] == code].sum() / w.sum()
        assert abs(got - want) < 0.04, f"tenure {code} share of 65+ households {got:.3f} vs {want}"


def test_institution_residents_are_single_heavy_care(hh):
    inst = hh.active & (hh.dwelling == VERPLEEGHUIS)
    assert (hh.present[inst].sum(axis=1) == 1).all(), "an institution household has two adults"
    assert (hh.care[inst, 0] == 4).all(), "an institution resident without heavy care need"


def test_same_seed_same_population():
    a = build_population(0.002, seed=5)
    b = build_population(0.002, seed=5)
    c = build_population(0.002, seed=6)
    assert np.array_equal(a.age_months, b.age_months), "same seed must give the same population"
    assert not np.array_equal(a.care, c.care), "another seed must give another population"


def test_potential_carers_per_85plus_counts_persons_50_74_over_persons_85plus():
    from sim.households import Households

    hh = Households(capacity=4)
    hh.append({"weight": np.array([10.0, 10.0, 30.0], np.float32),
               "present": np.array([[True, True], [True, False], [True, False]]),
               "age_months": np.array([[50 * 12, 74 * 12 + 11], [75 * 12, 0], [86 * 12, 0]], np.int16)})
    out = outputs.stocks(hh)
    assert out["potential_carers_per_85plus"] == pytest.approx(20.0 / 30.0)  # the 75-year-old is not
