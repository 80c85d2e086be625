# Wrong: the numbers are copied into arrays, but only once, by the calling thread, and that
# one copy is shared by every worker. The workers never read b themselves.
import threading
from array import array


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
    return [array("d", column) for column in zip(*b)]


def matmul(a, b, workers=4):
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError("shapes do not match")
    columns = private_columns(b)  # made in the caller, shared by all
    blocks = row_blocks(len(a), workers)
    results = [None] * len(blocks)
    errors = [None] * len(blocks)

    def work(n, start, stop):
        try:
            rows = [array("d", a[i]) for i in range(start, stop)]
            results[n] = [[sum(x * y for x, y in zip(row, col)) for col in columns] for row in rows]
        except Exception as error:
            errors[n] = error

    threads = [threading.Thread(target=work, args=(n, *block)) for n, block in enumerate(blocks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for error in errors:
        if error is not None:
            raise error
    return [row for block in results for row in block]
