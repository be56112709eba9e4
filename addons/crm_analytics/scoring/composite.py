"""Churn risk levels with reasons, and the weighted value score 0-100."""

import numpy as np

from .rfm import mid_rank_share

CHURN_LEVELS = ("low", "medium", "high")

# Reason flags (a bit mask per customer); the Odoo model renders them as text.
REASON_P_ALIVE = 1  # probability of still being active is low
REASON_INACTIVE = 2  # no purchase for longer than the "lost" period
REASON_SPEND_FALLING = 4  # spend fell against the previous period
REASON_COMPLAINTS = 8  # recent complaints
REASON_CONTRACT = 16  # contract ended without renewal


def churn_risk(
    p_alive, days_since_last, trend, complaints, expired_contracts,
    medium_below=0.7, high_below=0.3, lost_days=365, falling_trend=-0.3,
):
    """Churn level (0 low, 1 medium, 2 high) and reason flags per customer.

    Rules: the probability of being alive sets the base level (below
    ``high_below``: high; below ``medium_below``: medium); no purchase for more
    than ``lost_days`` days makes it high; each other signal (spend trend at or
    below ``falling_trend``, a recent complaint, a contract not renewed) raises it
    by one level. Every rule that fired is in the flags."""
    p_alive = np.asarray(p_alive, dtype=float)
    days = np.asarray(days_since_last, dtype=float)
    trend = np.asarray(trend, dtype=float)
    complaints = np.asarray(complaints, dtype=float)
    contracts = np.asarray(expired_contracts, dtype=float)

    level = np.where(p_alive < high_below, 2, np.where(p_alive < medium_below, 1, 0))
    flags = np.where(p_alive < medium_below, REASON_P_ALIVE, 0)
    inactive = days > lost_days
    level = np.where(inactive, 2, level)
    flags = flags | np.where(inactive, REASON_INACTIVE, 0)
    for signal, flag in (
        (trend <= falling_trend, REASON_SPEND_FALLING),
        (complaints > 0, REASON_COMPLAINTS),
        (contracts > 0, REASON_CONTRACT),
    ):
        level = level + signal.astype(int)
        flags = flags | np.where(signal, flag, 0)
    return np.minimum(level, 2), flags


def rfm_component(r, f, m):
    """RFM scores 1..5 each -> 0..1."""
    return (np.asarray(r) + np.asarray(f) + np.asarray(m) - 3) / 12.0


def rank_component(values, population=None):
    """Mid-rank share in the population, 0..1 (NaN ranks lowest)."""
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=-np.inf)
    if population is not None:
        population = np.nan_to_num(np.asarray(population, dtype=float), nan=-np.inf)
    return mid_rank_share(values, population)


def value_score(components, weights):
    """Weighted mean of components (name -> array 0..1, NaN counts as 0) times
    100. ``weights`` maps the same names to non-negative weights."""
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("the value score weights cannot all be zero")
    score = sum(
        weights[name] * np.nan_to_num(np.asarray(value, dtype=float), nan=0.0)
        for name, value in components.items()
    ) / total
    return np.round(100.0 * np.clip(score, 0.0, 1.0), 1)
