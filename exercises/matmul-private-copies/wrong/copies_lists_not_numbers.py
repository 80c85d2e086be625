# Wrong: every worker transposes b in its own thread, but zip(*b) and list() copy only the
# references: the new lists hold the very float objects of b, which every thread shares.
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


def private_columns(b):
    return [list(column) for column in zip(*b)]


def multiply_block(a, b, start, stop):
    columns = private_columns(b)
    return [[sum(x * y for x, y in zip(a[i], col)) for col in columns] for i in range(start, stop)]


def matmul(a, b, workers=4):
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError("shapes do not match")
    blocks = row_blocks(len(a), workers)
    with ThreadPoolExecutor(max_workers=len(blocks)) as pool:
        futures = [pool.submit(multiply_block, a, b, start, stop) for start, stop in blocks]
        return [row for future in futures for row in future.result()]
