"""Further tests: exceptions, more threads than items, no items, ranges, balanced sizes."""

import threading

from solution import run_in_chunks, split


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
            f"the {work.barrier.parties} chunks did not all run at the same time (only "
            f"{len(work.calls)} started while the first was waiting)"
        ) from None


def test_an_exception_in_work_reaches_the_caller():
    boom = ValueError("bad record: 7")

    def check(chunk):
        if 7 in chunk:
            raise boom
        return len(chunk)

    try:
        got = run_all_at_once(list(range(20)), AllAtOnce(4, check), sum, threads=4)
    except ValueError as error:
        assert error is boom, f"caught {error!r}, not the exception work raised"
    else:
        raise AssertionError(
            f"work raised ValueError for one chunk, but run_in_chunks returned {got!r}. An "
            "exception in a plain thread is only printed; collect it (futures do) and raise it."
        )


def test_more_threads_than_items():
    work = AllAtOnce(3, sum)
    got = run_all_at_once([5, 6, 7], work, sum, threads=8)
    assert got == 18, f"run_in_chunks([5, 6, 7], sum, sum, 8) returned {got!r}, expected 18"
    assert sorted(chunk for _, chunk in work.calls) == [[5], [6], [7]], (
        f"work was called with {[chunk for _, chunk in work.calls]!r}, expected [5], [6], [7]"
    )


def test_no_items_calls_combine_only():
    calls = []

    def work(chunk):
        calls.append(chunk)
        return 0

    got = run_in_chunks([], work, lambda results: ("combined", results), threads=4)
    assert got == ("combined", []), f"for no items, expected combine([]), got {got!r}"
    assert calls == [], f"work was called for no items: {calls!r}"


def test_range_input_with_balanced_chunks():
    work = AllAtOnce(6, len)
    sizes = run_all_at_once(range(1000), work, list, threads=6)
    assert sizes == [167, 167, 167, 167, 166, 166], (
        f"chunk sizes for 1000 items in 6 parts were {sizes!r}, expected "
        "[167, 167, 167, 167, 166, 166]: sizes differ by at most one, the longer ones first"
    )
    assert all(isinstance(chunk, range) for _, chunk in work.calls), (
        "the chunks of a range should be ranges (slices of it), not copies"
    )


def test_split_sizes_differ_by_at_most_one():
    for count, parts in [(10, 4), (7, 3), (100, 7), (5, 5), (9, 2)]:
        chunks = split(list(range(count)), parts)
        sizes = [len(chunk) for chunk in chunks]
        assert [x for chunk in chunks for x in chunk] == list(range(count)), (
            f"split(list(range({count})), {parts}) does not give the items back in order: "
            f"{chunks!r}"
        )
        assert len(chunks) == min(count, parts) and max(sizes) - min(sizes) <= 1, (
            f"split(list(range({count})), {parts}) made chunks of sizes {sizes}; expected "
            f"{min(count, parts)} chunks whose sizes differ by at most one"
        )
        assert sizes == sorted(sizes, reverse=True), f"the longer chunks come first: {sizes}"


def test_one_thread_means_one_chunk():
    calls = []

    def work(chunk):
        calls.append(chunk)
        return max(chunk)

    got = run_in_chunks((3, 1, 4, 1, 5), work, max, threads=1)
    assert got == 5, f"got {got!r}, expected 5"
    assert calls == [(3, 1, 4, 1, 5)], f"with threads=1, work was called with {calls!r}"
