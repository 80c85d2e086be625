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
    """augment_chunk() of every chunk of `chunk_rows` rows in `workers` threads; the same
    result for any number of workers."""
    starts = range(0, len(signals), chunk_rows)
    # One independent stream per chunk, fixed by the seed and the chunk's position alone:
    # which thread runs a chunk, and when, cannot change what it draws.
    children = np.random.SeedSequence(seed).spawn(len(starts))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(
                augment_chunk, signals[start : start + chunk_rows], np.random.default_rng(child)
            )
            for start, child in zip(starts, children, strict=True)
        ]
        parts = [future.result() for future in futures]
    return np.concatenate(parts) if parts else np.empty_like(signals, dtype=np.float64)
