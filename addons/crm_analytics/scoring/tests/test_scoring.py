"""The plain-Python statistics of crm_analytics/scoring, with plain pytest and
no Odoo: ``pytest addons/crm_analytics/scoring`` (``tools/dev.py test`` runs
them too). The BG/NBD and Gamma-Gamma fits are checked against the
``lifetimes`` package (requirements-test.txt) on data generated from the
models: a missing ``lifetimes`` fails the test."""

import math
import warnings

import numpy as np
import pytest

from .. import btyd, composite, loyalty, rfm


def import_lifetimes():
    with warnings.catch_warnings():
        # lifetimes sets a pandas option that pandas 3 deprecated.
        warnings.simplefilter("ignore")
        import lifetimes
    return lifetimes


def generate_bgnbd(seed, customers=4000, days=730):
    """Purchase histories drawn from BG/NBD (r=0.9, alpha=25, a=0.8, b=4) with
    Gamma-Gamma order values (p=5, q=3, v=150): arrays x, t_x, T, mean repeat value."""
    rng = np.random.default_rng(seed)
    T = rng.integers(30, days, customers).astype(float)
    lam = rng.gamma(0.9, 1 / 25.0, customers)
    p = rng.beta(0.8, 4.0, customers)
    nu = rng.gamma(3.0, 1 / 150.0, customers)
    x = np.zeros(customers)
    t_x = np.zeros(customers)
    total = np.zeros(customers)
    for i in range(customers):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t >= T[i]:
                break
            x[i] += 1
            t_x[i] = np.floor(t)
            total[i] += rng.gamma(5.0, 1 / nu[i])
            if rng.random() < p[i]:
                break
    m = np.where(x > 0, total / np.maximum(x, 1), 0.0)
    return x, t_x, T, m


def assert_close(ours, theirs, rtol=1e-3):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float),
                               rtol=rtol, atol=0)


# ------------------------------------------------------------
# RFM quintiles and segments
# ------------------------------------------------------------

def test_distinct_values_split_in_fifths():
    assert list(rfm.quintile_scores(np.arange(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert list(rfm.quintile_scores([5, 4, 3, 2, 1])) == [5, 4, 3, 2, 1]


def test_lower_recency_is_better():
    scores = rfm.quintile_scores([1, 10, 100, 1000, 5], higher_is_better=False)
    assert list(scores) == [5, 3, 2, 1, 4]


def test_ties_share_the_score_of_their_average_rank():
    # 6 of 10 customers bought once: middle of the tie at 30% -> 2.
    scores = rfm.quintile_scores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5])
    assert list(scores) == [2] * 6 + [4, 4, 5, 5]
    # Everybody equal: the middle score, never split across quintiles.
    assert set(rfm.quintile_scores([7.0] * 9)) == {3}


def test_quintile_edges():
    # Five customers: one per quintile; 20 customers: four per quintile (the
    # 4th and 5th sit either side of the 20% edge, at 17.5% and 22.5%).
    assert list(rfm.quintile_scores(np.arange(5))) == [1, 2, 3, 4, 5]
    assert list(rfm.quintile_scores(np.arange(20))) == (
        [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4)
    # A tie across the 40% edge (ranks 6-9 of 0..14) stays together.
    assert list(rfm.quintile_scores([0, 1, 2, 3, 4, 5] + [6] * 4 + [7, 8, 9, 10, 11])) == [
        1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 5]
    assert list(rfm.quintile_scores([42.0])) == [3]
    assert list(rfm.quintile_scores([])) == []


def test_incremental_ranks_against_population():
    population = np.arange(100.0)
    assert list(rfm.quintile_scores([0, 50, 99, 1000], population)) == [1, 3, 5, 5]
    assert list(rfm.quintile_scores([-5], population)) == [1]


def test_segment_rules():
    cases = [
        ((5, 5, 5), "champions"), ((5, 4, 4), "champions"), ((4, 5, 5), "loyal"),
        ((3, 4, 4), "loyal"), ((5, 2, 3), "potential_loyalist"), ((5, 1, 1), "new"),
        ((4, 1, 1), "promising"), ((3, 3, 3), "need_attention"),
        ((3, 1, 2), "about_to_sleep"), ((2, 3, 4), "at_risk"), ((1, 5, 5), "cannot_lose"),
        ((2, 5, 4), "cannot_lose"), ((2, 2, 1), "hibernating"), ((1, 1, 2), "hibernating"),
        ((1, 1, 1), "lost"),
    ]
    r, f, m = (np.array(column) for column in zip(*(c[0] for c in cases), strict=True))
    assert list(rfm.segments(r, f, m)) == [c[1] for c in cases]


def test_every_cell_has_one_of_the_eleven_segments():
    grid = np.array(np.meshgrid(*[np.arange(1, 6)] * 3)).reshape(3, -1)
    assert set(rfm.segments(*grid)) == set(rfm.SEGMENTS)
    assert len(rfm.SEGMENTS) == 11


# ------------------------------------------------------------
# BG/NBD and Gamma-Gamma against lifetimes (to 1e-3)
# ------------------------------------------------------------

@pytest.fixture(scope="module")
def lifetimes():
    return import_lifetimes()


@pytest.fixture(scope="module")
def histories():
    return generate_bgnbd(seed=11)


def test_bgnbd(lifetimes, histories):
    x, t_x, T, _m = histories
    ours = btyd.fit_bgnbd(x, t_x, T)
    ref = lifetimes.BetaGeoFitter().fit(x, t_x, T)
    assert_close([ours.r, ours.alpha, ours.a, ours.b],
                 ref.params_[["r", "alpha", "a", "b"]].to_numpy())
    # The generated data recovers the true parameters roughly.
    assert ours.r == pytest.approx(0.9, abs=0.3)
    assert_close(btyd.probability_alive(ours, x, t_x, T),
                 ref.conditional_probability_alive(x, t_x, T))
    for horizon in (30, 365):
        assert_close(
            btyd.expected_purchases(ours, horizon, x, t_x, T),
            ref.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T),
        )
    # One-time buyers are alive with probability 1 in BG/NBD.
    assert np.all(btyd.probability_alive(ours, [0, 0], [0, 0], [10, 500]) == 1)


def test_gamma_gamma_and_clv(lifetimes, histories):
    x, t_x, T, m = histories
    ours = btyd.fit_gamma_gamma(x, m)
    repeat = x > 0
    ref = lifetimes.GammaGammaFitter().fit(x[repeat], m[repeat])
    assert_close([ours.p, ours.q, ours.v], ref.params_[["p", "q", "v"]].to_numpy())
    assert_close(btyd.expected_average_value(ours, x[repeat], m[repeat]),
                 ref.conditional_expected_average_profit(x[repeat], m[repeat]))
    # CLV: lifetimes' formula (30-day steps, discounted) with its own predictions.
    bg = btyd.fit_bgnbd(x, t_x, T)
    bg_ref = lifetimes.BetaGeoFitter().fit(x, t_x, T)
    value = ref.conditional_expected_average_profit(x[repeat], m[repeat])
    expected = np.zeros(repeat.sum())
    previous = 0
    for i in range(1, 13):
        current = bg_ref.conditional_expected_number_of_purchases_up_to_time(
            30 * i, x[repeat], t_x[repeat], T[repeat])
        expected += (current - previous) * value / 1.01 ** i
        previous = current
    ours_clv = btyd.customer_lifetime_value(
        bg, ours, x[repeat], t_x[repeat], T[repeat], m[repeat],
        months=12, monthly_discount=0.01,
    )
    assert_close(ours_clv, expected)


def test_fit_refuses_degenerate_data():
    with pytest.raises(btyd.FitError):
        btyd.fit_bgnbd([0, 0, 0], [0, 0, 0], [10, 20, 30])
    with pytest.raises(btyd.FitError):
        btyd.fit_gamma_gamma([0, 1], [0, 10])


def test_a_fit_beyond_float_range_is_a_fit_error():
    # Three customers as of 100 days ago in the live tests: the likelihood
    # is flat, BFGS walks the log-parameters past what exp represents.
    # Infinite parameters are no fit (they were stored as such before).
    x = np.array([2.0, 2.0, 1.0])
    with pytest.raises(btyd.FitError):
        btyd.fit_bgnbd(x, np.array([200.0, 260.0, 10.0]), np.array([300.0, 280.0, 250.0]))
    params = btyd.fit_bgnbd(np.array([2.0, 2.0, 1.0, 3.0, 0.0, 3.0]),
                            np.array([200.0, 260.0, 10.0, 395.0, 0.0, 320.0]),
                            np.array([300.0, 280.0, 250.0, 400.0, 160.0, 350.0]))
    assert all(math.isfinite(value) for value in (params.r, params.alpha, params.a, params.b))


# ------------------------------------------------------------
# Loyalty measures and the composite scores
# ------------------------------------------------------------

def test_loyalty_measures():
    np.testing.assert_allclose(loyalty.persistence([6, 12, 1], [12, 12, 0]), [0.5, 1, np.nan])
    # Regular intervals: stability 1; fewer than two intervals: undefined.
    np.testing.assert_allclose(
        loyalty.stability([30, 30, 30], [0, 30, 0], [5, 5, 1]), [1.0, 0.5, np.nan])
    np.testing.assert_allclose(
        loyalty.spend_trend([50, 100, 0, 0, -20], [100, 50, 100, 0, 10]),
        [-0.5, 0.5, -1, 0, -1])
    np.testing.assert_allclose(loyalty.share_of_wallet([50, 500, 10], [100, 200, 0]),
                               [0.5, 1.0, np.nan])


def test_churn_levels_and_reasons():
    level, flags = composite.churn_risk(
        p_alive=[0.9, 0.5, 0.1, 0.9, 0.9, 0.9, 0.5],
        days_since_last=[10, 10, 10, 400, 10, 10, 10],
        trend=[0, 0, 0, 0, -0.5, 0, -0.5],
        complaints=[0, 0, 0, 0, 0, 2, 0],
        expired_contracts=[0, 0, 0, 0, 0, 0, 1],
    )
    assert list(level) == [0, 1, 2, 2, 1, 1, 2]
    assert flags[0] == 0
    assert flags[1] == composite.REASON_P_ALIVE
    assert flags[3] == composite.REASON_INACTIVE
    assert flags[4] == composite.REASON_SPEND_FALLING
    assert flags[5] == composite.REASON_COMPLAINTS
    assert flags[6] == (
        composite.REASON_P_ALIVE | composite.REASON_SPEND_FALLING | composite.REASON_CONTRACT)


def test_value_score_weights():
    components = {"a": np.array([1.0, 0.0, 0.5]), "b": np.array([0.0, 1.0, np.nan])}
    assert list(composite.value_score(components, {"a": 3, "b": 1})) == [75.0, 25.0, 37.5]
    with pytest.raises(ValueError):
        composite.value_score(components, {"a": 0, "b": 0})
