"""Further tests: a slow worker's late result, a crash in the middle, many threads."""

import sys
import threading
import time
from collections import Counter

from solution import TaskBoard
from test_visible import run_cluster


def test_late_duplicate_is_ignored():
    board = TaskBoard({"x": 3, "y": 4}, lease_seconds=0.2)
    assert tuple(board.claim()) == ("x", 3)  # a slow worker takes x...
    time.sleep(0.3)  # ...and is still busy when its lease runs out
    got = board.claim()
    assert got is not None and tuple(got) == ("x", 3), f"x must be handed out again: {got!r}"
    assert board.complete("x", "fresh") is True, "the first completion of x is accepted"
    assert board.complete("x", "late") is False, (
        "the slow worker's late completion of x must return False and be ignored"
    )
    assert board.results() == [("x", "fresh")], (
        f"results() gave {board.results()!r}: each task must have exactly one result, the first one"
    )
    assert board.done() is False, "y is still unfinished"


def test_no_tasks():
    board = TaskBoard({}, lease_seconds=1.0)
    assert board.claim() is None, "claim() on an empty board returns None"
    assert board.done() is True, "an empty board is done"
    assert board.results() == [], f"results() gave {board.results()!r}"


def test_crash_in_the_middle_over_a_manager():
    tasks = {f"job-{n}": n for n in range(10)}
    # Worker 0 completes two tasks, then dies holding its third; worker 1 never crashes.
    results, done = run_cluster(tasks, lease_seconds=0.3, crash_plan=[3, 0])
    counts = Counter(task_id for task_id, _ in results)
    wrong = {task_id: counts[task_id] for task_id in tasks if counts[task_id] != 1}
    assert not wrong, (
        f"every task must have exactly one result; these have another number: {wrong!r}"
    )
    assert dict(results) == {task_id: n * n for task_id, n in tasks.items()}, (
        f"wrong results: {results!r}"
    )
    assert done, "done() must be True once every task is completed"


def test_many_threads_claim_each_task_once():
    tasks = {n: n for n in range(300)}
    board = TaskBoard(tasks, lease_seconds=30.0)  # no lease runs out in this test
    claimed = []
    claimed_lock = threading.Lock()

    def work():
        while True:
            task = board.claim()
            if task is None:
                return
            task_id, payload = task
            with claimed_lock:
                claimed.append(task_id)
            board.complete(task_id, -payload)

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        sys.setswitchinterval(old_interval)
    assert not any(thread.is_alive() for thread in threads), "the workers did not finish"
    twice = [task_id for task_id, count in Counter(claimed).items() if count > 1]
    assert not twice, (
        f"tasks {twice[:10]} were handed to two workers while their lease was running; "
        "claim() must check and take a task under one lock"
    )
    assert sorted(claimed) == list(range(300)), "every task must be claimed once"
    assert board.done() and len(board.results()) == 300, "all 300 tasks must be completed"
