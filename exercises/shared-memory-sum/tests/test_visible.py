"""Tests you can see: correct squares, real worker processes, and no block left behind."""

import os
from multiprocessing import shared_memory
from multiprocessing.process import BaseProcess

import numpy as np
from solution import square_all


class Watch:
    """Counts Process.start() calls and records the shared memory blocks created meanwhile."""

    def __enter__(self):
        self.starts = 0
        self.created = []
        self._start = BaseProcess.start
        self._init = shared_memory.SharedMemory.__init__
        watch = self

        def start(process):
            watch.starts += 1
            return watch._start(process)

        def init(shm, name=None, create=False, size=0, **kwargs):
            watch._init(shm, name, create, size, **kwargs)
            if create:
                watch.created.append(shm.name)

        BaseProcess.start = start
        shared_memory.SharedMemory.__init__ = init
        return self

    def __exit__(self, *exc_info):
        BaseProcess.start = self._start
        shared_memory.SharedMemory.__init__ = self._init


def still_existing(names):
    """The names among `names` that can still be attached to (and removes them)."""
    left = []
    for name in names:
        try:
            shm = shared_memory.SharedMemory(name=name)
        except FileNotFoundError:
            continue
        left.append(name)
        shm.close()
        shm.unlink()  # clean up after the failing solution
    return left


def test_squares_are_correct_and_input_unchanged():
    values = np.array([1.0, -2.0, 3.0, 0.5, -1.5, 10.0])
    original = values.copy()
    got = square_all(values)
    assert isinstance(got, np.ndarray), f"expected a NumPy array, got {type(got).__name__}"
    assert got.dtype == np.float64, f"expected dtype float64, got {got.dtype}"
    expected = original**2
    assert np.array_equal(got, expected), (
        f"square_all({original.tolist()}) returned {got.tolist()}, expected "
        f"{expected.tolist()}. If nothing was squared, the workers changed their own copies: "
        "let them write into a SharedMemory block instead."
    )
    assert np.array_equal(values, original), (
        f"square_all modified its input: it is now {values.tolist()}"
    )


def test_work_is_done_by_worker_processes_in_shared_memory():
    values = np.arange(1000, dtype=np.float64)
    with Watch() as watch:
        got = square_all(values, workers=2)
    still_existing(watch.created)
    assert np.array_equal(got, values**2), "wrong squares for np.arange(1000.0)"
    assert watch.starts >= 2, (
        f"square_all(values, workers=2) started {watch.starts} process(es); start one per "
        "worker (multiprocessing.Process, or a pool of that many processes)"
    )
    assert watch.created, (
        "square_all did not create a shared memory block: use "
        "multiprocessing.shared_memory.SharedMemory(create=True, size=values.nbytes)"
    )


def test_no_shared_memory_block_is_left_behind():
    values = np.linspace(-5.0, 5.0, 501)
    with Watch() as watch:
        got = square_all(values, workers=2)
    assert np.allclose(got, values**2), "wrong squares for np.linspace(-5.0, 5.0, 501)"
    in_dev_shm = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    listed = [name for name in watch.created if name.lstrip("/") in in_dev_shm]
    left = still_existing(watch.created)
    assert not left, (
        f"these shared memory blocks still exist after square_all returned: {left} "
        f"(listed in /dev/shm: {listed}). close() only releases this process's handle; "
        "the creator must also call unlink() once, ideally in a finally block."
    )
