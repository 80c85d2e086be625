"""Further tests: other sizes, an empty input, the spawn start method, a fresh interpreter."""

import multiprocessing
import os
import subprocess
import sys
from multiprocessing import shared_memory
from multiprocessing.process import BaseProcess

import numpy as np
import solution
from solution import square_all, square_slice


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
        shm.unlink()
    return left


def test_odd_length_with_three_workers():
    values = np.array([float(x) for x in range(-5, 6)])  # 11 values
    with Watch() as watch:
        got = square_all(values, workers=3)
    left = still_existing(watch.created)
    assert np.array_equal(got, values**2), (
        f"square_all(values, workers=3) on 11 values returned {got.tolist()}, expected "
        f"{(values**2).tolist()}: check that the slices cover every index exactly once"
    )
    assert watch.starts >= 3, f"workers=3 but only {watch.starts} process(es) were started"
    assert not left, f"shared memory blocks left behind: {left}"


def test_empty_input_gives_empty_array():
    with Watch() as watch:
        got = square_all(np.array([], dtype=np.float64))
    left = still_existing(watch.created)
    assert isinstance(got, np.ndarray) and got.shape == (0,), (
        f"square_all of an empty array returned {got!r}, expected an empty float64 array"
    )
    assert not left, f"shared memory blocks left behind: {left}"


def test_square_slice_squares_only_its_slice():
    values = np.arange(1.0, 9.0)
    shm = shared_memory.SharedMemory(create=True, size=values.nbytes)
    try:
        view = np.ndarray(values.shape, dtype=np.float64, buffer=shm.buf)
        view[:] = values
        square_slice(shm.name, len(values), 2, 5)
        got = view.tolist()
        del view
    finally:
        shm.close()
        shm.unlink()
    expected = [1.0, 2.0, 9.0, 16.0, 25.0, 6.0, 7.0, 8.0]
    assert got == expected, (
        f"after square_slice(name, 8, 2, 5) the block holds {got}, expected {expected}: "
        "square indices 2, 3 and 4 in place and leave the rest alone"
    )


def test_works_under_the_spawn_start_method():
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        values = np.array([0.5, 1.5, -2.5, 4.0, -3.0])
        with Watch() as watch:
            got = square_all(values, workers=2)
    finally:
        multiprocessing.set_start_method(previous, force=True)
    left = still_existing(watch.created)
    assert np.array_equal(got, values**2), (
        f"under spawn, square_all returned {got.tolist()}, expected {(values**2).tolist()}. "
        "Under spawn every argument is pickled: a NumPy array arrives as a private copy. "
        "Pass the block's name and attach to it in the worker."
    )
    assert not left, f"shared memory blocks left behind under spawn: {left}"


def test_no_resource_tracker_warning_in_a_fresh_interpreter():
    folder = os.path.dirname(os.path.abspath(solution.__file__))
    code = (
        "import numpy as np\n"
        "import solution\n"
        "if __name__ == '__main__':\n"
        "    got = solution.square_all(np.arange(100, dtype=np.float64))\n"
        "    assert np.array_equal(got, np.arange(100, dtype=np.float64) ** 2)\n"
        "    print('done')\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = folder + os.pathsep + env.get("PYTHONPATH", "")
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert run.returncode == 0 and "done" in run.stdout, (
        f"square_all failed in a fresh interpreter (exit code {run.returncode}):\n{run.stderr}"
    )
    assert "resource_tracker" not in run.stderr and "leaked" not in run.stderr, (
        "when the program exited, the resource tracker reported a leak:\n"
        f"{run.stderr.strip()}\nEvery block you create must be unlink()ed once."
    )
