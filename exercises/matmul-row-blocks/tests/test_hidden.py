"""Further tests: other shapes and worker counts, errors, and no threads left behind."""

import random
import threading

from solution import matmul, row_blocks


def serial_product(a, b):
    return [[sum(row[k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for row in a]


def random_matrix(rows, columns, seed):
    rng = random.Random(seed)
    return [[rng.randint(-9, 9) for _ in range(columns)] for _ in range(rows)]


class WatchedRows:
    """Rows that record which thread reads them; see test_visible.py."""

    def __init__(self, matrix, parties):
        self.lock = threading.Lock()
        self.caller = threading.get_ident()
        self.barrier = threading.Barrier(parties, timeout=2)
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
        if first and me != self.caller:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                self.broken = True

    def threads(self):
        return set().union(*self.readers) if self.readers else set()


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


def test_more_workers_than_rows():
    a, b = random_matrix(3, 4, seed=5), random_matrix(4, 2, seed=6)
    watched = WatchedRows(a, parties=3)
    got = matmul(watched.rows, b, workers=8)
    assert got == serial_product(a, b), f"matmul with 3 rows and workers=8 returned {got!r}"
    assert not watched.broken and len(watched.threads()) == 3, (
        f"3 rows and workers=8: expected 3 threads of one row each, running at once; "
        f"{len(watched.threads())} thread(s) read the rows (no empty blocks, no extra threads)"
    )


def test_one_worker_is_still_a_worker_thread():
    a, b = random_matrix(5, 3, seed=7), random_matrix(3, 4, seed=8)
    watched = WatchedRows(a, parties=1)
    got = matmul(watched.rows, b, workers=1)
    assert got == serial_product(a, b), f"matmul with workers=1 returned {got!r}"
    assert watched.threads() and watched.caller not in watched.threads(), (
        "with workers=1 the rows must still be computed by one worker thread, not the caller"
    )


def test_floats_and_a_non_square_product():
    a = [[x / 4 for x in row] for row in random_matrix(9, 11, seed=9)]
    b = [[x / 2 for x in row] for row in random_matrix(11, 3, seed=10)]
    got = matmul(a, b, workers=3)
    assert got == serial_product(a, b), "the product of a 9x11 and an 11x3 float matrix is wrong"
    assert len(got) == 9 and all(len(row) == 3 for row in got), "the result must be 9x3"


def test_rows_of_the_result_are_separate_lists():
    a, b = random_matrix(6, 2, seed=11), random_matrix(2, 3, seed=12)
    got = matmul(a, b, workers=2)
    assert len({id(row) for row in got}) == len(got), (
        "some rows of the result are the same list object (for example [[0] * p] * m): every "
        "row must be a list of its own"
    )
    assert got == serial_product(a, b)


def test_empty_input_and_mismatched_shapes():
    assert matmul([], [[1, 2]], workers=3) == [], "the product of an empty matrix is []"
    assert row_blocks(0, 4) == [], "row_blocks(0, 4) must be []"
    try:
        matmul([[1, 2, 3]], [[1], [2]], workers=2)
    except ValueError:
        pass
    else:
        raise AssertionError("a 1x3 matrix times a 2x1 matrix must raise ValueError")


def test_an_error_in_a_worker_reaches_the_caller():
    a, b = random_matrix(12, 4, seed=13), random_matrix(4, 4, seed=14)
    a[9][2] = None  # None * int raises TypeError, in the thread of the last block
    try:
        got = matmul(a, b, workers=3)
    except TypeError:
        return
    raise AssertionError(
        f"a TypeError was raised in a worker thread, but matmul returned {got!r}. An exception "
        "in a thread ends only that thread: catch it there, and raise it in the caller after "
        "join()"
    )


def test_no_threads_are_left_running():
    before = set(threading.enumerate())
    matmul(random_matrix(8, 8, seed=15), random_matrix(8, 8, seed=16), workers=4)
    left = [thread.name for thread in threading.enumerate() if thread not in before]
    assert not left, f"threads still alive after matmul returned: {left}; join them all"
