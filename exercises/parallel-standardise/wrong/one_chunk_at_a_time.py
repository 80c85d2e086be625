# Wrong: each chunk is submitted and its result awaited before the next is submitted,
# so the pool never runs two chunks at the same time: serial work with extra steps.
import numpy as np


def extract_features(signals):
    """Six features per sample (row) of a (rows, length) float64 array: (rows, 6)."""
    signals = np.asarray(signals, dtype=np.float64)
    crossings = np.signbit(signals[:, 1:]) != np.signbit(signals[:, :-1])
    return np.column_stack(
        [
            signals.mean(axis=1),
            signals.std(axis=1),
            signals.max(axis=1) - signals.min(axis=1),
            np.abs(np.diff(signals, axis=1)).mean(axis=1),
            crossings.sum(axis=1).astype(np.float64),
            np.sqrt((signals**2).mean(axis=1)),
        ]
    )


def features_in_chunks(signals, executor, chunk_rows=256):
    """extract_features() of every chunk of `chunk_rows` rows, run in `executor`; the
    chunks' results stacked back in row order."""
    starts = range(0, len(signals), chunk_rows)
    parts = [
        executor.submit(extract_features, signals[s : s + chunk_rows]).result() for s in starts
    ]
    return np.concatenate(parts) if parts else np.empty((0, 6))


def fit_standardiser(train_features):
    """Mean and standard deviation of each feature column, from the training rows only.
    A constant column gets std 1, so that it standardises to 0 instead of NaN."""
    mean = train_features.mean(axis=0)
    std = train_features.std(axis=0)
    return mean, np.where(std == 0, 1.0, std)


def preprocess(train, test, executor, chunk_rows=256):
    """Features of both sets in chunks, standardised with statistics fitted on train."""
    train_features = features_in_chunks(train, executor, chunk_rows)
    test_features = features_in_chunks(test, executor, chunk_rows)
    mean, std = fit_standardiser(train_features)  # the test set must not influence these
    return (train_features - mean) / std, (test_features - mean) / std, mean, std
