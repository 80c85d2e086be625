# Wrong: one Generator, shared by every thread. NumPy's generators lock themselves, so
# nothing crashes, but each chunk gets whatever numbers are next when its thread asks:
# the result depends on the scheduling, and differs from the per-chunk streams defined.
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
    rng = np.random.default_rng(seed)  # shared by all the threads
    starts = range(0, len(signals), chunk_rows)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(augment_chunk, signals[start : start + chunk_rows], rng) for start in starts
        ]
        parts = [future.result() for future in futures]
    return np.concatenate(parts) if parts else np.empty_like(signals, dtype=np.float64)
