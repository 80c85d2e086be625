"""Further tests: the worker function itself, a failing worker, small and grey images, the
spawn start method, and a fresh interpreter's resource tracker."""

import multiprocessing
import os
import subprocess
import sys
import threading
from multiprocessing import reduction, shared_memory

import numpy as np
import solution


def expected_blur(image, radius):
    """The single-process filter the result must equal."""
    size = 2 * radius + 1
    pad = [(radius, radius), (radius, radius)] + [(0, 0)] * (image.ndim - 2)
    padded = np.pad(image.astype(np.uint32), pad, mode="edge")
    height, width = image.shape[:2]
    total = np.zeros(image.shape, dtype=np.uint32)
    for dy in range(size):
        for dx in range(size):
            total += padded[dy : dy + height, dx : dx + width]
    return ((total + size * size // 2) // (size * size)).astype(np.uint8)


def noise_image(height, width, seed=1):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)


class Watch:
    """Records the shared memory blocks created, and the NumPy arrays pickled for other
    processes (multiprocessing pickles through ForkingPickler), while it is active."""

    def __enter__(self):
        self.created = []
        self.pickled_sizes = []
        self._init = shared_memory.SharedMemory.__init__
        watch = self

        def init(shm, name=None, create=False, size=0, **kwargs):
            watch._init(shm, name, create, size, **kwargs)
            if create:
                watch.created.append(shm.name)

        def reduce_array(array):
            watch.pickled_sizes.append(array.size)
            return array.__reduce__()

        shared_memory.SharedMemory.__init__ = init
        reduction.ForkingPickler.register(np.ndarray, reduce_array)
        self.listed_before = shm_listing()
        return self

    def __exit__(self, *exc_info):
        shared_memory.SharedMemory.__init__ = self._init
        reduction.ForkingPickler._extra_reducers.pop(np.ndarray, None)

    def pixels_pickled(self):
        return [size for size in self.pickled_sizes if size > 16]


def shm_listing():
    return set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()


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
        shm.unlink()  # clean up after a failing solution
    return left


def failing_blur_band(src_name, dst_name, shape, dtype, radius, start, stop):
    """Stands in for solution.blur_band: a worker that fails on the band holding row 0."""
    if start == 0:
        raise ValueError("this worker fails on purpose")
    solution_blur_band(src_name, dst_name, shape, dtype, radius, start, stop)


solution_blur_band = solution.blur_band


def call_with_deadline(function, seconds=8.0):
    """Run function() in a daemon thread and return its value or the exception it raised."""
    outcome = {}

    def runner():
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), (
        f"parallel_blur did not return within {seconds:g} s after a worker failed: does it "
        "wait for a result that a dead worker will never send?"
    )
    return outcome


def test_blur_band_writes_only_its_rows_using_the_halo():
    image = noise_image(30, 12, seed=4)
    src = shared_memory.SharedMemory(create=True, size=image.nbytes)
    dst = shared_memory.SharedMemory(create=True, size=image.nbytes)
    try:
        source = np.ndarray(image.shape, dtype=np.uint8, buffer=src.buf)
        source[:] = image
        out = np.ndarray(image.shape, dtype=np.uint8, buffer=dst.buf)
        out[:] = 7
        solution.blur_band(src.name, dst.name, image.shape, image.dtype.str, 2, 10, 20)
        got = out.copy()
        del source, out
    finally:
        for shm in (src, dst):
            shm.close()
            shm.unlink()
    expected = expected_blur(image, 2)
    assert np.array_equal(got[10:20], expected[10:20]), (
        "after blur_band(src, dst, shape, dtype, radius=2, start=10, stop=20), rows 10..19 of "
        "the destination differ from the whole-image blur: read rows 8..21 (the band and its "
        "halo) from the source, blur them, and write back only rows 10..19"
    )
    assert (got[:10] == 7).all() and (got[20:] == 7).all(), (
        "blur_band wrote outside rows 10..19: each worker may write only its own band, or "
        "the workers overwrite each other's rows"
    )


def test_a_failing_worker_is_reported_and_nothing_leaks():
    image = noise_image(40, 16, seed=5)
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("fork", force=True)  # the stand-in lives in this module
    solution.blur_band = failing_blur_band
    try:
        with Watch() as watch:
            outcome = call_with_deadline(lambda: solution.parallel_blur(image, 1, workers=2))
    finally:
        solution.blur_band = solution_blur_band
        multiprocessing.set_start_method(previous, force=True)
    left = still_existing(watch.created)
    assert "error" in outcome, (
        f"a worker failed, but parallel_blur returned {outcome.get('value')!r} instead of "
        "raising. Check each process's exitcode after join() (or the futures' results) "
        "and raise when a worker failed: part of the image was never blurred."
    )
    assert isinstance(outcome["error"], Exception), f"raised {outcome['error']!r}"
    assert not left, (
        f"after a worker failed, these blocks were left in /dev/shm: {left}. Unlink in a "
        "finally block, so that the blocks go away on the error path too."
    )


def test_grey_and_tiny_images_with_more_workers():
    rng = np.random.default_rng(6)
    grey = rng.integers(0, 256, size=(23, 9), dtype=np.uint8)
    got = solution.parallel_blur(grey, radius=2, workers=4)
    assert np.array_equal(got, expected_blur(grey, 2)), (
        "a 23x9 greyscale (2-D) image with radius=2 and workers=4 came out wrong; the bands "
        "(5 or 6 rows) are barely wider than the halo"
    )
    tiny = noise_image(7, 5, seed=7)
    got = solution.parallel_blur(tiny, radius=2, workers=3)
    assert np.array_equal(got, expected_blur(tiny, 2)), (
        "a 7x5 image with radius=2 and workers=3 came out wrong: bands of 2 rows need halo "
        "rows from beyond their neighbours' bands, cut at the image's edges"
    )


def test_works_under_the_spawn_start_method():
    image = noise_image(36, 24, seed=8)
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        with Watch() as watch:
            got = solution.parallel_blur(image, radius=1, workers=2)
    finally:
        multiprocessing.set_start_method(previous, force=True)
    left = still_existing(watch.created)
    assert np.array_equal(got, expected_blur(image, 1)), (
        "under spawn, parallel_blur returned different pixels. A spawned worker starts a "
        "fresh interpreter: it gets only what you pass it, pickled."
    )
    assert not watch.pixels_pickled(), (
        f"under spawn, NumPy arrays of {watch.pixels_pickled()} elements were pickled for the "
        "workers: pass the blocks' names, not the arrays"
    )
    assert not left, f"blocks left behind under spawn: {left}"


def test_no_resource_tracker_warning_in_a_fresh_interpreter():
    folder = os.path.dirname(os.path.abspath(solution.__file__))
    code = (
        "import numpy as np\n"
        "import solution\n"
        "if __name__ == '__main__':\n"
        "    image = np.arange(30 * 20 * 3, dtype=np.uint32).reshape(30, 20, 3) % 251\n"
        "    image = image.astype(np.uint8)\n"
        "    got = solution.parallel_blur(image, radius=1, workers=2)\n"
        "    assert got.shape == image.shape\n"
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
        f"parallel_blur failed in a fresh interpreter (exit code {run.returncode}):\n{run.stderr}"
    )
    assert "resource_tracker" not in run.stderr and "leaked" not in run.stderr, (
        "when the program exited, the resource tracker reported a leak:\n"
        f"{run.stderr.strip()}\nEvery block you create must be unlink()ed once."
    )
