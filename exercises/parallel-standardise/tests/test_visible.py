"""Tests you can see: chunked features equal the serial ones, every chunk is its own task
and the tasks overlap, and the statistics come from the training set alone."""

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from solution import extract_features, features_in_chunks, preprocess


class WatchedPool(ThreadPoolExecutor):
    """A thread pool that records every task: how many were submitted, on which threads they
    ran and how many ran at once. Each task is made `delay` seconds slower."""

    def __init__(self, workers, delay=0.02):
        super().__init__(max_workers=workers)
        self.delay = delay
        self.lock = threading.Lock()
        self.submitted = 0
        self.threads = set()
        self.active = 0
        self.most_active = 0

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            self.submitted += 1

        def watched():
            with self.lock:
                self.threads.add(threading.get_ident())
                self.active += 1
                self.most_active = max(self.most_active, self.active)
            try:
                time.sleep(self.delay)
                return fn(*args, **kwargs)
            finally:
                with self.lock:
                    self.active -= 1

        return super().submit(watched)


def signals(rows, length=64, seed=0, shift=0.0, scale=1.0):
    rng = np.random.default_rng(seed)
    return shift + scale * rng.standard_normal((rows, length)).cumsum(axis=1) / 8


def test_chunked_features_equal_the_serial_features():
    data = signals(1000)
    with ThreadPoolExecutor(max_workers=2) as pool:
        got = features_in_chunks(data, pool, chunk_rows=128)
    expected = extract_features(data)
    assert isinstance(got, np.ndarray) and got.shape == expected.shape, (
        f"features_in_chunks returned {type(got).__name__} of shape "
        f"{getattr(got, 'shape', None)}, expected an array of shape {expected.shape}"
    )
    assert np.array_equal(got, expected), (
        "the chunked features differ from extract_features(signals): each chunk is a block "
        "of consecutive rows, and the chunks' results must be stacked in row order"
    )


def test_every_chunk_is_a_task_and_the_tasks_overlap():
    data = signals(1000)
    with WatchedPool(2) as pool:
        features_in_chunks(data, pool, chunk_rows=128)
    chunks = math.ceil(1000 / 128)
    assert pool.submitted == chunks, (
        f"{pool.submitted} task(s) were submitted for 1000 rows with chunk_rows=128; expected "
        f"{chunks}, one per chunk of at most 128 rows (the last one shorter)"
    )
    assert pool.most_active == 2 and len(pool.threads) == 2, (
        f"at most {pool.most_active} chunk(s) ran at the same time, on {len(pool.threads)} "
        "thread(s), in a pool of 2: submit every chunk first, then collect the results (a "
        "submit(...).result() per chunk waits for each one before starting the next)"
    )


def test_statistics_are_fitted_on_the_training_set_only():
    train = signals(600, seed=1)
    test = signals(300, seed=2, shift=3.0, scale=2.0)  # the test set is distributed differently
    with ThreadPoolExecutor(max_workers=2) as pool:
        train_z, test_z, mean, std = preprocess(train, test, pool, chunk_rows=100)
    train_features = extract_features(train)
    assert np.allclose(mean, train_features.mean(axis=0)) and np.allclose(
        std, train_features.std(axis=0)
    ), (
        "mean and std must be those of the training features alone. Fitting them on the "
        "test rows too leaks information about the test set into the model's input: the "
        "evaluation then looks better than the model will be on new data"
    )
    assert np.allclose(train_z.mean(axis=0), 0) and np.allclose(train_z.std(axis=0), 1), (
        "the standardised training features should have mean 0 and std 1 in every column"
    )
    assert np.allclose(test_z, (extract_features(test) - mean) / std), (
        "the test features must be standardised with the training mean and std"
    )
    assert abs(test_z[:, 0].mean()) > 1, (
        "the test set is shifted, so its standardised mean must not be 0: were the test "
        "rows standardised with their own statistics?"
    )
