"""A per-process memo whose entries expire after a few seconds.

For hot read paths (survey submissions) where a value may be a little stale and a shared cache
round trip would cost as much as the database query it saves.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, ClassVar, Generic, TypeVar

Value = TypeVar("Value")


class BriefMemo(Generic[Value]):
    _instances: ClassVar[weakref.WeakSet[BriefMemo[Any]]] = weakref.WeakSet()

    def __init__(self, seconds: float, *, max_entries: int | None = None) -> None:
        self.seconds = seconds
        # Keys that change over time (a new analysis, a new language) would otherwise pile up.
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, Value]] = {}
        BriefMemo._instances.add(self)

    def forget(self, key: Hashable) -> None:
        """Drop one remembered value, so the next `get` loads afresh."""
        self._entries.pop(key, None)

    @classmethod
    def forget_everything(cls) -> None:
        """Empty every memo of the process (tests start afresh; nothing else needs it)."""
        for memo in list(cls._instances):
            memo._entries.clear()

    def get(self, key: Hashable, load: Callable[[], Value], *, usable: bool = True) -> Value:
        """The remembered value for ``key`` if fresh (and ``usable``), else ``load()``'s."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if usable and entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        self._entries.pop(key, None)
        self._entries[key] = (now + self.seconds, value)
        if self.max_entries is not None:
            while len(self._entries) > self.max_entries:
                del self._entries[next(iter(self._entries))]
        return value
