"""The spike check's robust z-score, computed incrementally (a sorted window, and days
ruled out by counting before any deviation is sorted), against the definition of the
contract computed the plain way: median and MAD of the prior days with
:mod:`statistics`."""

from __future__ import annotations

from statistics import median

from hypothesis import example, given
from hypothesis import strategies as st

from aiexports.core.monitoring.checks import _median_of_sorted, _robust_z
from aiexports.sources.reference import monitoring_thresholds

LIMITS = monitoring_thresholds().versions[-1]


def _plain(prior: list[int], value: int) -> tuple[float, float, float | None] | None:
    if len(prior) < LIMITS.spike_min_prior_days:
        return None
    middle = median(prior)
    mad = median(abs(v - middle) for v in prior)
    excess = value - middle
    if excess <= 0:
        return None
    z = excess / (LIMITS.mad_scale * mad) if mad > 0 else None
    if z is not None and z <= LIMITS.spike_z:
        return None
    return middle, mad, z


hours = st.integers(min_value=1, max_value=10**10)


@given(st.lists(hours, min_size=0, max_size=40), hours)
@example([10**6] * 7, 10**6 + 1)  # no spread: any excess is a spike
@example([100, 100, 100, 100, 200, 200, 200, 200], 1000)  # even count, MAD between two
@example([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10 + round(6 * 1.4826 * 2.5))  # z at the bound
# Even count: only half the days lie nearer the median than the bound, yet the MAD (the
# mean of the two middle deviations) is under it: a spike (z 6.2).
@example([92, 97, 107, 111, 118, 121, 123, 129], 188)
def test_the_incremental_z_score_is_the_contracts(prior: list[int], value: int) -> None:
    ordered = sorted(prior)
    assert _robust_z(ordered, value, LIMITS) == _plain(prior, value)
    if prior:
        assert _median_of_sorted(ordered) == median(prior)
