"""Tests you can see: claim and complete, an expired lease, a worker that crashes."""

import multiprocessing
import os
import time
from multiprocessing.managers import BaseManager

from solution import TaskBoard

AUTHKEY = b"threadline-lease-work-queue"

# The manager's server process keeps one board, created by the first get_board() call.
# Everything a process needs lives at the top level of this module, so that the "spawn"
# start method used below can find it by name.
_board = None


def _get_board(tasks=None, lease_seconds=None):
    global _board
    if tasks is not None:
        _board = TaskBoard(tasks, lease_seconds)
    return _board


class BoardManager(BaseManager):
    pass


BoardManager.register("get_board", callable=_get_board)


def worker(address, authkey, crash_on_claim, seconds):
    """A worker process: connects to the board over TCP and squares payloads.

    On its claim number crash_on_claim it dies at once, holding a task it never completes.
    """
    manager = BoardManager(address=address, authkey=authkey)
    manager.connect()
    board = manager.get_board()
    claims = 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at and not board.done():
        task = board.claim()
        if task is None:
            time.sleep(0.02)
            continue
        claims += 1
        if claims == crash_on_claim:
            os._exit(1)  # a crash: no clean-up, no complete()
        task_id, payload = task
        time.sleep(0.05)  # the work
        board.complete(task_id, payload * payload)


def run_cluster(tasks, lease_seconds, crash_plan, seconds=4.0):
    """Serve a board on 127.0.0.1, run one worker process per crash_plan entry (0 means
    "never crash"), and return the board's (results, done)."""
    ctx = multiprocessing.get_context("forkserver")
    manager = BoardManager(address=("127.0.0.1", 0), authkey=AUTHKEY, ctx=ctx)
    manager.start()
    try:
        board = manager.get_board(tasks, lease_seconds)
        workers = [
            ctx.Process(target=worker, args=(manager.address, AUTHKEY, crash, seconds))
            for crash in crash_plan
        ]
        for process in workers:
            process.start()
        for process in workers:
            process.join(timeout=seconds + 2)
        for process in workers:
            if process.is_alive():
                process.kill()
                process.join()
        return board.results(), board.done()
    finally:
        manager.shutdown()


def as_tuple(task):
    return None if task is None else tuple(task)


def test_claim_and_complete():
    board = TaskBoard({"a": 1, "b": 2}, lease_seconds=5.0)
    assert as_tuple(board.claim()) == ("a", 1), "the first claim() gives the first task"
    assert as_tuple(board.claim()) == ("b", 2), "the second claim() gives the second task"
    got = board.claim()
    assert got is None, f"both tasks are leased, so claim() must return None, got {got!r}"
    assert board.complete("a", 10) is True, "the first complete() of a task returns True"
    assert board.complete("a", 11) is False, (
        "a second complete() of the same task must return False and be ignored"
    )
    assert board.results() == [("a", 10)], f"results() gave {board.results()!r}"
    assert board.done() is False, "done() must be False while task b is unfinished"
    assert board.complete("b", 20) is True
    assert board.done() is True, "done() must be True once every task has a result"
    assert board.claim() is None, "claim() must return None when everything is done"
    assert board.results() == [("a", 10), ("b", 20)], f"results() gave {board.results()!r}"


def test_expired_lease_is_handed_out_again():
    board = TaskBoard({"a": 1, "b": 2}, lease_seconds=0.5)
    assert as_tuple(board.claim()) == ("a", 1)
    assert as_tuple(board.claim()) == ("b", 2)
    time.sleep(0.7)  # both leases run out; the worker holding "a" has crashed
    assert board.complete("b", 4) is True, (
        "b's lease ran out, but nobody else completed it: its late result is the first one"
    )
    got = as_tuple(board.claim())
    assert got == ("a", 1), (
        f"after a's lease ran out, claim() must hand a out again, got {got!r}. A worker that "
        "crashes while holding a task must not lose it for good."
    )
    got = board.claim()
    assert got is None, (
        f"a is leased again and b is finished, so claim() must return None, got {got!r}. "
        "A completed task must never be handed out again."
    )
    assert board.complete("a", 1) is True
    assert board.done() is True
    assert sorted(board.results()) == [("a", 1), ("b", 4)], f"got {board.results()!r}"


def test_worker_crash_over_a_manager():
    tasks = {task_id: task_id + 1 for task_id in range(6)}
    # Worker 0 dies on its first claim; worker 1 never crashes.
    results, done = run_cluster(tasks, lease_seconds=0.3, crash_plan=[1, 0])
    ids = sorted(task_id for task_id, _ in results)
    assert ids == list(range(6)), (
        f"the results have the task ids {ids}, expected each of 0..5 exactly once. The task "
        "held by the crashed worker must be handed out again when its lease runs out."
    )
    assert dict(results) == {task_id: (task_id + 1) ** 2 for task_id in range(6)}, (
        f"wrong results: {results!r}"
    )
    assert done, "done() must be True once every task is completed"
