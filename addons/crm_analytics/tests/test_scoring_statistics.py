"""The plain-Python statistics (crm_analytics/scoring), run inside the Odoo test
run so that ``tools/dev.py test`` covers them. The BG/NBD and Gamma-Gamma fits
are checked against the ``lifetimes`` package (requirements-test.txt) on data
generated from the models: a missing ``lifetimes`` fails the test."""

import warnings

import numpy as np

from odoo.tests import BaseCase

from odoo.addons.crm_analytics.scoring import btyd, composite, loyalty, rfm


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


class TestQuintiles(BaseCase):
    def test_distinct_values_split_in_fifths(self):
        self.assertEqual(list(rfm.quintile_scores(np.arange(10))), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        self.assertEqual(list(rfm.quintile_scores([5, 4, 3, 2, 1])), [5, 4, 3, 2, 1])

    def test_lower_recency_is_better(self):
        scores = rfm.quintile_scores([1, 10, 100, 1000, 5], higher_is_better=False)
        self.assertEqual(list(scores), [5, 3, 2, 1, 4])

    def test_ties_share_the_score_of_their_average_rank(self):
        # 6 of 10 customers bought once: middle of the tie at 30% -> 2.
        scores = rfm.quintile_scores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5])
        self.assertEqual(list(scores), [2] * 6 + [4, 4, 5, 5])
        # Everybody equal: the middle score, never split across quintiles.
        self.assertEqual(set(rfm.quintile_scores([7.0] * 9)), {3})

    def test_edges(self):
        # Five customers: one per quintile; 20 customers: four per quintile (the
        # 4th and 5th sit either side of the 20% edge, at 17.5% and 22.5%).
        self.assertEqual(list(rfm.quintile_scores(np.arange(5))), [1, 2, 3, 4, 5])
        self.assertEqual(list(rfm.quintile_scores(np.arange(20))),
                         [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4)
        # A tie across the 40% edge (ranks 6-9 of 0..14) stays together.
        self.assertEqual(list(rfm.quintile_scores([0, 1, 2, 3, 4, 5] + [6] * 4 + [7, 8, 9, 10, 11])),
                         [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 5])
        self.assertEqual(list(rfm.quintile_scores([42.0])), [3])
        self.assertEqual(list(rfm.quintile_scores([])), [])

    def test_incremental_ranks_against_population(self):
        population = np.arange(100.0)
        self.assertEqual(list(rfm.quintile_scores([0, 50, 99, 1000], population)), [1, 3, 5, 5])
        self.assertEqual(list(rfm.quintile_scores([-5], population)), [1])


class TestSegments(BaseCase):
    def test_segment_rules(self):
        cases = [
            ((5, 5, 5), "champions"), ((5, 4, 4), "champions"), ((4, 5, 5), "loyal"),
            ((3, 4, 4), "loyal"), ((5, 2, 3), "potential_loyalist"), ((5, 1, 1), "new"),
            ((4, 1, 1), "promising"), ((3, 3, 3), "need_attention"),
            ((3, 1, 2), "about_to_sleep"), ((2, 3, 4), "at_risk"), ((1, 5, 5), "cannot_lose"),
            ((2, 5, 4), "cannot_lose"), ((2, 2, 1), "hibernating"), ((1, 1, 2), "hibernating"),
            ((1, 1, 1), "lost"),
        ]
        r, f, m = (np.array(column) for column in zip(*(c[0] for c in cases), strict=True))
        self.assertEqual(list(rfm.segments(r, f, m)), [c[1] for c in cases])

    def test_every_cell_has_one_of_the_eleven_segments(self):
        grid = np.array(np.meshgrid(*[np.arange(1, 6)] * 3)).reshape(3, -1)
        found = set(rfm.segments(*grid))
        self.assertEqual(found, set(rfm.SEGMENTS))
        self.assertEqual(len(rfm.SEGMENTS), 11)


class TestModelsAgainstLifetimes(BaseCase):
    """Parameters and per-customer predictions agree with lifetimes to 1e-3."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lifetimes = import_lifetimes()
        cls.x, cls.t_x, cls.T, cls.m = generate_bgnbd(seed=11)

    def assertClose(self, ours, theirs, rtol=1e-3):
        ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0)

    def test_bgnbd(self):
        ours = btyd.fit_bgnbd(self.x, self.t_x, self.T)
        ref = self.lifetimes.BetaGeoFitter().fit(self.x, self.t_x, self.T)
        self.assertClose([ours.r, ours.alpha, ours.a, ours.b],
                         ref.params_[["r", "alpha", "a", "b"]].to_numpy())
        # The generated data recovers the true parameters roughly.
        self.assertAlmostEqual(ours.r, 0.9, delta=0.3)
        self.assertClose(btyd.probability_alive(ours, self.x, self.t_x, self.T),
                         ref.conditional_probability_alive(self.x, self.t_x, self.T))
        for horizon in (30, 365):
            self.assertClose(
                btyd.expected_purchases(ours, horizon, self.x, self.t_x, self.T),
                ref.conditional_expected_number_of_purchases_up_to_time(
                    horizon, self.x, self.t_x, self.T),
            )
        # One-time buyers are alive with probability 1 in BG/NBD.
        self.assertTrue(np.all(btyd.probability_alive(ours, [0, 0], [0, 0], [10, 500]) == 1))

    def test_gamma_gamma_and_clv(self):
        ours = btyd.fit_gamma_gamma(self.x, self.m)
        repeat = self.x > 0
        ref = self.lifetimes.GammaGammaFitter().fit(self.x[repeat], self.m[repeat])
        self.assertClose([ours.p, ours.q, ours.v], ref.params_[["p", "q", "v"]].to_numpy())
        self.assertClose(btyd.expected_average_value(ours, self.x[repeat], self.m[repeat]),
                         ref.conditional_expected_average_profit(self.x[repeat], self.m[repeat]))
        # CLV: lifetimes' formula (30-day steps, discounted) with its own predictions.
        bg = btyd.fit_bgnbd(self.x, self.t_x, self.T)
        bg_ref = self.lifetimes.BetaGeoFitter().fit(self.x, self.t_x, self.T)
        value = ref.conditional_expected_average_profit(self.x[repeat], self.m[repeat])
        expected = np.zeros(repeat.sum())
        previous = 0
        for i in range(1, 13):
            current = bg_ref.conditional_expected_number_of_purchases_up_to_time(
                30 * i, self.x[repeat], self.t_x[repeat], self.T[repeat])
            expected += (current - previous) * value / 1.01 ** i
            previous = current
        ours_clv = btyd.customer_lifetime_value(
            bg, ours, self.x[repeat], self.t_x[repeat], self.T[repeat], self.m[repeat],
            months=12, monthly_discount=0.01,
        )
        self.assertClose(ours_clv, expected)

    def test_fit_refuses_degenerate_data(self):
        with self.assertRaises(btyd.FitError):
            btyd.fit_bgnbd([0, 0, 0], [0, 0, 0], [10, 20, 30])
        with self.assertRaises(btyd.FitError):
            btyd.fit_gamma_gamma([0, 1], [0, 10])


class TestLoyaltyAndComposite(BaseCase):
    def test_loyalty_measures(self):
        np.testing.assert_allclose(loyalty.persistence([6, 12, 1], [12, 12, 0]), [0.5, 1, np.nan])
        # Regular intervals: stability 1; fewer than two intervals: undefined.
        np.testing.assert_allclose(
            loyalty.stability([30, 30, 30], [0, 30, 0], [5, 5, 1]), [1.0, 0.5, np.nan])
        np.testing.assert_allclose(
            loyalty.spend_trend([50, 100, 0, 0, -20], [100, 50, 100, 0, 10]),
            [-0.5, 0.5, -1, 0, -1])
        np.testing.assert_allclose(loyalty.share_of_wallet([50, 500, 10], [100, 200, 0]),
                                   [0.5, 1.0, np.nan])

    def test_churn_levels_and_reasons(self):
        level, flags = composite.churn_risk(
            p_alive=[0.9, 0.5, 0.1, 0.9, 0.9, 0.9, 0.5],
            days_since_last=[10, 10, 10, 400, 10, 10, 10],
            trend=[0, 0, 0, 0, -0.5, 0, -0.5],
            complaints=[0, 0, 0, 0, 0, 2, 0],
            expired_contracts=[0, 0, 0, 0, 0, 0, 1],
        )
        self.assertEqual(list(level), [0, 1, 2, 2, 1, 1, 2])
        self.assertEqual(flags[0], 0)
        self.assertEqual(flags[1], composite.REASON_P_ALIVE)
        self.assertEqual(flags[3], composite.REASON_INACTIVE)
        self.assertEqual(flags[4], composite.REASON_SPEND_FALLING)
        self.assertEqual(flags[5], composite.REASON_COMPLAINTS)
        self.assertEqual(
            flags[6],
            composite.REASON_P_ALIVE | composite.REASON_SPEND_FALLING | composite.REASON_CONTRACT,
        )

    def test_value_score_weights(self):
        components = {"a": np.array([1.0, 0.0, 0.5]), "b": np.array([0.0, 1.0, np.nan])}
        self.assertEqual(list(composite.value_score(components, {"a": 3, "b": 1})),
                         [75.0, 25.0, 37.5])
        with self.assertRaises(ValueError):
            composite.value_score(components, {"a": 0, "b": 0})
