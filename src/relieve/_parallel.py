"""Run independent pieces of work on both cores of the machine.

The model's compiled kernel and NumPy's array loops release the GIL, so work split over
two threads uses two cores. Threads are started per call and each takes the next item
when it is free; nothing is kept between calls. Measured (issue 9, bench/planner.py and
bench/own_model.py), the best arrangement depends on the work:

- a plan's four searches (Python between many small kernel calls): the calling thread
  works beside one helper - a warm plan 36 -> 29 ms and all 46 plans 0.86 -> 0.71 s
  against a pool of two that the caller waits on (a first plan 60 -> 52 ms);
- large chunks of postures: two helpers while the caller waits - 10,000 postures in
  42-43 ms, where the caller working beside one helper took 46-48 ms.
"""

from __future__ import annotations

import os
import threading
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CORES = min(2, os.cpu_count() or 1)


def map_on_cores(fn: Callable[[T], R], items: Sequence[T], caller_works: bool = True) -> list[R]:
    """``[fn(x) for x in items]``, computed on up to two threads: the caller and one
    helper, or (``caller_works=False``) two helpers while the caller waits. The first
    error raised by any item is raised here, after every thread has stopped."""
    items = list(items)
    if len(items) < 2 or CORES < 2:
        return [fn(x) for x in items]
    out: list = [None] * len(items)
    errors: list[BaseException] = []
    order = iter(range(len(items)))  # each thread takes the next item when it is free
    lock = threading.Lock()

    def run() -> None:
        while not errors:
            with lock:
                i = next(order, None)
            if i is None:
                return
            try:
                out[i] = fn(items[i])
            except BaseException as exc:  # handed to the caller below
                errors.append(exc)
                return

    helpers = [threading.Thread(target=run, name="relieve-helper") for _ in range(1 if caller_works else 2)]
    for h in helpers:
        h.start()
    if caller_works:
        run()
    for h in helpers:
        h.join()
    if errors:
        raise errors[0]
    return out
