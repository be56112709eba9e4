"""BG/NBD and Gamma-Gamma models, vectorised with numpy and scipy.

Inputs per customer, in the usual "buy till you die" notation:

- ``x``: repeat purchases (purchase days after the first one);
- ``t_x``: time from the first to the last purchase;
- ``T``: time from the first purchase to the reference date;
- ``m``: mean value of the repeat purchases (Gamma-Gamma, customers with x > 0).

Time is in days. Both models are fitted by maximum likelihood on log-parameters
with analytic gradients (BFGS). Customers with identical inputs are collapsed
into one weighted row first, and times are scaled so that the longest T is 10
(as ``lifetimes`` does) for a well-conditioned fit.

References: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way:
An Alternative to the Pareto/NBD Model", Marketing Science 24(2), and
http://brucehardie.com/notes/004/ ; Fader & Hardie (2013), "The Gamma-Gamma
Model of Monetary Value", http://brucehardie.com/notes/025/ .
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1


class FitError(ValueError):
    """The data cannot support a fit (too few customers or no repeat buying)."""


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    v: float


def _collapse(*columns):
    """Unique rows of the stacked columns and their counts (weights)."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(float)


# ------------------------------------------------------------------ BG/NBD


def bgnbd_log_likelihood(params, x, t_x, T):
    """Per-customer log-likelihood of BG/NBD (equation 6 of Fader, Hardie & Lee)."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + t_x)
    a4 = np.where(x > 0, a4, -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def _bgnbd_objective(log_params, xu, xi, x, t_x, T, w, wsum, tu, ti_T, ti_tx):
    """Mean negative log-likelihood and its gradient in log-parameters. The
    gamma-function terms depend on x only and the logarithms of alpha + time on
    the time only: they are computed once per distinct x (``xu``, indexed by
    ``xi``) and per distinct time (``tu``, indexed by ``ti_T`` and ``ti_tx``)
    instead of once per customer."""
    r, alpha, a, b = np.exp(log_params)
    ln_at = np.log(alpha + tu)
    ln_aT = ln_at[ti_T]
    ln_atx = ln_at[ti_tx]
    a3 = -(r + x) * ln_aT
    a4 = np.where(x > 0, np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * ln_atx, -np.inf)
    mx = np.maximum(a3, a4)
    e3 = np.exp(a3 - mx)
    e4 = np.exp(a4 - mx)
    total = e3 + e4
    w3 = e3 / total
    w4 = 1.0 - w3
    g_x = (gammaln(r + xu) + gammaln(b + xu) - gammaln(a + b + xu))[xi]
    ll = (
        g_x - gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b)
        + mx + np.log(total)
    )
    psi_rx = digamma(r + xu)[xi]
    psi_abx = digamma(a + b + xu)[xi]
    psi_bx = digamma(b + xu)[xi]
    psi_ab = digamma(a + b)
    d_r = psi_rx - digamma(r) + np.log(alpha) - w3 * ln_aT - w4 * ln_atx
    inv_at = 1.0 / (alpha + tu)
    d_alpha = r / alpha - (r + x) * (w3 * inv_at[ti_T] + w4 * inv_at[ti_tx])
    d_a = psi_ab - psi_abx + w4 / a
    d_b = psi_ab + psi_bx - digamma(b) - psi_abx - w4 / (b + np.maximum(x, 1) - 1)
    value = -(w @ ll) / wsum
    grad = -np.array([w @ d_r * r, w @ d_alpha * alpha, w @ d_a * a, w @ d_b * b]) / wsum
    return value, grad


def fit_bgnbd(x, t_x, T, initial=None):
    """Maximum likelihood BG/NBD parameters for the customers (x, t_x, T).

    Raises FitError when fewer than 2 customers or nobody bought twice: the
    dropout process cannot be identified then."""
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    if x.size < 2 or not (x > 0).any() or T.max() <= 0:
        raise FitError("BG/NBD needs at least two customers and some repeat purchases")
    scale = 10.0 / T.max()
    (ux, ut, uT), w = _collapse(x, t_x * scale, T * scale)
    xu, xi = np.unique(ux, return_inverse=True)
    tu, ti = np.unique(np.concatenate([uT, ut]), return_inverse=True)
    args = (xu, xi, ux, ut, uT, w, w.sum(), tu, ti[: uT.size], ti[uT.size:])
    result = _minimize(_bgnbd_objective, initial, 4, args,
                       None if initial is None else [1.0, scale, 1.0, 1.0])
    if not np.all(np.isfinite(result)):
        raise FitError("BG/NBD fit did not converge")
    with np.errstate(over="ignore"):
        r, alpha, a, b = np.exp(result)
    # A flat likelihood (a handful of customers) can send the log-parameters
    # beyond what exp represents: no usable fit either.
    if not np.all(np.isfinite([r, alpha / scale, a, b])):
        raise FitError("BG/NBD fit did not converge")
    return BGNBDParams(r=r, alpha=alpha / scale, a=a, b=b)


def _minimize(objective, initial, size, args, initial_scale=None):
    """BFGS on log-parameters from ``initial`` (natural scale, multiplied by
    ``initial_scale``) or from all ones. A start that is already optimal (a
    gradient below 1e-7, as when yesterday's fit is passed) is returned as is:
    BFGS would only lose precision around it."""
    # The line search probes parameters where the likelihood overflows or
    # takes log(0) (on a handful of customers, e.g. all bought on one day):
    # those steps are rejected by BFGS, and a fit that ends non-finite is a
    # FitError for the callers. Warnings about them would be noise.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if initial is None:
            start = np.zeros(size)
        else:
            start = np.log(np.asarray(initial, dtype=float) * np.asarray(initial_scale or 1.0))
            if not np.all(np.isfinite(start)):
                start = np.zeros(size)
            elif np.abs(objective(start, *args)[1]).max() < 1e-7:
                return start
        result = minimize(objective, start, args=args, jac=True, method="BFGS",
                          options={"gtol": 1e-8, "maxiter": 1000})
    return result.x


def _odds_dead_factor(params, x, t_x, T):
    """a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), zero when x = 0."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x = np.asarray(x, dtype=float)
    log_factor = (
        np.log(a) - np.log(b + np.maximum(x, 1) - 1)
        + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(x > 0, np.exp(np.minimum(log_factor, 700)), 0.0)


def probability_alive(params, x, t_x, T):
    """P(customer still active | x, t_x, T) (equation 11 of Fader, Hardie & Lee).
    BG/NBD lets customers drop out only right after a purchase, so a customer
    without a repeat purchase (x = 0) is alive with probability 1."""
    return 1.0 / (1.0 + _odds_dead_factor(params, x, t_x, T))


def expected_purchases(params, t, x, t_x, T):
    """Expected number of purchases in the next ``t`` days (equation 10)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    if np.isscalar(t) and t == 0:
        return np.zeros(np.broadcast(x, t_x, T).shape)
    hyp_z = t / (alpha + T + t)
    # A fit on very few customers can give parameters (a <= 1) where the
    # Gauss hypergeometric term leaves its domain: no warning, and those
    # customers fall back to their observed repeat rate below.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, hyp_z)
        # (alpha+T)/(alpha+T+t))^(r+x) * hyp can be tiny or huge: compute in logs.
        ln_term = (r + x) * np.log((alpha + T) / (alpha + T + t)) + np.log(hyp)
        numerator = (a + b + x - 1) / (a - 1) * (1 - np.exp(ln_term))
        expected = numerator / (1.0 + _odds_dead_factor(params, x, t_x, T))
    if np.all(np.isfinite(expected)):
        return expected
    observed_rate = t * x / np.maximum(T, 1.0) * probability_alive(params, x, t_x, T)
    return np.where(np.isfinite(expected), expected, observed_rate)


# ------------------------------------------------------------------ Gamma-Gamma


def gamma_gamma_log_likelihood(params, x, m):
    """Per-customer log-likelihood of Gamma-Gamma for customers with x > 0 and
    m > 0 (the terms of ``_gg_objective``); NaN for the others."""
    p, q, v = params.p, params.q, params.v
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    xs = np.where(keep, x, 1.0)
    ms = np.where(keep, m, 1.0)
    px = p * xs
    ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1) * np.log(ms)
          + px * np.log(xs) - (px + q) * np.log(xs * ms + v))
    return np.where(keep, ll, np.nan)


def _gg_objective(log_params, xu, xi, x, ln_x, ln_m, m, w, wsum):
    """Mean negative log-likelihood and gradient in log-parameters; terms in
    x only are computed per distinct x (``xu``, indexed by ``xi``)."""
    p, q, v = np.exp(log_params)
    px = p * x
    ln_xmv = np.log(x * m + v)
    g_x = (gammaln(p * xu + q) - gammaln(p * xu))[xi]
    ll = g_x - gammaln(q) + q * np.log(v) + (px - 1) * ln_m + px * ln_x - (px + q) * ln_xmv
    psi_pxq = digamma(p * xu + q)[xi]
    psi_px = digamma(p * xu)[xi]
    d_p = x * (psi_pxq - psi_px + ln_m + ln_x - ln_xmv)
    d_q = psi_pxq - digamma(q) + np.log(v) - ln_xmv
    d_v = q / v - (px + q) / (x * m + v)
    value = -(w @ ll) / wsum
    grad = -np.array([w @ d_p * p, w @ d_q * q, w @ d_v * v]) / wsum
    return value, grad


def fit_gamma_gamma(x, m, initial=None):
    """Maximum likelihood Gamma-Gamma parameters from the customers with at least
    one repeat purchase (x > 0) and a positive mean repeat value m; the others
    are ignored. Raises FitError with fewer than 2 such customers."""
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    if keep.sum() < 2:
        raise FitError("Gamma-Gamma needs at least two customers with repeat purchases")
    (ux, um), w = _collapse(x[keep], m[keep])
    # Fit on values scaled to a mean of 1 (v scales with money, p and q do not).
    scale = 1.0 / np.average(um, weights=w)
    xu, xi = np.unique(ux, return_inverse=True)
    um = um * scale
    result = _minimize(_gg_objective, initial, 3,
                       (xu, xi, ux, np.log(ux), np.log(um), um, w, w.sum()),
                       None if initial is None else [1.0, 1.0, scale])
    if not np.all(np.isfinite(result)):
        raise FitError("Gamma-Gamma fit did not converge")
    with np.errstate(over="ignore"):
        p, q, v = np.exp(result)
    if not np.all(np.isfinite([p, q, v / scale])):
        raise FitError("Gamma-Gamma fit did not converge")
    return GammaGammaParams(p=p, q=q, v=v / scale)


def expected_average_value(params, x, m):
    """E[M | x, m]: the mean order value expected from the customer, shrunk
    towards the population mean p v / (q - 1) the fewer purchases it made.
    Customers without repeat purchases get the population mean."""
    p, q, v = params.p, params.q, params.v
    x = np.asarray(x, dtype=float)
    m = np.where(x > 0, np.asarray(m, dtype=float), 0.0)
    population_mean = v * p / (q - 1) if q > 1 else np.nan
    individual = (p * (v + x * m)) / (p * x + q - 1)
    return np.where(x > 0, individual, population_mean)


def customer_lifetime_value(bgnbd, gamma_gamma, x, t_x, T, m, months=12, monthly_discount=0.01):
    """Discounted expected value of the next ``months`` 30-day periods:
    sum over i of (E[purchases up to 30 i days] - E[up to 30 (i-1)]) *
    E[average value] / (1 + monthly_discount) ** i, the formula of ``lifetimes``
    (``GammaGammaFitter.customer_lifetime_value`` with freq "D")."""
    value = expected_average_value(gamma_gamma, x, m)
    clv = np.zeros(np.shape(value))
    previous = np.zeros(np.shape(value))
    for i in range(1, int(months) + 1):
        current = expected_purchases(bgnbd, 30 * i, x, t_x, T)
        clv += (current - previous) * value / (1 + monthly_discount) ** i
        previous = current
    return clv
