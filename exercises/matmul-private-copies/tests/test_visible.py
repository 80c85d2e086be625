"""Tests you can see: private copies of the numbers, made by each worker, and the product."""

import random
import threading

from solution import matmul, private_columns


def serial_product(a, b):
    """The textbook triple loop, worked out independently of the solution."""
    return [[sum(row[k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for row in a]


def random_matrix(rows, columns, seed):
    rng = random.Random(seed)
    return [[float(rng.randint(-9, 9)) for _ in range(columns)] for _ in range(rows)]


class Watch:
    """Watches a matrix: which thread reads each row, and what is done with its numbers.

    The rows become list subclasses that record each read, and the numbers become float
    subclasses that count, per thread, the multiplications done with them and the calls of
    float() on them. With `parties`, each thread's first read waits at a barrier (up to 2 s)
    until that many threads have arrived; the calling thread never waits.
    """

    def __init__(self, matrix, parties=None):
        self.lock = threading.Lock()
        self.caller = threading.get_ident()
        self.barrier = threading.Barrier(parties, timeout=2) if parties else None
        self.arrived = set()
        self.broken = False
        self.readers = [set() for _ in matrix]  # row index -> threads that read it
        self.reads = {}  # thread -> elements read
        self.multiplications = {}  # thread -> multiplications with one of these numbers
        self.float_calls = 0
        watch = self

        class Number(float):
            def __mul__(self, other):
                watch.count(watch.multiplications)
                return float.__mul__(self, other)

            def __rmul__(self, other):
                watch.count(watch.multiplications)
                return float.__rmul__(self, other)

            def __float__(self):
                with watch.lock:
                    watch.float_calls += 1
                return float.__float__(self)

        self.Number = Number
        self.rows = [WatchedRow(self, i, [Number(x) for x in row]) for i, row in enumerate(matrix)]

    def count(self, counter, n=1):
        me = threading.get_ident()
        with self.lock:
            counter[me] = counter.get(me, 0) + n

    def record(self, index, n):
        me = threading.get_ident()
        with self.lock:
            self.readers[index].add(me)
            self.reads[me] = self.reads.get(me, 0) + n
            first = me not in self.arrived
            self.arrived.add(me)
        if first and me != self.caller and self.barrier is not None:
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
        n = 1 if isinstance(key, int) else len(range(*key.indices(len(self))))
        self._owner.record(self._index, n)
        return super().__getitem__(key)

    def __iter__(self):
        self._owner.record(self._index, len(self))
        return super().__iter__()

    def copy(self):
        self._owner.record(self._index, len(self))
        return list(super().__iter__())


def test_private_columns_copies_the_numbers():
    b = random_matrix(4, 3, seed=1)
    watch = Watch(b)
    columns = private_columns(watch.rows)
    assert [list(column) for column in columns] == [list(c) for c in zip(*b)], (
        f"private_columns returned {[list(c) for c in columns]}, expected the 3 columns "
        f"{[list(c) for c in zip(*b)]}"
    )
    assert watch.float_calls == 0, (
        "private_columns called float() on the numbers of b. For a float, float(x) returns x "
        "itself, not a copy: use array('d', column), whose elements are raw doubles"
    )
    shared = [x for column in columns for x in column if isinstance(x, watch.Number)]
    assert not shared, (
        f"{len(shared)} of the numbers in the columns are the very objects of b: copying the "
        "lists (list(column), tuple(column), zip(*b)) copies references to the same numbers. "
        "Copy the numbers themselves, for example into array('d', column)."
    )
    watch.rows[0][0] = watch.Number(99.0)
    assert columns[0][0] == b[0][0], "changing b afterwards changed the copy: it is not a copy"


def test_the_product_matches_the_serial_product():
    a = [[1, 2, 3], [4, 5, 6]]
    b = [[7, 8], [9, 10], [11, 12]]
    got = matmul(a, b, workers=2)
    assert got == [[58, 64], [139, 154]], f"matmul({a}, {b}) returned {got!r}"
    a, b = random_matrix(13, 7, seed=2), random_matrix(7, 5, seed=3)
    got = matmul(a, b, workers=4)
    assert got == serial_product(a, b), "matmul of a 13x7 and a 7x5 matrix is wrong"
    assert all(type(row) is list for row in got) and len({id(r) for r in got}) == 13, (
        "return a list of 13 separate lists"
    )


def test_each_worker_copies_b_in_its_own_thread():
    a, b = random_matrix(16, 8, seed=4), random_matrix(8, 8, seed=5)
    watched_a, watched_b = Watch(a, parties=4), Watch(b)
    got = matmul(watched_a.rows, watched_b.rows, workers=4)
    assert got == serial_product(a, b), "with workers=4 the product is wrong"
    assert not watched_a.broken, (
        "the 4 blocks did not all run at the same time: each thread's first read of its rows "
        "waits up to 2 s for the other blocks' threads. Start every thread before joining any."
    )
    workers = watched_a.threads()
    assert len(workers) == 4 and watched_a.caller not in workers, (
        f"{len(workers)} thread(s) read the rows of a (the calling thread among them: "
        f"{watched_a.caller in workers}); expected 4 worker threads, one per block"
    )
    readers_of_b = watched_b.threads()
    assert watched_b.caller not in readers_of_b, (
        "the calling thread read b: it must not prepare a copy to share, each worker makes "
        "its own copy of the columns in its own thread"
    )
    assert readers_of_b == workers, (
        f"{len(workers & readers_of_b)} of the 4 worker threads read b: every worker must "
        "make its own copy of b's columns, in its own thread, and then use only that copy"
    )
    size = 8 * 8
    most = max(watched_b.reads.values())
    assert most <= 2 * size, (
        f"a worker read elements of b's shared rows {most} times (b has {size} elements). "
        "Read b once to copy it, then compute from the copy only."
    )


def test_the_hot_loop_does_not_multiply_shared_numbers():
    a, b = random_matrix(16, 8, seed=6), random_matrix(8, 8, seed=7)
    watched_b = Watch(b)
    got = matmul(a, watched_b.rows, workers=2)
    assert got == serial_product(a, b), "with workers=2 the product is wrong"
    assert watched_b.float_calls == 0, (
        "float() was called on the numbers of b. For a float, float(x) returns x itself, so "
        "it copies nothing: use array('d', ...) (or x + 0.0, which makes a new float)"
    )
    most = max(watched_b.multiplications.values(), default=0)
    assert most <= 8 * 8, (
        f"a worker multiplied {most} times with the number objects of b itself, which every "
        "thread shares (a block of 8 rows needs 8 x 8 x 8 = 512 multiplications). Copying "
        "the lists of b is not enough: copy the numbers (array('d', column)) and multiply "
        "those."
    )
