"""Further tests: an empty input, three workers, other sizes, each item sent once."""

import os
import time
from collections import Counter

from solution import process_in_chunks

FUNC_PICKLES = []
ITEM_PICKLES = []


class Item:
    """An item that notes every time it is pickled."""

    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        ITEM_PICKLES.append(self.value)
        return (Item, (self.value,))


class SquareWithPid:
    """Sleep a little, then return (pid of the worker, value squared); counts its pickles."""

    def __init__(self, slow_below=0):
        self.slow_below = slow_below

    def __reduce__(self):
        FUNC_PICKLES.append(1)
        return (SquareWithPid, (self.slow_below,))

    def __call__(self, item):
        time.sleep(0.01 if item.value < self.slow_below else 0.002)
        return os.getpid(), item.value * item.value


def run(count, workers=2, slow_below=0):
    FUNC_PICKLES.clear()
    ITEM_PICKLES.clear()
    items = [Item(value) for value in range(count)]
    got = process_in_chunks(items, SquareWithPid(slow_below), workers)
    return got, len(FUNC_PICKLES), list(ITEM_PICKLES)


def test_empty_input_gives_empty_list():
    got, _, _ = run(0)
    assert got == [], f"process_in_chunks([], func) returned {got!r}, expected []"


def test_three_workers_and_an_uneven_count():
    got, tasks, _ = run(91, workers=3, slow_below=10)
    squares = [square for _, square in got]
    assert squares == [value * value for value in range(91)], (
        f"wrong or out-of-order results for 91 items and 3 workers: first 12 {squares[:12]}"
    )
    pids = {pid for pid, _ in got}
    assert len(pids) >= 2 and os.getpid() not in pids, (
        f"91 items were handled by processes {pids} (the caller is {os.getpid()})"
    )
    assert 2 <= tasks <= 91 // 5, f"91 items were sent as {tasks} task(s), expected 2 to 18"


def test_each_item_is_sent_exactly_once():
    _, _, item_pickles = run(240)
    counts = Counter(item_pickles)
    wrong = {value: counts[value] for value in range(240) if counts[value] != 1}
    assert not wrong, (
        f"{len(wrong)} of 240 items were pickled a number of times other than once, e.g. "
        f"{dict(list(wrong.items())[:5])}; each item should travel once, in its own chunk"
    )


def test_a_long_list_uses_few_tasks():
    got, tasks, _ = run(300)
    assert [square for _, square in got] == [value * value for value in range(300)], (
        "wrong results for 300 items"
    )
    assert 2 <= tasks <= 60, (
        f"300 items were sent as {tasks} task(s); about workers * 4 = 8 chunks is the goal"
    )
