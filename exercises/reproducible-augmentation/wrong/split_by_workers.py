# Wrong: the data is split into one chunk per worker, each with its own child seed. Each
# run is reproducible, but the chunks, and so the random numbers, change with `workers`.
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
    chunks = np.array_split(signals, workers)  # ignores chunk_rows: chunks follow workers
    children = np.random.SeedSequence(seed).spawn(len(chunks))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(augment_chunk, chunk, np.random.default_rng(child))
            for chunk, child in zip(chunks, children, strict=True)
        ]
        parts = [future.result() for future in futures]
    return np.concatenate(parts)
