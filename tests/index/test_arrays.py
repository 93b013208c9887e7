import numpy as np
import pytest

from index.arrays import distinct, distinct_counts


@pytest.mark.parametrize("values", [[], [7], [3, 3, 3], [5, -2, 5, 9, -2, 0, 5], list(range(40, 0, -3)) * 2])
def test_distinct_values_and_counts_are_those_numpy_finds(values):
    array = np.array(values, dtype=np.int64)
    assert distinct(array).tolist() == np.unique(array).tolist()
    found, counts = distinct_counts(array)
    expected, expected_counts = np.unique(array, return_counts=True)
    assert found.tolist() == expected.tolist()
    assert counts.tolist() == expected_counts.tolist()


def test_distinct_of_random_keys_matches_numpy():
    keys = np.random.default_rng(3).integers(-2**63, 2**63 - 1, 5000, dtype=np.int64)
    keys = np.concatenate((keys, keys[::7]))
    assert np.array_equal(distinct(keys), np.unique(keys))
    assert np.array_equal(distinct_counts(keys)[1], np.unique(keys, return_counts=True)[1])


def test_runs_of_equal_values_are_kept_once_in_order():
    from index.arrays import without_runs

    assert without_runs(np.array([4, 4, 4, 1, 1, 4, 9, 9], dtype=np.int64)).tolist() == [4, 1, 4, 9]
    assert without_runs(np.array([], dtype=np.int64)).tolist() == []
    assert without_runs(np.array([3], dtype=np.int64)).tolist() == [3]
