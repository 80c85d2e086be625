"""Further tests: the blocks' order, worker counts, each worker's own block, errors, threads."""

import random
import threading
import time

from solution import matmul


def serial_product(a, b):
    return [[sum(row[k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for row in a]


def random_matrix(rows, columns, seed):
    rng = random.Random(seed)
    return [[float(rng.randint(-9, 9)) for _ in range(columns)] for _ in range(rows)]


class WatchedRows:
    """Rows that record which thread reads them (see test_visible.py).

    With `parties`, each thread's first read waits at a barrier; with `slow_row`, the first
    read of that row sleeps 0.2 s, so that its block finishes last.
    """

    def __init__(self, matrix, parties=None, slow_row=None):
        self.lock = threading.Lock()
        self.caller = threading.get_ident()
        self.barrier = threading.Barrier(parties, timeout=2) if parties else None
        self.slow_row = slow_row
        self.arrived = set()
        self.broken = False
        self.readers = [set() for _ in matrix]
        self.rows = [WatchedRow(self, i, row) for i, row in enumerate(matrix)]

    def record(self, index):
        me = threading.get_ident()
        with self.lock:
            self.readers[index].add(me)
            first = me not in self.arrived
            self.arrived.add(me)
            slow = index == self.slow_row
            if slow:
                self.slow_row = None
        if first and me != self.caller and self.barrier is not None:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                self.broken = True
        if slow:
            time.sleep(0.2)

    def threads(self):
        return set().union(*self.readers) if self.readers else set()

    def rows_read_by(self):
        by_thread = {}
        for index, readers in enumerate(self.readers):
            for thread in readers:
                by_thread.setdefault(thread, []).append(index)
        return by_thread


class WatchedRow(list):
    def __init__(self, owner, index, values):
        super().__init__(values)
        self._owner, self._index = owner, index

    def __getitem__(self, key):
        self._owner.record(self._index)
        return super().__getitem__(key)

    def __iter__(self):
        self._owner.record(self._index)
        return super().__iter__()

    def copy(self):
        self._owner.record(self._index)
        return list(super().__iter__())


def test_blocks_are_put_together_in_order_when_the_first_finishes_last():
    a, b = random_matrix(8, 5, seed=8), random_matrix(5, 4, seed=9)
    watched = WatchedRows(a, parties=4, slow_row=0)
    got = matmul(watched.rows, b, workers=4)
    assert got == serial_product(a, b), (
        "the first block finished last (its first read was delayed by 0.2 s) and the rows came "
        "out in the wrong order. Do not let the workers append to one shared list as they "
        "finish: keep each block in its own slot, and put them together in block order after "
        "join()."
    )


def test_each_worker_reads_only_its_own_block_of_a():
    a, b = random_matrix(10, 3, seed=10), random_matrix(3, 3, seed=11)
    watched = WatchedRows(a, parties=3)
    got = matmul(watched.rows, b, workers=3)
    assert got == serial_product(a, b)
    blocks = sorted(watched.rows_read_by().values())
    assert blocks == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]], (
        f"the threads read these rows of a: {blocks}; expected the blocks of row_blocks(10, 3), "
        "one per thread: copy only your own block's rows"
    )


def test_more_workers_than_rows_and_one_worker():
    a, b = random_matrix(3, 4, seed=12), random_matrix(4, 2, seed=13)
    watched = WatchedRows(a, parties=3)
    assert matmul(watched.rows, b, workers=8) == serial_product(a, b)
    assert not watched.broken and len(watched.threads()) == 3, (
        f"3 rows and workers=8: expected 3 threads running at once, one per row; "
        f"{len(watched.threads())} read the rows"
    )
    watched = WatchedRows(a, parties=1)
    assert matmul(watched.rows, b, workers=1) == serial_product(a, b)
    assert watched.threads() and watched.caller not in watched.threads(), (
        "with workers=1 the rows must be computed by one worker thread, not by the caller"
    )


def test_integer_matrices_give_the_same_numbers():
    rng = random.Random(14)
    a = [[rng.randint(-50, 50) for _ in range(6)] for _ in range(7)]
    b = [[rng.randint(-50, 50) for _ in range(9)] for _ in range(6)]
    got = matmul(a, b, workers=3)
    assert got == serial_product(a, b), "the product of two integer matrices is wrong"


def test_empty_input_and_mismatched_shapes():
    assert matmul([], [[1.0, 2.0]], workers=3) == [], "the product of an empty matrix is []"
    try:
        matmul([[1.0, 2.0, 3.0]], [[1.0], [2.0]], workers=2)
    except ValueError:
        pass
    else:
        raise AssertionError("a 1x3 matrix times a 2x1 matrix must raise ValueError")


def test_an_error_in_a_worker_reaches_the_caller():
    a, b = random_matrix(12, 4, seed=15), random_matrix(4, 4, seed=16)
    a[10][1] = None  # cannot be copied or multiplied: TypeError in the last block's thread
    try:
        got = matmul(a, b, workers=3)
    except TypeError:
        return
    raise AssertionError(
        f"a TypeError was raised in a worker thread, but matmul returned {got!r}: catch it in "
        "the thread and raise it in the caller after join()"
    )


def test_no_threads_are_left_running():
    before = set(threading.enumerate())
    matmul(random_matrix(8, 8, seed=17), random_matrix(8, 8, seed=18), workers=4)
    left = [thread.name for thread in threading.enumerate() if thread not in before]
    assert not left, f"threads still alive after matmul returned: {left}; join them all"
