# Wrong: each worker copies its data properly, but appends its rows to one shared result
# list when it finishes. The blocks land in the order the threads finish, not in row order.
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
    result = []  # shared by every worker
    lock = threading.Lock()
    errors = []

    def work(start, stop):
        try:
            columns = private_columns(b)
            rows = [array("d", a[i]) for i in range(start, stop)]
            block = [[sum(x * y for x, y in zip(row, col)) for col in columns] for row in rows]
            with lock:
                result.extend(block)  # whoever finishes first goes first
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=block) for block in row_blocks(len(a), workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return result
