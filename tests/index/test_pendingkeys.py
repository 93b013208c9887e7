import random

import numpy as np
import pytest

from index.pendingkeys import PendingKeys


def test_held_keys_are_found_as_a_table_of_them_finds_them():
    rng = random.Random(5)
    held, table = PendingKeys(), {}
    for batch in range(40):
        pairs = [(rng.randrange(-2**63, 2**63) if rng.random() < 0.7 else rng.randrange(50), batch * 1000 + i)
                 for i in range(rng.randrange(0, 300))]
        held.add([k for k, _ in pairs], [d for _, d in pairs])
        for key, doc in pairs:
            table.setdefault(key, []).append(doc)
        asked = rng.sample(sorted(table), min(60, len(table))) + [rng.randrange(-2**63, 2**63) for _ in range(20)]
        found = held.lookup(asked)
        assert {k: sorted(v) for k, v in found.items()} == {k: sorted(table[k]) for k in set(asked) if k in table}
    assert len(held._runs) <= 2 * np.log2(held.size) + 1
    keys, docs = held.pairs()
    assert list(zip(keys.tolist(), docs.tolist())) == sorted((k, d) for k, ds in table.items() for d in ds)
    assert held.size == len(keys)


def test_a_pair_given_twice_is_held_and_found_once():
    held = PendingKeys()
    held.add([5, 5, 9, 5], [1, 1, 2, 3])
    held.add([5], [1])
    assert held.lookup([5, 9]) == {5: [1, 3], 9: [2]}
    keys, docs = held.pairs()
    assert list(zip(keys.tolist(), docs.tolist())) == [(5, 1), (5, 3), (9, 2)]
    assert held.size == 3


def test_nothing_held_finds_nothing_and_clearing_forgets():
    held = PendingKeys()
    assert held.lookup([1, 2]) == {}
    assert [len(a) for a in held.pairs()] == [0, 0]
    held.add([3, 1], [7, 8])
    assert held.lookup([1, 3, 4]) == {1: [8], 3: [7]}
    held.clear()
    assert held.size == 0 and held.lookup([1]) == {}


def test_each_key_needs_its_document():
    with pytest.raises(ValueError):
        PendingKeys().add([1, 2], [3])


def test_a_key_sharing_a_held_keys_filter_bit_is_not_found():
    from index.pendingkeys import FILTER_BITS
    held = PendingKeys()
    held.add([7, -(2**40)], [1, 2])
    assert held.lookup([7 + (1 << FILTER_BITS), 7, -(2**40) + (3 << FILTER_BITS)]) == {7: [1]}


def test_documents_held_are_listed_once_in_order():
    held = PendingKeys()
    held.add([1, 2, 3], [9, 9, 4])
    held.add([4, 5], [4, -6])
    assert held.documents().tolist() == [-6, 4, 9]
    held.clear()
    assert held.documents().tolist() == []
    assert held.lookup([1, 4]) == {}


def test_runs_are_merged_as_a_stable_sort_of_them_orders_them():
    from index.pendingkeys import _merged, _sorted

    rng = np.random.default_rng(8)
    for size_a, size_b in ((0, 5), (5, 0), (40, 300), (300, 7)):
        a = _sorted(rng.integers(0, 60, size_a), rng.integers(0, 4, size_a))
        b = _sorted(rng.integers(0, 60, size_b), rng.integers(0, 4, size_b))
        merged = _merged(a, b)
        expected = _sorted(np.concatenate((a[0], b[0])), np.concatenate((a[1], b[1])))
        assert [m.tolist() for m in merged] == [e.tolist() for e in expected]
