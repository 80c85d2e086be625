import threading


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
    """The columns of b, as a copy of the numbers that the calling thread will own.

    This version copies the lists but not the numbers: every column holds references to
    the very float objects of b. Copy the numbers into array('d') objects instead.
    """
    return [list(column) for column in zip(*b)]


def multiply_block(a, columns, start, stop):
    """Rows start..stop-1 of a @ b, given the columns of b."""
    block = []
    for i in range(start, stop):
        row = a[i]
        out = []
        for column in columns:
            total = 0.0
            for x, y in zip(row, column):
                total += x * y
            out.append(total)
        block.append(out)
    return block


def matmul(a, b, workers=4):
    """The product a @ b, one thread per block of rows.

    This version is step 1 with one transposition of b, made by the calling thread and
    read by every worker: all the threads share the same lists and the same numbers. Make
    each worker copy what its hot loop reads (b's columns, its own rows of a) in its own
    thread, with private_columns.
    """
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError(
            f"cannot multiply: rows of a have {len(a[0])} columns, b has {len(b)} rows"
        )
    columns = private_columns(b)  # one copy, shared by all the threads
    blocks = row_blocks(len(a), workers)
    results = [None] * len(blocks)
    errors = [None] * len(blocks)

    def work(n, start, stop):
        try:
            results[n] = multiply_block(a, columns, start, stop)
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
