"""Further tests: seeds, independent streams per chunk, chunks finishing out of order, a
short last chunk, and untouched inputs."""

import threading
import time

import numpy as np
import solution
from solution import augment


def signals(rows, length=32, seed=0):
    return np.random.default_rng(seed).standard_normal((rows, length))


def expected(data, seed, chunk_rows):
    starts = range(0, len(data), chunk_rows)
    children = np.random.SeedSequence(seed).spawn(len(starts))
    return np.concatenate(
        [
            solution.augment_chunk(data[s : s + chunk_rows], np.random.default_rng(child))
            for s, child in zip(starts, children, strict=True)
        ]
    )


class EarlyChunksSlow:
    """Replaces solution.augment_chunk with a copy that delays the first chunks most, so that
    the later chunks run (and draw their random numbers) first."""

    def __init__(self, chunks):
        self.chunks = chunks
        self.lock = threading.Lock()
        self.count = 0

    def __enter__(self):
        self.original = solution.augment_chunk

        def delayed(chunk, rng):
            with self.lock:
                delay = 0.015 * max(self.chunks - self.count, 0)
                self.count += 1
            time.sleep(delay)
            return self.original(chunk, rng)

        solution.augment_chunk = delayed
        return self

    def __exit__(self, *exc_info):
        solution.augment_chunk = self.original


def test_the_same_seed_repeats_and_another_seed_differs():
    data = signals(200)
    first, again = augment(data, seed=3, workers=4), augment(data, seed=3, workers=4)
    other = augment(data, seed=4, workers=4)
    assert np.array_equal(first, again), "two calls with the same seed gave different results"
    assert not np.allclose(first, other), "seeds 3 and 4 gave the same augmentation"


def test_every_chunk_gets_an_independent_stream():
    zeros = np.zeros((256, 32))  # augmented zeros are pure noise
    got = augment(zeros, seed=11, workers=2, chunk_rows=64)
    chunks = [got[i : i + 64] for i in range(0, 256, 64)]
    for i in range(1, 4):
        assert not np.allclose(chunks[i], chunks[0]), (
            f"chunk {i} got exactly the same noise as chunk 0: seeding every chunk's generator "
            "with the same seed repeats one stream. Spawn one child SeedSequence per chunk"
        )


def test_chunks_finishing_out_of_order_change_nothing():
    data = signals(480)
    with EarlyChunksSlow(chunks=8):
        got = augment(data, seed=5, workers=4, chunk_rows=60)
    assert np.array_equal(got, expected(data, 5, 60)), (
        "when the later chunks ran first, the result changed: either the chunks' results "
        "were stacked in completion order, or the chunks shared one generator and drew from "
        "it in whatever order the threads ran. Give each chunk its own generator and keep the "
        "results in chunk order"
    )


def test_a_short_last_chunk_and_more_workers_than_chunks():
    data = signals(70)
    got = augment(data, seed=9, workers=8, chunk_rows=32)  # chunks of 32, 32 and 6 rows
    assert got.shape == (70, 32), f"shape {got.shape}, expected (70, 32)"
    assert np.array_equal(got, expected(data, 9, 32)), (
        "with 70 rows in chunks of 32 the result is not the defined one"
    )


def test_the_input_is_not_modified():
    data = signals(100)
    copy = data.copy()
    augment(data, seed=0, workers=2, chunk_rows=16)
    assert np.array_equal(data, copy), "augment modified its input array"
