# Wrong: an exception in a worker thread ends that thread (threading prints it), but the
# caller never hears of it and returns a result with the failed block missing.
import threading


def row_blocks(n_rows, workers):
    parts = min(workers, n_rows)
    size, extra = divmod(n_rows, parts) if parts else (0, 0)
    blocks, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        blocks.append((start, stop))
        start = stop
    return blocks


def multiply_rows(a, b, start, stop):
    rows = []
    for i in range(start, stop):
        rows.append([sum(x * y for x, y in zip(a[i], column)) for column in zip(*b)])
    return rows


def matmul(a, b, workers=4):
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError("shapes do not match")
    blocks = row_blocks(len(a), workers)
    results = [[] for _ in blocks]

    def work(n, start, stop):
        results[n] = multiply_rows(a, b, start, stop)  # an exception here is lost

    threads = [threading.Thread(target=work, args=(n, *block)) for n, block in enumerate(blocks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [row for block in results for row in block]
