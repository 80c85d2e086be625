"""Tests you can see: results in order, more than one worker process, work sent in chunks."""

import os
import time

from solution import process_in_chunks

# Filled in THIS process whenever the pool pickles a function or an item to send it.
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
    """The work: sleep a little, then return (pid of the worker, value squared).

    Items below `slow_below` take longer. A pool pickles the function once per task, so
    counting the pickles counts the tasks.
    """

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


def test_results_are_in_input_order_when_the_first_items_are_slowest():
    got, _, _ = run(120, slow_below=20)
    assert isinstance(got, list), f"expected a list, got {type(got).__name__}"
    squares = [square for _, square in got]
    expected = [value * value for value in range(120)]
    assert squares == expected, (
        f"the squares are not in input order (first 12: {squares[:12]}, expected "
        f"{expected[:12]}). The first items are the slowest here: collect the chunk results "
        "in chunk order, not in the order they finish."
    )


def test_work_runs_in_more_than_one_worker_process():
    got, _, _ = run(200)
    pids = {pid for pid, _ in got}
    assert os.getpid() not in pids, (
        "some items were processed in the calling process: send the work to a process pool"
    )
    assert len(pids) >= 2, (
        f"all 200 items were processed by the same process ({pids}); split the work into "
        "several chunks so that every worker gets some"
    )


def test_items_are_sent_in_chunks():
    got, tasks, item_pickles = run(200)
    assert [square for _, square in got] == [value * value for value in range(200)], (
        "wrong results for 200 items"
    )
    assert 2 <= tasks <= 40, (
        f"200 items were sent as {tasks} task(s); expected between 2 and 40 (about "
        "workers * 4 = 8 chunks of 25). One task per item pays the pickling and pipe "
        "overhead 200 times; a single task leaves a worker idle."
    )
    assert len(item_pickles) == 200, (
        f"the 200 items were pickled {len(item_pickles)} times in total; send each item "
        "once, inside its own chunk, not the whole list with every task"
    )
