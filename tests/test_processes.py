"""The fast (tabulated) phases compute exactly what the pure rate functions define."""

import numpy as np
import pytest
from chunked import SMALL_CHUNK, whole_and_chunked

from agents import care, family, intention, mortality
from agents.model import DoorstroomModel
from sim.codes import HEAVY, OWNER
from sim.households import (
    adult_count,
    care_need,
    gather,
    household_size,
    oldest_age_months,
    present_persons,
    row_of,
    slot_of,
)
from sim.params import Parameters, RunSettings
from sim.population import build_population
from sim.rates import step_probability


def test_tabulated_mortality_equals_aligned_hazard():
    hh = build_population(0.002, seed=4)
    params = Parameters()
    flat = present_persons(hh)
    rows, slots = row_of(flat), slot_of(flat)
    fast = mortality.tabulated_hazard(hh, flat, params.demography, 2031.5)
    pure = mortality.aligned_hazard(
        hh.age_months[rows, slots] / 12.0, hh.sex[rows, slots], hh.care[rows, slots],
        hh.dementia[rows, slots], hh.weight[rows], 2031.5, params.demography,
    )
    assert np.allclose(fast, pure, rtol=1e-12, atol=0), "tabulated and pure hazards differ"


def test_aligned_mortality_keeps_life_table_deaths():
    rng = np.random.default_rng(0)
    n = 20_000
    age = rng.uniform(80, 85, n)  # one age group
    sex = np.zeros(n, int)
    care_state = rng.integers(0, 5, n)
    dem = rng.random(n) < 0.2
    w = np.ones(n)
    params = Parameters()
    # in the base year 2023 of the table (later, heavy care keeps the hazard of 2023, above it)
    h = mortality.aligned_hazard(age, sex, care_state, dem, w, 2023.0, params.demography)
    base = mortality.base_hazard(age, sex, 2023.0, params.demography)
    assert abs(h.sum() / base.sum() - 1) < 0.02, "alignment must keep the expected deaths"
    assert h[care_state == 4].mean() > 3 * h[care_state == 0].mean(), "heavy care must die sooner"


def test_tabulated_care_draws_equal_draw_transitions():
    rng = np.random.default_rng(1)
    n = 50_000
    state = rng.integers(0, 5, n)
    dem = rng.random(n) < 0.3
    net = rng.random(n) < 0.5
    age_m = rng.integers(40 * 12, 105 * 12, n)
    # many events so that destinations are exercised: draws concentrated near zero
    u = rng.random(n) ** 4
    cp = Parameters().care
    fast = care.draw_from_tables(state, dem, net, age_m, u, cp, 12)
    pure = care.draw_transitions(state, care.transition_hazards(state, age_m / 12.0, dem, net, cp),
                                 u, 12)
    assert np.array_equal(fast, pure), f"{(fast != pure).sum()} draws differ"
    assert (fast != state).sum() > 1000, "the test must exercise transitions"


def test_care_transition_directions():
    cp = Parameters().care
    state = np.zeros(3, int)
    h = care.transition_hazards(state, np.array([60.0, 80.0, 95.0]), np.zeros(3, bool),
                                np.ones(3, bool), cp)
    assert np.all(np.diff(h[:, 1]) > 0), "limitation onset must rise with age"
    lonely = care.transition_hazards(np.array([2, 2]), np.array([85.0, 85.0]),
                                     np.array([True, True]), np.array([False, True]), cp)
    assert lonely[0, 3] > 0 and lonely[1, 3] == 0, "loss of regie only without a network"
    assert step_probability(np.array([h[0].sum()]), 12)[0] < h[0].sum() / 12 + 1e-12


def test_slot_summaries_equal_their_definitions():
    hh = build_population(0.002, seed=5)
    rng = np.random.default_rng(2)
    hh.present[rng.random(hh.n) < 0.1, 0] = False  # empty first slots, as mid-step
    rows = np.sort(rng.choice(hh.n, hh.n // 3, replace=False))
    oldest = np.where(hh.present, hh.age_months, -1).max(axis=1)
    need = np.where(hh.present, hh.care, 0).max(axis=1)
    size = hh.present.sum(axis=1) + hh.n_children + hh.n_coresidents
    assert np.array_equal(oldest_age_months(hh), oldest), "oldest age"
    assert np.array_equal(oldest_age_months(hh, rows), oldest[rows]), "oldest age of rows"
    assert np.array_equal(oldest_age_months(hh) // 12, np.where(hh.present, hh.age_months // 12,
                                                                 -1).max(axis=1)), "in years"
    assert np.array_equal(care_need(hh, rows), need[rows]), "care need of rows"
    assert np.array_equal(adult_count(hh), hh.present.sum(axis=1)), "adults"
    assert np.array_equal(household_size(hh), size), "household size"
    assert np.array_equal(household_size(hh, rows), size[rows]), "household size of rows"


def test_mortality_phase_draws_the_tabulated_probabilities():
    hh = build_population(0.002, seed=4)
    params = Parameters()
    flat = present_persons(hh)
    hazard, cell, _ = mortality._hazard_cells(mortality.household_persons(hh, flat), params.demography,
                                              2031.5)
    per_person = step_probability(mortality.tabulated_hazard(hh, flat, params.demography, 2031.5), 12)
    assert np.array_equal(step_probability(hazard, 12)[cell], per_person), (
        "probabilities by cell must equal those computed per person")
    # the step computes the hazards of its due persons only: the same numbers as the table's cells
    persons = mortality.household_persons(hh, flat)
    norm = mortality.mortality_normalisation(hh, params.demography)
    table, cell, age_m = mortality._hazard_cells(persons, params.demography, 2031.5, norm)
    assert (persons["care"] == HEAVY).any() and persons["dementia"].any()
    few = np.arange(0, len(flat), 7)
    own, own_age = mortality._person_hazards({k: v[few] for k, v in persons.items()}, params.demography,
                                             2031.5, norm)
    assert np.array_equal(step_probability(own, 12), step_probability(table, 12)[cell[few]])
    assert np.array_equal(own_age, age_m[few])


def test_fixed_normalisation_paths_agree_and_align_2025():
    hh = build_population(0.002, seed=4)
    params = Parameters()
    norm = mortality.mortality_normalisation(hh, params.demography)
    flat = present_persons(hh)
    rows, slots = row_of(flat), slot_of(flat)
    fast = mortality.tabulated_hazard(hh, flat, params.demography, 2031.5, norm)
    pure = mortality.aligned_hazard(
        hh.age_months[rows, slots] / 12.0, hh.sex[rows, slots], hh.care[rows, slots],
        hh.dementia[rows, slots], hh.weight[rows], 2031.5, params.demography, mean_rr=norm,
    )
    assert np.allclose(fast, pure, rtol=1e-12, atol=0), "paths with a fixed normalisation differ"
    aligned = mortality.tabulated_hazard(hh, flat, params.demography, 2031.5)
    assert np.allclose(fast, aligned, rtol=1e-9), "on the 2025 population both normalisations agree"


def test_heavy_care_keeps_the_death_rates_of_2023_by_default():
    from dataclasses import replace

    age, sex = np.array([85.0, 85.0]), np.array([1, 1])
    care_state, dem, w = np.array([0, 4]), np.array([False, False]), np.ones(2)
    dp = Parameters().demography
    norm = np.ones(2 * mortality.N_AGE_GROUPS)

    def ratio(dp, year):
        h = mortality.aligned_hazard(age, sex, care_state, dem, w, year, dp, norm)
        return h[1] / h[0]

    rr = dp.mortality_rr_by_care[4] / dp.mortality_rr_by_care[0]
    assert ratio(dp, 2023.0) == rr
    improving = replace(dp, mortality_improvement_heavy_care_share=1.0)
    assert ratio(improving, 2043.0) == pytest.approx(rr, rel=1e-12), (
        "with share 1 heavy care improves like everyone")
    base_2023 = mortality.base_hazard(age, sex, 2023.0, dp)[1]
    heavy_2043 = mortality.aligned_hazard(age, sex, care_state, dem, w, 2043.0, dp, norm)[1]
    assert heavy_2043 == pytest.approx(base_2023 * dp.mortality_rr_by_care[4], rel=1e-12), (
        "share 0 keeps the 2023 hazard")


def test_partnership_factor_gives_singles_their_share_and_keeps_each_age_births():
    rng = np.random.default_rng(3)
    ages = rng.integers(18, 45, 5000)
    couple = rng.random(5000) < 0.6
    f = family.partnership_factor(ages, couple, 0.09)
    for a in (20, 30, 40):
        at = ages == a
        assert f[at].sum() == pytest.approx(at.sum()), "the births of each age are kept"
        assert f[at & ~couple].sum() / f[at].sum() == pytest.approx(0.09)
    # an age with only women in couples keeps factor 1
    assert (family.partnership_factor(np.array([25, 25]), np.array([True, True]), 0.09) == 1).all()


def test_gather_equals_the_concatenated_gathers():
    """sim.households.gather writes each gather into its slice: the same as concatenating them."""
    rng = np.random.default_rng(4)
    for dtype in (np.int8, np.int16, np.int32, np.float32, np.bool_):
        a = rng.integers(0, 100, 50).astype(dtype)
        b = rng.integers(0, 100, 7).astype(dtype)
        ia, ib = rng.integers(0, 50, 30), rng.integers(0, 7, 0)
        whole = np.ones(4, dtype)
        got = gather([(a, ia), (b, ib), (whole, None)])
        np.testing.assert_array_equal(got, np.concatenate([a[ia], b[ib], whole]))
        assert got.dtype == dtype


def test_unique_rows_agrees_with_numpy():
    """agents.intention.unique_rows gives np.unique(..., axis=0)'s rows and inverse, in its order."""
    rng = np.random.default_rng(7)
    n = 5000
    cols = (rng.integers(0, 4, n).astype(float), rng.choice([-0.6, -0.0, 0.0, 0.4, 1.2], n),
            rng.choice([-0.3, 0.0, 0.5], n))
    rows, inverse = intention.unique_rows(cols)
    want_rows, want_inverse = np.unique(np.stack(cols, axis=1), axis=0, return_inverse=True)
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_array_equal(inverse, want_inverse.ravel())


def test_intention_logits_read_from_the_situation_table_equal_the_sum_per_household():
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=2, end_year=2025))
    hh, dw = model.households, model.dwellings
    mp, lp = model.params.moving, model.params.loneliness
    rows = intention.private_households(hh)
    hh.lonely[rows[::5], 0] = True  # some lonely adults, so that every flag occurs
    x_def, x_may = intention.intention_logits(hh, dw, rows, 30, mp, lp)
    mismatch = intention.care_mismatch(hh, dw, rows)
    widowed = (30 - hh.widowed_step[rows].astype(np.int64)) < mp.widowed_recent_months
    under = (dw.rooms[hh.dwelling_id[rows]] - household_size(hh, rows)) >= mp.underoccupation_rooms
    owner = hh.tenure[rows] == OWNER
    attach = hh.months_in_dwelling[rows] >= mp.attachment_months
    lonely = hh.lonely[rows].any(axis=1)
    for k, table in ((0, x_def), (1, x_may)):
        direct = (mismatch * mp.effect_mismatch[k] + widowed * mp.effect_widowed[k]
                  + under * mp.effect_underoccupation[k] + owner * mp.effect_owner[k]
                  + attach * mp.effect_attachment[k] + lonely * lp.intention_effect[k])
        assert np.array_equal(table, direct)
    codes = intention.situation_codes(hh, dw, rows, 30, mp, lp)
    assert len(np.unique(codes)) > 8 and codes.max() < intention.N_SITUATIONS


def test_intercepts_from_cells_equal_those_from_every_household():
    model = DoorstroomModel(Parameters(), RunSettings(scale=0.002, seed=3, end_year=2025))
    hh, dw = model.households, model.dwellings
    mp, lp = model.params.moving, model.params.loneliness
    rows = intention.private_households(hh)
    code = intention.situation_codes(hh, dw, rows, 0, mp, lp)
    group = intention.age_group(oldest_age_months(hh, rows) // 12)
    x_def, x_may = intention.situation_logit_table(mp, lp)
    w = hh.weight[rows] * np.linspace(0.5, 1.5, len(rows)).astype(np.float32)  # unequal weights
    slow = intention.calibrate_intercepts(group, w, x_def[code], x_may[code], mp)
    fast = intention.calibrate_intercepts(group, w, x_def[code], x_may[code], mp,
                                          cells=group * intention.N_SITUATIONS + code)
    for a, b in zip(slow, fast, strict=True):
        assert np.array_equal(a, b)


def test_intentions_drawn_in_chunks_are_the_same(monkeypatch):
    """agents.intention.draw_intentions draws in chunks of households: the intentions (set-up and
    yearly) are the same whatever the chunk (each depends on its own row and its draw by person id)."""
    whole, chunked = whole_and_chunked(monkeypatch, intention, "INTENTION_CHUNK",
                                       RunSettings(scale=0.002, seed=5, end_year=2025), run=False)
    assert len(intention.private_households(whole.households)) > 10 * SMALL_CHUNK
    np.testing.assert_array_equal(whole.households.intention, chunked.households.intention)
    whole.run()
    chunked.run()
    np.testing.assert_array_equal(whole.households.intention, chunked.households.intention)
    assert (whole.households.intention > 0).any()
