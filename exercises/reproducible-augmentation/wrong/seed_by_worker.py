# Wrong: each worker thread seeds its own generator from its worker number. Which
# chunks a worker runs, and how many workers there are, then decide the numbers a chunk
# gets: the result changes with the worker count and the scheduling.
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def augment_chunk(chunk, rng):
    """A randomly augmented copy of a chunk of signals (rows), drawing only from `rng`:
    a gain per row, a circular shift per row, and Gaussian noise on every value."""
    rows, length = chunk.shape
    gains = rng.uniform(0.8, 1.2, size=(rows, 1))
    shifts = rng.integers(-3, 4, size=rows)
    noise = rng.normal(0.0, 0.05, size=(rows, length))
    columns = (np.arange(length) - shifts[:, None]) % length  # row i rolled by shifts[i]
    return np.take_along_axis(chunk, columns, axis=1) * gains + noise


def augment(signals, seed, workers=4, chunk_rows=64):
    streams = np.random.SeedSequence(seed).spawn(workers)  # one per worker, not per chunk
    local = threading.local()
    numbers = itertools.count()

    def worker_rng():
        if not hasattr(local, "rng"):
            local.rng = np.random.default_rng(streams[next(numbers)])
        return local.rng

    def one(chunk):
        return augment_chunk(chunk, worker_rng())

    starts = range(0, len(signals), chunk_rows)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, signals[start : start + chunk_rows]) for start in starts]
        parts = [future.result() for future in futures]
    return np.concatenate(parts) if parts else np.empty_like(signals, dtype=np.float64)
