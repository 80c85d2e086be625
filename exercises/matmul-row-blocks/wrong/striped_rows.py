# Wrong: the work is split into stripes (worker w takes rows w, w + workers, w + 2 * workers,
# ...) instead of contiguous blocks, so each worker touches rows all over the matrix.
from concurrent.futures import ThreadPoolExecutor


def row_blocks(n_rows, workers):
    parts = min(workers, n_rows)
    size, extra = divmod(n_rows, parts) if parts else (0, 0)
    blocks, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        blocks.append((start, stop))
        start = stop
    return blocks


def matmul(a, b, workers=4):
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError("shapes do not match")
    parts = min(workers, len(a))
    columns = list(zip(*b))

    def stripe(w):
        return {
            i: [sum(x * y for x, y in zip(a[i], col)) for col in columns]
            for i in range(w, len(a), parts)
        }

    result = {}
    with ThreadPoolExecutor(max_workers=parts) as pool:
        for rows in pool.map(stripe, range(parts)):
            result.update(rows)
    return [result[i] for i in range(len(a))]
