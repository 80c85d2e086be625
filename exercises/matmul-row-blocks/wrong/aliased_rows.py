# Wrong: the result is preallocated as [[0] * p] * m, which is m references to ONE row list.
# Every thread writes into that same list, so all the rows come out equal (and the threads
# race on it).
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
    p = len(b[0])
    result = [[0] * p] * len(a)  # the same list, len(a) times

    def work(start, stop):
        for i in range(start, stop):
            row = a[i]
            for j in range(p):
                result[i][j] = sum(row[k] * b[k][j] for k in range(len(b)))

    blocks = row_blocks(len(a), workers)
    with ThreadPoolExecutor(max_workers=len(blocks)) as pool:
        for future in [pool.submit(work, start, stop) for start, stop in blocks]:
            future.result()
    return result
