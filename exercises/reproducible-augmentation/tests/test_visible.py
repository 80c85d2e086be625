"""Tests you can see: the same augmentation for 1, 2 and 4 workers, one seeded stream per
chunk, and chunks augmented in parallel threads."""

import threading
import time

import numpy as np
import solution
from solution import augment


def signals(rows, length=32, seed=0):
    return np.random.default_rng(seed).standard_normal((rows, length))


def expected(data, seed, chunk_rows):
    """The augmentation the task defines: chunk i drawn from child i of SeedSequence(seed)."""
    starts = range(0, len(data), chunk_rows)
    children = np.random.SeedSequence(seed).spawn(len(starts))
    return np.concatenate(
        [
            solution.augment_chunk(data[s : s + chunk_rows], np.random.default_rng(child))
            for s, child in zip(starts, children, strict=True)
        ]
    )


class Watch:
    """Replaces solution.augment_chunk with a slower copy that records its threads."""

    def __init__(self, delay=0.03):
        self.delay = delay
        self.lock = threading.Lock()
        self.calls = 0
        self.threads = set()
        self.active = 0
        self.most_active = 0

    def __enter__(self):
        self.original = solution.augment_chunk

        def watched(chunk, rng):
            with self.lock:
                self.calls += 1
                self.threads.add(threading.get_ident())
                self.active += 1
                self.most_active = max(self.most_active, self.active)
            time.sleep(self.delay)
            try:
                return self.original(chunk, rng)
            finally:
                with self.lock:
                    self.active -= 1

        solution.augment_chunk = watched
        return self

    def __exit__(self, *exc_info):
        solution.augment_chunk = self.original


def test_the_result_does_not_depend_on_the_number_of_workers():
    data = signals(500)
    results = {workers: augment(data, seed=42, workers=workers) for workers in (1, 2, 4)}
    assert results[1].shape == data.shape, f"shape {results[1].shape}, expected {data.shape}"
    for workers in (2, 4):
        assert np.array_equal(results[workers], results[1]), (
            f"augment(data, seed=42) with workers={workers} differs from workers=1. The "
            "random numbers a chunk gets must depend on the seed and the chunk alone: not on "
            "how many workers there are, which thread runs the chunk, or when"
        )


def test_each_chunk_draws_from_its_own_child_of_the_seed_sequence():
    data = signals(300)
    got = augment(data, seed=7, workers=2, chunk_rows=64)
    assert np.array_equal(got, expected(data, 7, 64)), (
        "the result is not the one the task defines: chunk i (rows i*chunk_rows onwards) "
        "must be augment_chunk(chunk, np.random.default_rng(children[i])) with "
        "children = np.random.SeedSequence(seed).spawn(number_of_chunks)"
    )


def test_chunks_are_augmented_in_parallel_threads():
    data = signals(512)
    with Watch() as watch:
        augment(data, seed=1, workers=4, chunk_rows=64)
    assert watch.calls == 8, (
        f"augment_chunk was called {watch.calls} time(s) for 512 rows in chunks of 64; "
        "expected 8, one call per chunk"
    )
    assert threading.get_ident() not in watch.threads, (
        "the calling thread augmented chunks itself: run them in a pool of `workers` threads"
    )
    assert watch.most_active == 4 and len(watch.threads) == 4, (
        f"at most {watch.most_active} chunk(s) were augmented at the same time, on "
        f"{len(watch.threads)} thread(s); expected 4 with workers=4: submit every chunk to a "
        "ThreadPoolExecutor(max_workers=workers) before collecting the results"
    )
