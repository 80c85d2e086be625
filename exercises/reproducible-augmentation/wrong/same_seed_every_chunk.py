# Wrong: every chunk's generator is seeded with the same seed. The result no longer
# depends on the workers, but every chunk draws the same stream: chunk 2's noise repeats
# chunk 1's, which is not random augmentation any more.
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
    starts = range(0, len(signals), chunk_rows)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(
                augment_chunk, signals[start : start + chunk_rows], np.random.default_rng(seed)
            )
            for start in starts
        ]
        parts = [future.result() for future in futures]
    return np.concatenate(parts) if parts else np.empty_like(signals, dtype=np.float64)
