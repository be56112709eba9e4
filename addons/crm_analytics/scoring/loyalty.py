"""Loyalty measures from purchase history (DOMAIN.md: persistence, stability,
trend, share of wallet). All inputs are per-customer arrays; undefined values
are NaN and the caller decides how to show them."""

import numpy as np


def persistence(active_months, months_span):
    """Continuous buying: the share of calendar months, from the month of the
    first purchase to the reference month included, with at least one purchase
    (1.0 = bought every month)."""
    active_months = np.asarray(active_months, dtype=float)
    months_span = np.asarray(months_span, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(months_span > 0, active_months / months_span, np.nan)
    return np.clip(share, 0.0, 1.0)


def stability(interval_mean, interval_std, interval_count):
    """Regularity of the purchase cycle: 1 / (1 + coefficient of variation of the
    days between purchase days). 1.0 = perfectly regular; needs at least two
    intervals (three purchase days), NaN otherwise."""
    mean = np.asarray(interval_mean, dtype=float)
    std = np.asarray(interval_std, dtype=float)
    count = np.asarray(interval_count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = std / mean
        result = 1.0 / (1.0 + cv)
    return np.where((count >= 2) & (mean > 0), result, np.nan)


def spend_trend(current, previous):
    """Relative change of spend between the previous and the current period, in
    [-1, 1]: (current - previous) / max(current, previous). -1 = stopped
    spending, +1 = new spend, 0 = flat or no spend at all. Negative spend
    (refunds larger than sales) counts as zero."""
    current = np.maximum(np.asarray(current, dtype=float), 0.0)
    previous = np.maximum(np.asarray(previous, dtype=float), 0.0)
    top = np.maximum(current, previous)
    with np.errstate(divide="ignore", invalid="ignore"):
        trend = np.where(top > 0, (current - previous) / top, 0.0)
    return trend


def share_of_wallet(revenue, potential):
    """Share of the customer's estimated yearly potential that it spends with
    us, capped at 1. NaN where no potential is entered."""
    revenue = np.maximum(np.asarray(revenue, dtype=float), 0.0)
    potential = np.asarray(potential, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(potential > 0, revenue / potential, np.nan)
    return np.minimum(share, 1.0)
