"""Tail probabilities in log space, exact enough for alarm thresholds, fast enough per message.

The tails come from scipy's incomplete gamma and beta functions (constant time, no series to
sum). Past the smallest double (a tail below 1e-280, a strength above 280) they underflow to zero;
there the log of the first term plus a geometric bound on the rest keeps the strength finite and
still ordered, within a fraction of one unit of strength, far past every alarm threshold.
"""

from __future__ import annotations

import math

from scipy import special

LN10 = math.log(10.0)
_SMALLEST_TAIL = 1e-280  # below this the special functions lose their last digits, then underflow


def _beyond_underflow(log_first: float, ratio_bound: float) -> float:
    """log(first term) + log(1 / (1 - ratio)): the tail as a geometric series that bounds it."""
    return log_first - math.log1p(-min(ratio_bound, 1.0 - 1e-12))


def poisson_log_sf(count: int, mean: float) -> float:
    """log P(N >= count) for N ~ Poisson(mean); 0.0 when count is not above the mean."""
    if count <= 0 or count <= mean:
        return 0.0
    if mean <= 0.0:
        return -math.inf
    tail = float(special.pdtrc(count - 1, mean))
    if tail > _SMALLEST_TAIL:
        return math.log(tail)
    log_first = float(special.xlogy(count, mean) - mean - special.gammaln(count + 1))
    # term(k+1) / term(k) = mean / (k+1): it only shrinks past ``count``
    return _beyond_underflow(log_first, mean / (count + 1))


def negative_binomial_log_sf(count: int, mean: float, dispersion: float) -> float:
    """log P(N >= count) when N is Poisson with a rate that itself varies (a gamma mixture).

    ``dispersion`` is the squared coefficient of variation of the rate, so the variance is
    ``mean + dispersion * mean**2``: small windows behave like Poisson, long ones are judged
    against the usual day-to-day swing of the stream, not against counting noise alone.
    """
    if dispersion <= 1e-9:
        return poisson_log_sf(count, mean)
    if count <= 0 or count <= mean:
        return 0.0
    if mean <= 0.0:
        return -math.inf
    size = 1.0 / dispersion
    success = size / (size + mean)
    failure = mean / (size + mean)
    # P(N >= count) = I_success(size, count) complemented (scipy's nbdtrc would floor ``size``)
    tail = float(special.betaincc(size, count, success))
    if tail > _SMALLEST_TAIL:
        return math.log(tail)
    log_first = float(
        special.gammaln(count + size)
        - special.gammaln(size)
        - special.gammaln(count + 1)
        + size * math.log(success)
        + count * math.log(failure)
    )
    # term(k+1) / term(k) = (k + size) / (k + 1) * failure: falling towards ``failure`` when
    # size > 1, rising towards it when size < 1, so the larger of the two bounds every later ratio
    return _beyond_underflow(log_first, max((count + size) / (count + 1), 1.0) * failure)


_BOUND_MARGIN = 0.01  # strength units: far above the rounding of lgamma against gammaln


def negative_binomial_strength_bound(count: int, mean: float, dispersion: float) -> float:
    """At least ``strength(negative_binomial_log_sf(count, mean, dispersion))``, in far less time.

    The tail holds the probability of ``count`` itself, so its strength is at most that term's
    (``negative_binomial_log_pmf``, without the special functions' per-call cost). A detector
    whose threshold this bound does not reach can skip the exact tail: most windows are far
    from it.
    """
    if count <= 0 or count <= mean:
        return 0.0
    if mean <= 0.0:
        return math.inf
    if 1e-9 < dispersion < 1e-4:
        # lgamma(count + size) - lgamma(size) cancels away its digits for a huge ``size``
        return math.inf
    return -negative_binomial_log_pmf(count, mean, dispersion) / LN10 + _BOUND_MARGIN


def negative_binomial_log_pmf(count: int, mean: float, dispersion: float) -> float:
    """log P(N = count) for the same gamma mixture of Poissons (Poisson when ``dispersion`` is 0).

    ``math.lgamma``, not ``special.gammaln``: detectors ask for it per message, and the plain
    function costs a fraction of the array machinery's call for the same digits (within
    ``_BOUND_MARGIN`` of a strength).
    """
    if count < 0:
        return -math.inf
    if mean <= 0.0:
        return 0.0 if count == 0 else -math.inf
    if dispersion <= 1e-9:
        return count * math.log(mean) - mean - math.lgamma(count + 1)
    size = 1.0 / dispersion
    return (
        math.lgamma(count + size)
        - math.lgamma(size)
        - math.lgamma(count + 1)
        + size * math.log(size / (size + mean))
        + count * math.log(mean / (size + mean))
    )


def binomial_log_sf(successes: int, trials: int, probability: float) -> float:
    """log P(K >= successes) for K ~ Binomial(trials, probability); 0.0 when not above the mean."""
    if successes <= 0 or successes <= trials * probability:
        return 0.0
    if successes > trials:
        return -math.inf
    if probability <= 0.0:
        return -math.inf
    if probability >= 1.0:
        return 0.0
    tail = float(special.bdtrc(successes - 1, trials, probability))
    if tail > _SMALLEST_TAIL:
        return math.log(tail)
    log_first = float(
        special.gammaln(trials + 1)
        - special.gammaln(successes + 1)
        - special.gammaln(trials - successes + 1)
        + special.xlogy(successes, probability)
        + special.xlog1py(trials - successes, -probability)
    )
    # term(k+1) / term(k) = (trials - k) / (k + 1) * odds: it only shrinks past ``successes``
    odds = probability / (1.0 - probability)
    return _beyond_underflow(log_first, (trials - successes) / (successes + 1) * odds)


def strength(log_sf: float) -> float:
    """-log10 of a tail probability: 6.0 means one chance in a million."""
    return -log_sf / LN10 if log_sf < 0 else 0.0
