"""Answers to recent searches, kept until the index changes.

A search is a pure function of the request and the index generation (every commit, in this process
or another, makes a new one), so the same request against the same generation can be answered from
memory: pages of one query, a facet clicked and unclicked, the front page, the same link opened by
many people. A new generation empties the cache; it holds at most ``size`` answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable


class ResultCache:
    def __init__(self, size: int = 512):
        self.size = size
        self._lock = threading.Lock()
        self._generation: Hashable = None
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, generation: Hashable, key: Hashable) -> Any | None:
        with self._lock:
            if generation != self._generation:
                self.misses += 1
                return None
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, generation: Hashable, key: Hashable, value: Any) -> None:
        with self._lock:
            if generation != self._generation:
                self._items.clear()
                self._generation = generation
            self._items[key] = value
            if len(self._items) > self.size:
                self._items.popitem(last=False)
