"""The Monte Carlo core: exact per-deal Bernoulli draws, reproducible on any number of threads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

from salesflow.forecasting._montecarlo import _BLOCK, _LEVELS, simulate  # noqa: E402

# Whole amounts small enough that float32 sums of up to 20 deals are exact.
AMOUNTS = st.integers(0, 100_000).map(float)
CHANCES = st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, 1e-9, 1 - 1e-9, 0.5]))
DEALS = st.lists(st.tuples(AMOUNTS, CHANCES), min_size=1, max_size=20)


def _bound(variance: float, span: float, n: int) -> float:
    """Bernstein: a mean of n draws in a range of ``span`` misses its expectation by more
    than this with probability below 1e-9, however skewed the draws."""
    log = np.log(2 / 1e-9)
    return float(np.sqrt(2 * variance * log / n) + 2 / 3 * span * log / n) + 1e-9


def _resolved(chances: np.ndarray) -> np.ndarray:
    """The chances as simulate resolves them: the nearest multiple of 1/65,536."""
    return np.round(chances * _LEVELS) / _LEVELS


def test_the_same_seed_gives_the_same_totals_and_another_seed_others() -> None:
    rng = np.random.default_rng(3)
    amounts, chances = rng.lognormal(8, 1, 300), rng.random(300)
    one = simulate(amounts, chances, draws=2 * _BLOCK + 7, seed=11)
    assert np.array_equal(one, simulate(amounts, chances, draws=2 * _BLOCK + 7, seed=11))
    assert not np.array_equal(one, simulate(amounts, chances, draws=2 * _BLOCK + 7, seed=12))
    # Every block of draws has its own generator: no block repeats another.
    assert not np.array_equal(one[:_BLOCK], one[_BLOCK : 2 * _BLOCK])


@pytest.mark.parametrize("draws", [1, _BLOCK - 1, 3 * _BLOCK + 5])
def test_the_number_of_threads_does_not_change_a_single_bit(draws: int) -> None:
    rng = np.random.default_rng(draws)
    amounts, chances = rng.lognormal(8, 1, 2_500), rng.random(2_500)
    alone = simulate(amounts, chances, draws=draws, seed=4, workers=1)
    assert alone.shape == (draws,)
    for workers in (2, 3, 8):
        together = simulate(amounts, chances, draws=draws, seed=4, workers=workers)
        assert together.tobytes() == alone.tobytes()


@given(DEALS, st.integers(0, 2**32))
def test_mean_and_variance_agree_with_the_exact_ones(
    deals: list[tuple[float, float]], seed: int
) -> None:
    amounts = np.array([a for a, _ in deals])
    chances = np.array([c for _, c in deals])
    draws = 4_000
    totals = simulate(amounts, chances, draws=draws, seed=seed)
    p = _resolved(chances)
    mean = float((amounts * p).sum())
    variance = float((amounts**2 * p * (1 - p)).sum())
    # The fourth cumulant of the sum: (total - mean)² has variance kappa4 + 2 variance².
    kappa4 = float((amounts**4 * p * (1 - p) * (1 - 6 * p * (1 - p))).sum())
    span = float(amounts.sum())
    assert abs(totals.mean() - mean) <= _bound(variance, span, draws)
    squares = (totals - mean) ** 2
    spread = max(kappa4 + 2 * variance**2, 0.0)
    assert abs(squares.mean() - variance) <= _bound(spread, span**2, draws) * (1 + 1e-9)


@given(st.lists(st.floats(0, 1), min_size=2, max_size=16), st.integers(0, 2**32))
def test_each_deal_comes_in_on_its_own_with_its_chance(chances: list[float], seed: int) -> None:
    # Amounts 1, 2, 4, ... make every total spell out which deals came in.
    n, draws = len(chances), 3_000
    totals = simulate(2.0 ** np.arange(n), np.array(chances), draws=draws, seed=seed)
    came = (totals.astype(np.int64)[:, None] >> np.arange(n)) & 1
    p = _resolved(np.array(chances))
    for i in range(n):
        assert abs(came[:, i].mean() - p[i]) <= _bound(p[i] * (1 - p[i]), 1, draws)
    # Independence: the first two deals come in together as often as p0 * p1 says.
    both = p[0] * p[1]
    together = (came[:, 0] & came[:, 1]).mean()
    assert abs(together - both) <= _bound(both * (1 - both), 1, draws)


@given(st.lists(st.tuples(AMOUNTS, st.sampled_from([0.0, 1.0, 1e-7, 1 - 1e-7])), max_size=20))
def test_certain_deals_are_in_every_draw_and_impossible_ones_in_none(
    deals: list[tuple[float, float]],
) -> None:
    amounts = np.array([a for a, _ in deals])
    chances = np.array([c for _, c in deals])
    totals = simulate(amounts, chances, draws=50, seed=1)
    # Within 1/131,072 of 0 or 1 a chance resolves to 0 or 1.
    assert np.all(totals == amounts[chances > 0.5].sum())


def test_no_deals_give_zero_totals_and_one_draw_gives_one_total() -> None:
    assert simulate(np.zeros(0), np.zeros(0), draws=3, seed=0).tolist() == [0.0, 0.0, 0.0]
    assert simulate(np.array([5.0]), np.array([1.0]), draws=1, seed=0).tolist() == [5.0]
