"""Tests you can see: the row blocks, the right product, one thread per block, all at once."""

import random
import threading

from solution import matmul, row_blocks


def serial_product(a, b):
    """The textbook triple loop, worked out independently of the solution."""
    return [[sum(row[k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for row in a]


def random_matrix(rows, columns, seed):
    rng = random.Random(seed)
    return [[rng.randint(-9, 9) for _ in range(columns)] for _ in range(rows)]


class WatchedRows:
    """The rows of a matrix, as list subclasses that record which thread reads each of them.

    Each thread's first read waits at a barrier until `parties` threads have arrived (up to
    2 s), so the blocks must really run at the same time. The calling thread never waits.
    """

    def __init__(self, matrix, parties):
        self.lock = threading.Lock()
        self.caller = threading.get_ident()
        self.barrier = threading.Barrier(parties, timeout=2)
        self.arrived = set()
        self.broken = False
        self.readers = [set() for _ in matrix]  # row index -> threads that read its elements
        self.rows = [WatchedRow(self, i, row) for i, row in enumerate(matrix)]

    def record(self, index):
        me = threading.get_ident()
        with self.lock:
            self.readers[index].add(me)
            first = me not in self.arrived
            self.arrived.add(me)
        if first and me != self.caller:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                self.broken = True

    def rows_read_by(self):
        """thread -> sorted row indices it read."""
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


def test_row_blocks_are_contiguous_and_even():
    cases = {
        (10, 3): [(0, 4), (4, 7), (7, 10)],
        (8, 4): [(0, 2), (2, 4), (4, 6), (6, 8)],
        (5, 1): [(0, 5)],
        (2, 5): [(0, 1), (1, 2)],
        (0, 3): [],
    }
    for (n_rows, workers), expected in cases.items():
        got = row_blocks(n_rows, workers)
        assert [tuple(block) for block in got] == expected, (
            f"row_blocks({n_rows}, {workers}) returned {got!r}, expected {expected!r}: "
            "min(workers, n_rows) contiguous (start, stop) blocks covering every row once, "
            "sizes differing by at most one, the larger blocks first"
        )


def test_the_product_matches_the_serial_product():
    a = [[1, 2, 3], [4, 5, 6]]
    b = [[7, 8], [9, 10], [11, 12]]
    got = matmul(a, b, workers=2)
    assert got == [[58, 64], [139, 154]], f"matmul({a}, {b}) returned {got!r}"
    a, b = random_matrix(13, 7, seed=1), random_matrix(7, 5, seed=2)
    got = matmul(a, b, workers=4)
    assert got == serial_product(a, b), (
        "matmul of a 13x7 and a 7x5 matrix with workers=4 differs from the serial product: "
        "check that every block computes its own rows and that they are put back in order"
    )
    assert all(type(row) is list for row in got), "return a list of lists"


def test_each_block_runs_in_its_own_thread_at_the_same_time():
    a, b = random_matrix(12, 6, seed=3), random_matrix(6, 6, seed=4)
    watched = WatchedRows(a, parties=4)
    got = matmul(watched.rows, b, workers=4)
    assert not watched.broken, (
        "the 4 blocks did not all run at the same time: each thread's first read of its rows "
        "waits up to 2 s for the other blocks' threads, and they never all arrived. Start a "
        "thread for every block before joining any of them."
    )
    assert got == serial_product(a, b), "with workers=4 the product is wrong"
    by_thread = watched.rows_read_by()
    assert watched.caller not in by_thread, (
        f"the calling thread read rows {by_thread.get(watched.caller)} of a itself: it should "
        "only split the work, start the threads, join them and put the blocks together"
    )
    blocks = sorted((rows[0], rows[-1] + 1, len(rows)) for rows in by_thread.values())
    assert len(by_thread) == 4, (
        f"{len(by_thread)} thread(s) read the rows of a, expected 4 (one per block, workers=4)"
    )
    assert all(stop - start == count for start, stop, count in blocks), (
        "each thread must read one contiguous block of rows; they read "
        f"{sorted(by_thread.values())}"
    )
    assert [(start, stop) for start, stop, _ in blocks] == [(0, 3), (3, 6), (6, 9), (9, 12)], (
        f"the threads read rows {sorted(by_thread.values())}: expected the blocks of "
        "row_blocks(12, 4), one per thread, each row read by one thread only"
    )
