"""relieve._parallel.map_on_cores: the same answers, in order, as a plain loop; errors reach the caller."""

from __future__ import annotations

import threading

import pytest

from relieve._parallel import map_on_cores


@pytest.mark.parametrize("caller_works", [True, False])
@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_results_are_in_order(n, caller_works):
    assert map_on_cores(lambda x: x * x, range(n), caller_works=caller_works) == [x * x for x in range(n)]


@pytest.mark.parametrize("caller_works", [True, False])
def test_an_error_is_raised_to_the_caller_after_every_thread_stopped(caller_works):
    seen = []

    def work(x):
        seen.append(x)
        if x == 3:
            raise ValueError("item 3")
        return x

    before = threading.active_count()
    with pytest.raises(ValueError, match="item 3"):
        map_on_cores(work, range(10), caller_works=caller_works)
    assert threading.active_count() == before
    assert 3 in seen


def test_work_is_shared_between_two_threads():
    names = set()
    barrier = threading.Barrier(2, timeout=10)

    def work(x):
        names.add(threading.current_thread().name)
        barrier.wait()  # both items are in progress at once, on different threads
        return x

    assert map_on_cores(work, [1, 2]) == [1, 2]
    assert len(names) == 2
