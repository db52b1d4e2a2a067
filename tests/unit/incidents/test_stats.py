"""Tail probabilities behind every alarm: checked against direct sums."""

from __future__ import annotations

import math
import random

import pytest

from ombuds.incidents.detectors.stats import (
    binomial_log_sf,
    negative_binomial_log_pmf,
    negative_binomial_log_sf,
    negative_binomial_strength_bound,
    poisson_log_sf,
    strength,
)


def _poisson_tail(count: int, mean: float) -> float:
    return 1.0 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(count))


def _negative_binomial_tail(count: int, mean: float, dispersion: float) -> float:
    size = 1.0 / dispersion
    p = size / (size + mean)
    pmf = [
        math.exp(math.lgamma(k + size) - math.lgamma(size) - math.lgamma(k + 1)) * p**size * (1 - p) ** k
        for k in range(count)
    ]
    return 1.0 - math.fsum(pmf)


def _log_direct_sum(log_terms: list[float]) -> float:
    top = max(log_terms)
    return top + math.log(math.fsum(math.exp(term - top) for term in log_terms))


def _binomial_tail(successes: int, trials: int, p: float) -> float:
    return sum(math.comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(successes, trials + 1))


@pytest.mark.parametrize(("count", "mean"), [(5, 1.0), (12, 2.3), (30, 9.5), (3, 0.1)])
def test_poisson_tail_matches_the_direct_sum(count: int, mean: float) -> None:
    assert math.exp(poisson_log_sf(count, mean)) == pytest.approx(_poisson_tail(count, mean), rel=1e-6)


@pytest.mark.parametrize(("successes", "trials", "p"), [(5, 20, 0.05), (15, 16, 0.7), (4, 60, 0.001)])
def test_binomial_tail_matches_the_direct_sum(successes: int, trials: int, p: float) -> None:
    expected = _binomial_tail(successes, trials, p)
    assert math.exp(binomial_log_sf(successes, trials, p)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("count", "mean", "dispersion"), [(60, 30.0, 0.05), (29, 28.9, 3.0), (3, 0.4, 1.0), (40, 6.0, 0.2)]
)
def test_negative_binomial_tail_matches_the_direct_sum(count: int, mean: float, dispersion: float) -> None:
    expected = _negative_binomial_tail(count, mean, dispersion)
    assert math.exp(negative_binomial_log_sf(count, mean, dispersion)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("count", "mean", "dispersion"), [(4, 0.42, 0.0), (5, 0.42, 0.3), (0, 2.0, 0.1), (30, 9.5, 0.05)]
)
def test_negative_binomial_probability_of_one_count_is_the_difference_of_its_tails(
    count: int, mean: float, dispersion: float
) -> None:
    tail = _poisson_tail if dispersion == 0.0 else lambda k, m: _negative_binomial_tail(k, m, dispersion)
    expected = tail(count, mean) - tail(count + 1, mean)
    assert math.exp(negative_binomial_log_pmf(count, mean, dispersion)) == pytest.approx(expected, rel=1e-6)


def test_a_storm_far_beyond_the_smallest_double_keeps_a_finite_ordered_strength() -> None:
    # 900 voices where 10 are usual: the tail is about 1e-1100, far below what a float holds
    log_terms = [k * math.log(10.0) - 10.0 - math.lgamma(k + 1) for k in range(900, 1200)]
    assert poisson_log_sf(900, 10.0) == pytest.approx(_log_direct_sum(log_terms), rel=1e-6)
    strengths = [strength(negative_binomial_log_sf(voices, 10.0, 0.05)) for voices in (300, 600, 5000)]
    assert all(math.isfinite(power) for power in strengths)
    assert strengths == sorted(strengths)
    assert strengths[0] > 100
    p, n = 0.01, 1000
    log_terms = [
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
        for k in range(400, n + 1)
    ]
    assert binomial_log_sf(400, n, p) == pytest.approx(_log_direct_sum(log_terms), rel=1e-6)


def test_a_rate_that_swings_makes_the_same_count_less_surprising() -> None:
    steady = poisson_log_sf(60, 30.0)
    swinging = negative_binomial_log_sf(60, 30.0, 0.05)
    assert swinging > steady  # a larger (less negative) log tail: weaker evidence
    assert negative_binomial_log_sf(60, 30.0, 0.0) == pytest.approx(steady)


def test_counts_at_or_below_the_mean_are_no_evidence() -> None:
    assert poisson_log_sf(3, 5.0) == 0.0
    assert strength(negative_binomial_log_sf(5, 5.0, 0.1)) == 0.0
    assert strength(math.log(1e-6)) == pytest.approx(6.0)


def test_the_quick_bound_is_never_below_the_strength_it_lets_detectors_skip() -> None:
    # Detectors skip the exact tail when this bound falls short of their threshold or of the
    # best window so far; a bound below the exact strength would drop an alarm.
    rng = random.Random(17)
    for _ in range(20_000):
        count = rng.randint(0, 3000) if rng.random() < 0.1 else rng.randint(0, 60)
        mean = 10 ** rng.uniform(-6, 3)
        dispersion = rng.choice([0.0, 1e-9, 1e-6, 1e-4, 10 ** rng.uniform(-4, 1)])
        exact = strength(negative_binomial_log_sf(count, mean, dispersion))
        assert negative_binomial_strength_bound(count, mean, dispersion) >= exact, (count, mean, dispersion)
    # far from a threshold, the bound is close enough to skip the exact tail
    assert negative_binomial_strength_bound(8, 4.0, 0.1) < 2.5
