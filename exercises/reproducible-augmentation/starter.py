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
    result for any number of workers.

    For now one generator draws for every chunk, one chunk after the other, in the calling
    thread. Shared by several threads, that generator would hand out its numbers in
    whatever order the threads happen to ask.
    """
    rng = np.random.default_rng(seed)
    parts = [
        augment_chunk(signals[start : start + chunk_rows], rng)
        for start in range(0, len(signals), chunk_rows)
    ]
    return np.concatenate(parts) if parts else np.empty_like(signals, dtype=np.float64)
