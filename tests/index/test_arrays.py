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


def sums_one_by_one(parts):
    """Each posting's values added, in Python, to its document's running totals, part after part."""
    totals: dict[int, list[float]] = {}
    for ids, values in parts:
        for i, doc in enumerate(ids.tolist()):
            row = totals.setdefault(doc, [0.0] * len(values))
            for k, v in enumerate(values):
                row[k] += float(v[i])
    docs = sorted(totals)
    return np.array(docs, dtype=np.int64), [np.array([totals[d][k] for d in docs]) for k in range(len(parts[0][1]))]


@pytest.mark.parametrize("n", [40, 5000])  # few documents: added in arrays; many: by sorting postings
@pytest.mark.parametrize("sizes", [[0, 3], [7], [1, 1, 1], [30, 2, 17, 30], [0, 0]])
def test_sums_by_document_are_those_of_adding_each_part_into_zeros(n, sizes):
    from index.ranking import summed_by_doc

    rng = np.random.default_rng(sum(sizes) + n)
    parts = []
    for size in sizes:
        ids = np.sort(rng.choice(40, size, replace=False)).astype(np.int64)
        # values whose sums depend on the order they are added in
        parts.append((ids, (rng.random(size) * 10.0 ** rng.integers(-8, 8, size), rng.random(size) / 3)))
    ids, sums = summed_by_doc(n, parts)
    expected_ids, expected = sums_one_by_one(parts)
    assert ids.tolist() == expected_ids.tolist()
    for found, wanted in zip(sums, expected):
        assert found.tobytes() == wanted.tobytes()  # to the last bit


def test_summed_by_key_adds_in_the_order_given():
    from index.arrays import summed_by_key

    keys = np.array([5, 2, 5, 9, 2, 5], dtype=np.int64)
    weights = np.array([1e16, 1.0, 1.0, 0.5, 2.0, -1e16])
    found, (sums,) = summed_by_key(keys, weights)
    assert found.tolist() == [2, 5, 9]
    assert sums.tolist() == [3.0, (1e16 + 1.0) - 1e16, 0.5]  # 0.0: the 1.0 is lost, as added in this order
    empty, (nothing,) = summed_by_key(np.zeros(0, dtype=np.int64), np.zeros(0))
    assert empty.tolist() == [] and nothing.tolist() == []


def test_sorted_intersection_is_numpys():
    from index.arrays import sorted_intersection

    rng = np.random.default_rng(11)
    for size_a, size_b in [(0, 5), (5, 0), (1, 1), (3, 400), (400, 3), (250, 260)]:
        a = np.sort(rng.choice(1000, size_a, replace=False)).astype(np.int64)
        b = np.sort(rng.choice(1000, size_b, replace=False)).astype(np.int64)
        assert sorted_intersection(a, b).tolist() == np.intersect1d(a, b).tolist()
    last = np.array([2, 999], dtype=np.int64)  # a value past the end of the other array
    assert sorted_intersection(last, np.array([1, 2, 998], dtype=np.int64)).tolist() == [2]


@pytest.mark.parametrize("size", [0, 1, 2, 7, 1000])
def test_first_places_of_distinct_values_are_numpys(size):
    from index.arrays import first_places

    rng = np.random.default_rng(size)
    values = rng.integers(0, max(1, size // 3), size)  # many repeats
    assert first_places(values).tolist() == np.unique(values, return_index=True)[1].tolist()
