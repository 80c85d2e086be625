"""Further tests: a process pool, the order under uneven chunk times, any worker count and
chunk size, constant features, small inputs and untouched inputs."""

import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
from solution import extract_features, features_in_chunks, fit_standardiser, preprocess


class EarlyChunksSlowPool(ThreadPoolExecutor):
    """Delays the first tasks most, so that later chunks finish first."""

    def __init__(self, workers, tasks):
        super().__init__(max_workers=workers)
        self.tasks = tasks
        self.count = 0
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            delay = 0.01 * max(self.tasks - self.count, 0)
            self.count += 1

        def delayed():
            time.sleep(delay)
            return fn(*args, **kwargs)

        return super().submit(delayed)


def signals(rows, length=64, seed=0, shift=0.0, scale=1.0):
    rng = np.random.default_rng(seed)
    return shift + scale * rng.standard_normal((rows, length)).cumsum(axis=1) / 8


def test_works_in_a_process_pool():
    train, test = signals(500, seed=3), signals(200, seed=4)
    try:
        with ProcessPoolExecutor(max_workers=2) as pool:
            _, test_z, mean, std = preprocess(train, test, pool, chunk_rows=128)
    except Exception as error:
        raise AssertionError(
            f"preprocess failed in a ProcessPoolExecutor with {type(error).__name__}: {error}. "
            "A process pool pickles every task to send it to a worker: submit a module-level "
            "function and plain arguments (an array, numbers), not a lambda or a nested function"
        ) from error
    expected_mean = extract_features(train).mean(axis=0)
    assert np.allclose(mean, expected_mean), "wrong mean with a process pool"
    assert np.allclose(test_z, (extract_features(test) - mean) / std), (
        "wrong test features with a process pool"
    )


def test_the_row_order_survives_chunks_that_finish_out_of_order():
    data = signals(800)
    with EarlyChunksSlowPool(4, tasks=8) as pool:
        got = features_in_chunks(data, pool, chunk_rows=100)
    assert np.array_equal(got, extract_features(data)), (
        "the later chunks finished first here, and the rows came out in a different order: "
        "keep the futures in a list in submission order (not as_completed) and stack their "
        "results in that order"
    )


def test_same_result_for_any_worker_count_and_chunk_size():
    data = signals(700, seed=5)
    expected = extract_features(data)
    for workers in (1, 2, 4):
        for chunk_rows in (1000, 256, 33):
            with ThreadPoolExecutor(max_workers=workers) as pool:
                got = features_in_chunks(data, pool, chunk_rows=chunk_rows)
            assert np.array_equal(got, expected), (
                f"with {workers} worker(s) and chunk_rows={chunk_rows} the features differ "
                "from the serial ones"
            )


def test_a_constant_feature_does_not_become_nan():
    flat = np.zeros((50, 32))  # every feature of every row is 0: std 0 in every column
    with ThreadPoolExecutor(max_workers=2) as pool:
        train_z, test_z, _, _ = preprocess(flat, signals(20), pool, chunk_rows=16)
    assert np.all(np.isfinite(train_z)) and np.all(np.isfinite(test_z)), (
        "a feature column with std 0 gave NaN or inf: divide such columns by 1 instead"
    )
    assert np.array_equal(fit_standardiser(extract_features(flat))[1], np.ones(6)), (
        "fit_standardiser must give std 1 for constant columns"
    )


def test_fewer_rows_than_a_chunk_and_untouched_inputs():
    train, test = signals(10, seed=6), signals(3, seed=7)
    copies = train.copy(), test.copy()
    with ThreadPoolExecutor(max_workers=2) as pool:
        train_z, test_z, _, _ = preprocess(train, test, pool, chunk_rows=256)
    assert train_z.shape == (10, 6) and test_z.shape == (3, 6), (
        f"shapes {train_z.shape} and {test_z.shape}, expected (10, 6) and (3, 6)"
    )
    assert np.array_equal(train, copies[0]) and np.array_equal(test, copies[1]), (
        "preprocess modified its input arrays"
    )
