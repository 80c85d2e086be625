def row_blocks(n_rows, workers):
    """Split range(n_rows) into min(workers, n_rows) contiguous (start, stop) blocks.

    This version always returns one block with every row. Make it return one block per
    worker, sizes differing by at most one, the larger blocks first, and no empty block.
    """
    return [(0, n_rows)] if n_rows else []


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
    """The product a @ b.

    This version is right but computes every block in the calling thread, one after the
    other. Give each block of row_blocks(len(a), workers) its own thread, start them all,
    join them, pass on any exception, and put the blocks together in order.
    """
    if not a:
        return []
    if any(len(row) != len(b) for row in a):
        raise ValueError(
            f"cannot multiply: rows of a have {len(a[0])} columns, b has {len(b)} rows"
        )
    result = []
    for start, stop in row_blocks(len(a), workers):
        result.extend(multiply_rows(a, b, start, stop))
    return result
