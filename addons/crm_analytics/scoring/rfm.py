"""RFM quintile scores and segments.

Scores (1-5, 5 best) come from each customer's *mid-rank percentile* in the
population: ``p = (number of smaller values + number of equal values / 2) / n``
and ``score = 1 + floor(5 * p)`` (capped at 5). With distinct values this is the
plain quintile (the lowest fifth scores 1, the highest fifth 5). Equal values
always share one score, the score of the middle of their tie: a value shared by
many customers is not split arbitrarily across two quintiles (for example when
60% of customers bought once, they all get the frequency score of percentile
30%, i.e. 2; when everybody is equal, or there is a single customer, everybody
gets 3). For recency a lower number of days is better, so the scale is reversed.
"""

import numpy as np

SEGMENTS = (
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cannot_lose",
    "hibernating",
    "lost",
)


def mid_rank_share(values, population=None):
    """Share of ``population`` ranked below each of ``values`` (0 < share <= 1),
    counting equal values as half below (a value absent from the population
    counts as one equal value). ``population`` defaults to ``values``
    (the full recompute); an incremental update passes the stored population.
    """
    values = np.asarray(values, dtype=float)
    pop = np.sort(np.asarray(values if population is None else population, dtype=float))
    n = pop.size
    if n == 0:
        return np.zeros_like(values)
    less = np.searchsorted(pop, values, side="left")
    equal = np.searchsorted(pop, values, side="right") - less
    # A value absent from the population ranks as if it were inserted.
    equal = np.maximum(equal, 1)
    return (less + equal / 2.0) / n


def quintile_scores(values, population=None, higher_is_better=True):
    """Scores 1..5 by quintile of the mid-rank (see the module docstring)."""
    values = np.asarray(values, dtype=float)
    if population is None:
        population = values
    population = np.asarray(population, dtype=float)
    if not higher_is_better:
        values, population = -values, -population
    share = mid_rank_share(values, population)
    return np.clip(np.floor(share * 5).astype(int) + 1, 1, 5)


# Segment grid on the recency score (rows, R 1..5) and the combined
# frequency-monetary score (columns, FM 1..5), where FM = (F + M) / 2 rounded half
# up. This is the widely used R x F segment map (champions: R 5 and F 4-5; loyal:
# R 3-4 and F 4-5; potential loyalist: R 4-5 and F 2-3; new: R 5, F 1; promising:
# R 4, F 1; need attention: R 3, F 3; about to sleep: R 3, F 1-2; at risk: R 1-2,
# F 3-4; cannot lose: R 1-2, F 5; hibernating: R 1-2, F 1-2), read on FM instead
# of F so that the money counts, and with "lost" for the worst corner (R 1, FM 1).
#          FM=1                  FM=2                  FM=3              FM=4           FM=5
SEGMENT_GRID = (
    ("lost",               "hibernating",        "at_risk",        "at_risk",     "cannot_lose"),  # R=1
    ("hibernating",        "hibernating",        "at_risk",        "at_risk",     "cannot_lose"),  # R=2
    ("about_to_sleep",     "about_to_sleep",     "need_attention", "loyal",       "loyal"),        # R=3
    ("promising",          "potential_loyalist", "potential_loyalist", "loyal",   "loyal"),        # R=4
    ("new",                "potential_loyalist", "potential_loyalist", "champions", "champions"),  # R=5
)
_GRID_INDEX = np.array([[SEGMENTS.index(s) for s in row] for row in SEGMENT_GRID])


def fm_scores(f_scores, m_scores):
    """Combined frequency-monetary score: the mean of F and M rounded half up."""
    return (np.asarray(f_scores, dtype=int) + np.asarray(m_scores, dtype=int) + 1) // 2


def segments(r_scores, f_scores, m_scores):
    """Segment key of each customer (an object array of strings from SEGMENTS)."""
    r = np.asarray(r_scores, dtype=int)
    fm = fm_scores(f_scores, m_scores)
    index = _GRID_INDEX[r - 1, fm - 1]
    return np.asarray(SEGMENTS, dtype=object)[index]
