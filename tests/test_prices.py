"""Prices on dwellings (agents/prices.py): 2025 levels, re-letting, the yearly rise, common draws."""

import numpy as np
import pytest
from chunked import SMALL_CHUNK, whole_and_chunked

from agents import prices
from agents.model import DoorstroomModel
from agents.prices import MARKET_TENURES, relative_pressure, social_rent_cap, yearly_rates
from sim.codes import OWNER, PRIVATE, SOCIAL, is_institution
from sim.params import Parameters, RunSettings


def _model(params=None, scale=0.005, seed=3, end=2025):
    return DoorstroomModel(params or Parameters(), RunSettings(scale=scale, seed=seed, end_year=end))


def _priced(dw):
    n = dw.n
    return np.flatnonzero(dw.active[:n] & ~is_institution(dw.type[:n]))


def test_the_2025_stock_has_the_national_means_and_no_price_on_institutions():
    model = _model()
    dw, pp = model.dwellings, model.params.prices
    ids = _priced(dw)
    tenure, w = dw.tenure[ids], dw.weight[ids]
    for code, column, mean, tol in ((SOCIAL, dw.rent_eur_month, pp.social_rent_eur_month, 0.03),
                                    (PRIVATE, dw.rent_eur_month, pp.private_rent_eur_month, 0.04),
                                    (OWNER, dw.value_eur, pp.owner_value_eur, 0.03)):
        sel = tenure == code
        got = np.average(column[ids][sel], weights=w[sel])
        assert got == pytest.approx(mean, rel=tol), (code, got, mean)
    assert (dw.rent_eur_month[ids][tenure == OWNER] == 0).all()
    assert (dw.value_eur[ids][tenure != OWNER] == 0).all()
    assert dw.rent_eur_month[ids][tenure == SOCIAL].max() <= pp.social_rent_cap_eur_month + 1e-3
    inst = np.flatnonzero(dw.active[:dw.n] & is_institution(dw.type[:dw.n]))
    assert len(inst) and (dw.rent_eur_month[inst] == 0).all() and (dw.value_eur[inst] == 0).all()


def test_sitting_tenants_get_the_yearly_rise_and_new_tenants_the_market_rent():
    """Over 2025 (the rise for 1 January 2026 at the 2025 rates): sitting tenants' rents and values rise
    by their rates; a new tenant pays the market rent (+10.9% in 2025), however often the dwelling is
    let, then the yearly rise. Regional pressure off (it is tested below)."""
    model = _model(Parameters.from_dict({"prices": {"price_pressure_elasticity": 0.0}}), end=2025)
    dw, pp = model.dwellings, model.params.prices
    # a household is followed by its number (rows are renumbered at year ends)
    def household_number(rows):
        return np.where(rows >= 0, model.households.hid[np.maximum(rows, 0)], rows)

    before = {"rent": dw.rent_eur_month.copy(), "market": dw.market_rent_eur_month.copy(),
              "value": dw.value_eur.copy(), "occ": household_number(dw.occupant),
              "for": household_number(dw.priced_for)}
    for _ in range(model.settings.steps_per_year):
        model.step()
    model.check_invariants()
    social_rise, private_rise, _, private_market, values = yearly_rates(pp, 2025)
    assert (social_rise, private_rise, values) == (pp.social_rent_rise_per_year,
                                                   pp.private_rent_rise_per_year,
                                                   pp.house_price_growth_per_year)
    n = len(before["occ"])
    ids = _priced(dw)
    ids = ids[ids < n]
    same = ids[(household_number(dw.occupant[ids]) == before["occ"][ids]) & (before["occ"][ids] >= 0)
               & (household_number(dw.priced_for[ids]) == before["for"][ids])]
    below_cap = before["rent"][same] * (1 + social_rise) < social_rent_cap(pp, 2026)
    social = same[(dw.tenure[same] == SOCIAL) & below_cap]
    private = same[dw.tenure[same] == PRIVATE]
    owner = same[dw.tenure[same] == OWNER]
    assert len(social) > 50 and len(private) > 20 and len(owner) > 50
    np.testing.assert_allclose(dw.rent_eur_month[social], before["rent"][social] * (1 + social_rise),
                               rtol=1e-5)
    np.testing.assert_allclose(dw.rent_eur_month[private], before["rent"][private] * (1 + private_rise),
                               rtol=1e-5)
    np.testing.assert_allclose(dw.value_eur[owner], before["value"][owner] * (1 + values), rtol=1e-5)
    # private dwellings let to a new household during the year: the market rent, then the yearly rise
    relet = ids[(dw.tenure[ids] == PRIVATE) & (before["occ"][ids] >= 0) & (dw.occupant[ids] >= 0)
                & (household_number(dw.occupant[ids]) != before["occ"][ids])
                & (before["for"][ids] == before["occ"][ids])]
    assert len(relet) > 5
    np.testing.assert_allclose(before["market"][relet], before["rent"][relet] * (1 + pp.relet_rent_rise),
                               rtol=1e-5)
    expected = (1 + pp.relet_rent_rise) * (1 + min(private_rise, private_market))
    np.testing.assert_allclose(dw.rent_eur_month[relet] / before["rent"][relet], expected, rtol=1e-5)


def test_after_2026_every_price_grows_at_the_long_run_rate():
    pp = Parameters().prices
    g = pp.long_run_growth_per_year
    assert yearly_rates(pp, pp.long_run_from_year - 1) == (g, g, g, g, g)
    assert social_rent_cap(pp, 2025) == pp.social_rent_cap_eur_month
    assert social_rent_cap(pp, 2026) == pytest.approx(pp.social_rent_cap_eur_month
                                                      * (1 + pp.social_rent_cap_rise_per_year))
    assert social_rent_cap(pp, 2030) == pytest.approx(social_rent_cap(pp, 2026) * (1 + g) ** 4)


def test_prices_of_the_2025_stock_are_common_across_scenarios_and_seeded():
    base = _model()
    policy = _model(Parameters.from_dict({"prices": {"social_rent_rise_per_year": 0.0},
                                          "policy": {"kostendelersnorm": "abolished"}}))
    other_seed = _model(seed=4)
    np.testing.assert_array_equal(base.dwellings.rent_eur_month, policy.dwellings.rent_eur_month)
    np.testing.assert_array_equal(base.dwellings.value_eur, _model().dwellings.value_eur)
    assert not np.array_equal(base.dwellings.value_eur[:1000], other_seed.dwellings.value_eur[:1000])


def test_a_bad_price_parameter_is_refused_by_name():
    from sim.params import ParameterError
    with pytest.raises(ParameterError, match="prices.social_rent_cap_eur_month"):
        Parameters.from_dict({"prices": {"social_rent_cap_eur_month": -1.0}})


def test_relative_pressure_is_the_log_ratio_against_the_country():
    searchers = np.array([[300.0, 100.0], [100.0, 100.0]])
    vacancies = np.array([[100.0, 100.0], [100.0, 100.0]])
    rel = relative_pressure(searchers, vacancies, eps=0.0)
    np.testing.assert_allclose(rel[:, 0], np.log([3.0, 1.0]) - np.log(2.0))
    np.testing.assert_allclose(rel[:, 1], 0.0)
    # a province without vacancies still has a finite pressure
    assert np.isfinite(relative_pressure(np.array([[5.0]]), np.array([[0.0]]), eps=1.0)).all()


@pytest.mark.parametrize("elasticity", [0.0, 0.3])
def test_tight_provinces_get_dearer_and_the_national_mean_keeps_its_rate(elasticity):
    """After a year, each province's private rents and values stand at exp(elasticity x pressure)
    relative to the rest (centred): the tightest province is the dearest, none differ without the
    elasticity, and the stock-weighted change is 1 (the national rates hold)."""
    model = _model(Parameters.from_dict({"prices": {"price_pressure_elasticity": elasticity}}), end=2025)
    dw = model.dwellings
    for _ in range(model.settings.steps_per_year):
        model.step()
    mem = model.contexts["prices"].memory
    values = model.params.prices.house_price_growth_per_year
    for k, code in enumerate(MARKET_TENURES):
        factor = mem["regional"][:, code]
        if elasticity == 0.0:
            np.testing.assert_allclose(factor, 1.0, rtol=1e-12)
            continue
        assert factor.max() / factor.min() > 1.01
        assert np.argmax(factor) == np.argmax(mem["pressure"][:, k])
        assert np.argmin(factor) == np.argmin(mem["pressure"][:, k])
        ratio = factor / factor.min()
        np.testing.assert_allclose(ratio, np.exp(elasticity * (mem["pressure"][:, k]
                                                               - mem["pressure"][:, k].min())), rtol=1e-9)
    # owner values: before the change they were value / ((1 + rate) x factor); weighted by them the
    # mean change is 1
    ids = np.flatnonzero(dw.active[:dw.n] & (dw.tenure[:dw.n] == OWNER))
    c = mem["regional"][dw.region[ids], OWNER]
    pre = dw.value_eur[ids].astype(np.float64) / ((1 + values) * c) * dw.weight[ids]
    assert (pre * c).sum() / pre.sum() == pytest.approx(1.0, rel=1e-5)


def test_the_initial_stock_priced_in_chunks_is_the_same(monkeypatch):
    """agents.prices.price_initial_stock prices the 2025 stock in chunks of dwellings: every rent,
    market rent and value is the same whatever the chunk (each depends on its row and its uniforms)."""
    whole, chunked = whole_and_chunked(monkeypatch, prices, "PRICE_CHUNK",
                                       RunSettings(scale=0.002, seed=2, end_year=2025), run=False)
    assert whole.dwellings.n > 10 * SMALL_CHUNK
    for name in ("rent_eur_month", "market_rent_eur_month", "value_eur", "priced_for"):
        np.testing.assert_array_equal(getattr(whole.dwellings, name), getattr(chunked.dwellings, name))
    assert (whole.dwellings.value_eur > 0).any() and (whole.dwellings.rent_eur_month > 0).any()
