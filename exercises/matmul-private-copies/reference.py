import threading
from array import array


def row_blocks(n_rows, workers):
    """Split range(n_rows) into min(workers, n_rows) contiguous (start, stop) blocks."""
    parts = min(workers, n_rows)
    size, extra = divmod(n_rows, parts) if parts else (0, 0)
    blocks, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        blocks.append((start, stop))
        start = stop
    return blocks


def private_columns(b):
    """The columns of b as new array('d') objects: a copy of the numbers, not of references.

    An array holds raw doubles. Reading an element makes a new float owned by the reading
    thread, so threads reading their own arrays never touch an object another thread uses.
    """
    return [array("d", column) for column in zip(*b)]


def multiply_block(a, b, start, stop):
    """Rows start..stop-1 of a @ b, from data this thread copied for itself."""
    columns = private_columns(b)  # made here, in the worker thread
    rows = [array("d", a[i]) for i in range(start, stop)]  # this block's rows of a only
    block = []
    for row in rows:
        out = []
        for column in columns:
            total = 0.0
            for x, y in zip(row, column):
                total += x * y
            out.append(total)
        block.append(out)
    return block


def matmul(a, b, workers=4):
    """The product a @ b: one thread per block of rows, each on its own copy of the data."""
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError(
            f"cannot multiply: rows of a have {len(a[0])} columns, b has {len(b)} rows"
        )
    blocks = row_blocks(len(a), workers)
    results = [None] * len(blocks)  # slot n belongs to thread n
    errors = [None] * len(blocks)

    def work(n, start, stop):
        try:
            results[n] = multiply_block(a, b, start, stop)
        except Exception as error:
            errors[n] = error

    threads = [
        threading.Thread(target=work, args=(n, start, stop), name=f"rows-{start}-{stop}")
        for n, (start, stop) in enumerate(blocks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for error in errors:
        if error is not None:
            raise error
    return [row for block in results for row in block]
