import threading


def row_blocks(n_rows, workers):
    """Split range(n_rows) into min(workers, n_rows) contiguous (start, stop) blocks.

    The sizes differ by at most one, the larger blocks first, and no block is empty.
    """
    parts = min(workers, n_rows)
    size, extra = divmod(n_rows, parts) if parts else (0, 0)
    blocks, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        blocks.append((start, stop))
        start = stop
    return blocks


def multiply_rows(a, b, start, stop):
    """Rows start..stop-1 of the product a @ b, as new lists (the serial core)."""
    inner, columns = len(b), len(b[0]) if b else 0
    rows = []
    for i in range(start, stop):
        row = a[i]
        out = []
        for j in range(columns):
            total = 0
            for k in range(inner):
                total += row[k] * b[k][j]
            out.append(total)
        rows.append(out)
    return rows


def matmul(a, b, workers=4):
    """The product a @ b computed by one thread per block of rows of a."""
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError(
            f"cannot multiply: rows of a have {len(a[0])} columns, b has {len(b)} rows"
        )
    blocks = row_blocks(len(a), workers)
    results = [None] * len(blocks)  # one slot per block: no two threads write the same place
    errors = [None] * len(blocks)

    def work(n, start, stop):
        try:
            results[n] = multiply_rows(a, b, start, stop)
        except Exception as error:  # handed to the caller after join()
            errors[n] = error

    threads = [
        threading.Thread(target=work, args=(n, start, stop), name=f"rows-{start}-{stop}")
        for n, (start, stop) in enumerate(blocks)
    ]
    for thread in threads:
        thread.start()  # start every block before waiting for any
    for thread in threads:
        thread.join()
    for error in errors:
        if error is not None:
            raise error
    return [row for block in results for row in block]  # blocks in order: rows in order
