# Wrong: each block gets its own thread, but the thread is joined before the next one is
# started, so the blocks run one after the other and nothing runs in parallel.
import threading


def row_blocks(n_rows, workers):
    parts = min(workers, n_rows)
    bounds = [n_rows * i // parts for i in range(parts + 1)] if parts else [0]
    sizes = sorted((bounds[i + 1] - bounds[i] for i in range(parts)), reverse=True)
    blocks, start = [], 0
    for size in sizes:
        blocks.append((start, start + size))
        start += size
    return blocks


def multiply_rows(a, b, start, stop):
    return [
        [sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
        for i in range(start, stop)
    ]


def matmul(a, b, workers=4):
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError("shapes do not match")
    blocks = row_blocks(len(a), workers)
    results = [None] * len(blocks)
    errors = []

    def work(n, start, stop):
        try:
            results[n] = multiply_rows(a, b, start, stop)
        except Exception as error:
            errors.append(error)

    for n, (start, stop) in enumerate(blocks):
        thread = threading.Thread(target=work, args=(n, start, stop))
        thread.start()
        thread.join()  # waits for this block before the next one starts
    if errors:
        raise errors[0]
    return [row for block in results for row in block]
