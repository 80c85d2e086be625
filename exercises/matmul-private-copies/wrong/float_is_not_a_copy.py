# Wrong: the worker "copies" each number with float(x). For an object that already is a
# float, float(x) returns x itself, so the copy holds the shared objects of b.
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
    return [[float(x) for x in column] for column in zip(*b)]


def multiply_block(a, b, start, stop):
    columns = private_columns(b)
    rows = [[float(x) for x in a[i]] for i in range(start, stop)]
    return [[sum(x * y for x, y in zip(row, col)) for col in columns] for row in rows]


def matmul(a, b, workers=4):
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError("shapes do not match")
    blocks = row_blocks(len(a), workers)
    with ThreadPoolExecutor(max_workers=len(blocks)) as pool:
        futures = [pool.submit(multiply_block, a, b, start, stop) for start, stop in blocks]
        return [row for future in futures for row in future.result()]
