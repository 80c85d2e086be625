"""Tests you can see: split(), chunks running at once in separate threads, chunk order."""

import threading
import time

from solution import run_in_chunks, split


def expected_chunks(items, parts):
    """The chunks the instructions describe, worked out independently of the solution."""
    parts = min(parts, len(items))
    sizes = [len(items) // parts + (1 if i < len(items) % parts else 0) for i in range(parts)]
    chunks, start = [], 0
    for size in sizes:
        chunks.append(items[start : start + size])
        start += size
    return chunks


class AllAtOnce:
    """A work function that waits until every chunk has started, and records each call."""

    def __init__(self, chunk_count, compute):
        self.barrier = threading.Barrier(chunk_count, timeout=1)
        self.compute = compute
        self.calls = []  # (thread identifier, chunk)
        self._lock = threading.Lock()

    def __call__(self, chunk):
        with self._lock:
            self.calls.append((threading.get_ident(), chunk))
        self.barrier.wait()  # raises BrokenBarrierError if the chunks do not all run at once
        return self.compute(chunk)


def run_all_at_once(items, work, combine, threads):
    try:
        return run_in_chunks(items, work, combine, threads)
    except threading.BrokenBarrierError:
        raise AssertionError(
            f"the {work.barrier.parties} chunks did not all run at the same time: each call to "
            f"work waits up to 1 s for the others, and only {len(work.calls)} started while the "
            "first was waiting. Give every chunk its own thread and start them all before "
            "waiting for any."
        ) from None


def test_split_lists_and_ranges():
    got = split(list(range(10)), 3)
    assert got == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]], (
        f"split(list(range(10)), 3) returned {got!r}, expected [[0, 1, 2, 3], [4, 5, 6], "
        "[7, 8, 9]]: contiguous slices, the longer ones first"
    )
    got = split(range(10), 4)
    expected = [range(0, 3), range(3, 6), range(6, 8), range(8, 10)]
    assert got == expected, (
        f"split(range(10), 4) returned {got!r}, expected {expected!r} (slices of a range are "
        "ranges)"
    )


def test_split_few_items_and_no_items():
    assert split([1, 2], 5) == [[1], [2]], (
        f"split([1, 2], 5) returned {split([1, 2], 5)!r}: with fewer items than parts, make "
        "one chunk per item and no empty chunks"
    )
    assert split([], 3) == [], f"split([], 3) returned {split([], 3)!r}, expected []"
    assert split((1, 2, 3), 1) == [(1, 2, 3)], (
        f"split((1, 2, 3), 1) returned {split((1, 2, 3), 1)!r}"
    )


def test_chunks_run_at_the_same_time_in_different_threads():
    items = list(range(100))
    work = AllAtOnce(4, sum)
    total = run_all_at_once(items, work, sum, threads=4)
    assert total == sum(items), f"run_in_chunks(range(100), sum, sum, 4) returned {total!r}"
    chunks = sorted((chunk for _, chunk in work.calls), key=lambda chunk: chunk[0])
    assert chunks == expected_chunks(items, 4), (
        f"work was called with chunks {chunks!r}; expected the 4 chunks of split(items, 4), "
        "each exactly once"
    )
    threads = {ident for ident, _ in work.calls}
    assert len(threads) == 4, f"the 4 chunks ran in {len(threads)} different thread(s), not 4"


def test_results_reach_combine_in_chunk_order():
    items = list(range(12))

    def scaled(chunk):
        if chunk[0] == 0:
            time.sleep(0.3)  # the first chunk finishes last
        return [x * 10 for x in chunk]

    def concatenate(results):
        return [x for part in results for x in part]

    got = run_all_at_once(items, AllAtOnce(3, scaled), concatenate, threads=3)
    expected = [x * 10 for x in items]
    assert got == expected, (
        f"got {got!r}, expected {expected!r}. Pass the results to combine in chunk order, not "
        "in the order the threads finish."
    )
