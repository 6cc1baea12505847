"""Each stored answer read once: the same words, SLA, models and date always read the same.

A stored answer is scored on every turn (the form's next question, the progress saved, the
close, a correction's comparison), so without this each one was parsed three to four times per
message (counted in benchmarks/results/turns.md).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from bot.parse.base import Answer

# key -> (the objects whose ids the key holds, the answer). Holding them keeps an id from being
# reused while its entry lives; a hot-reloaded SLA (or a model trained since) reads under new
# ids, so nothing stale is ever returned.
_READ: OrderedDict[tuple[Hashable, ...], tuple[tuple[Any, ...], Answer]] = OrderedDict()
_SIZE = 8192
_lock = threading.Lock()


def read_once(owners: tuple[Any, ...], key: tuple[Hashable, ...], read: Callable[[], Answer]) -> Answer:
    """`read()`'s answer, remembered under the ids of `owners` (an SLA, its models) and `key`."""
    full = (*(id(owner) for owner in owners), *key)
    with _lock:
        entry = _READ.get(full)
        if entry is not None and all(a is b for a, b in zip(entry[0], owners, strict=True)):
            _READ.move_to_end(full)
            return entry[1]
    answer = read()
    with _lock:
        _READ[full] = (owners, answer)
        if len(_READ) > _SIZE:
            _READ.popitem(last=False)
    return answer
