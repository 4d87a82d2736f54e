"""Confidence intervals for accuracies.

The Wilson score interval is used rather than the normal approximation because benchmark slices
are often small (a few hundred Japanese items, a handful in tests) and accuracies near 0 or 1,
where ``p ± 1.96·sqrt(p(1-p)/n)`` leaves [0, 1] or collapses to a zero-width interval.
"""

from __future__ import annotations

import math

#: two-sided 95 % normal quantile
Z95 = 1.959963984540054


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``successes`` out of ``total``; (0, 1) when there is no item."""
    if total < 0 or not 0 <= successes <= total:
        raise ValueError(f"need 0 <= successes <= total, got {successes}/{total}")
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    # at p = 0 or 1 the bound is exactly 0 or 1; floating point would leave it a hair inside
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == total else min(1.0, centre + half)
    return low, high
