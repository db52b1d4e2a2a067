"""Tail probabilities in log space, exact enough for alarm thresholds, fast enough per message."""

from __future__ import annotations

import math

LN10 = math.log(10.0)


def poisson_log_sf(count: int, mean: float) -> float:
    """log P(N >= count) for N ~ Poisson(mean); 0.0 when count is not above the mean."""
    if count <= 0 or count <= mean:
        return 0.0
    if mean <= 0.0:
        return -math.inf
    log_term = -mean + count * math.log(mean) - math.lgamma(count + 1)
    total = term = 1.0
    k = count
    while True:
        k += 1
        term *= mean / k
        total += term
        if term < 1e-12 * total:
            break
    return log_term + math.log(total)


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
    log_success = math.log(size / (size + mean))
    log_failure = math.log(mean / (size + mean))
    log_term = (
        math.lgamma(count + size)
        - math.lgamma(size)
        - math.lgamma(count + 1)
        + size * log_success
        + count * log_failure
    )
    failure = math.exp(log_failure)
    total = term = 1.0
    k = count
    for _ in range(200_000):
        term *= (k + size) / (k + 1) * failure
        k += 1
        total += term
        if term < 1e-12 * total:
            break
    return log_term + math.log(total)


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
    log_p, log_q = math.log(probability), math.log1p(-probability)
    log_term = (
        math.lgamma(trials + 1)
        - math.lgamma(successes + 1)
        - math.lgamma(trials - successes + 1)
        + successes * log_p
        + (trials - successes) * log_q
    )
    odds = probability / (1.0 - probability)
    total = term = 1.0
    for k in range(successes, trials):
        term *= (trials - k) / (k + 1) * odds
        total += term
        if term < 1e-12 * total:
            break
    return log_term + math.log(total)


def strength(log_sf: float) -> float:
    """-log10 of a tail probability: 6.0 means one chance in a million."""
    return -log_sf / LN10 if log_sf < 0 else 0.0
