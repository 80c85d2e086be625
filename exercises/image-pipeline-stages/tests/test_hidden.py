"""Further tests: a failing stage stops the batch and leaks nothing, an empty batch, the
spawn start method, and a fresh interpreter's resource tracker."""

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from multiprocessing import reduction, shared_memory

import numpy as np
import solution


def fails_on_image_3(image):
    """The first pixel of each test image holds its index: image 3 cannot be processed."""
    time.sleep(0.02)
    if image.flat[0] == 3:
        raise ValueError("cannot process image 3")
    return image


def make_image(seed, height=24, width=16, marker=0):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    image.flat[0] = marker
    return image


class Watch:
    """Counts the shared memory blocks this process creates and unlinks, the most that
    existed at once, and the NumPy arrays pickled for other processes."""

    def __enter__(self):
        self.created, self.live, self.most_live, self.pickled_sizes = [], 0, 0, []
        self._init = shared_memory.SharedMemory.__init__
        self._unlink = shared_memory.SharedMemory.unlink
        watch = self

        def init(shm, name=None, create=False, size=0, **kwargs):
            watch._init(shm, name, create, size, **kwargs)
            if create:
                watch.created.append(shm.name)
                watch.live += 1
                watch.most_live = max(watch.most_live, watch.live)

        def unlink(shm):
            watch._unlink(shm)
            watch.live -= 1

        def reduce_array(array):
            watch.pickled_sizes.append(array.size)
            return array.__reduce__()

        shared_memory.SharedMemory.__init__ = init
        shared_memory.SharedMemory.unlink = unlink
        reduction.ForkingPickler.register(np.ndarray, reduce_array)
        return self

    def __exit__(self, *exc_info):
        shared_memory.SharedMemory.__init__ = self._init
        shared_memory.SharedMemory.unlink = self._unlink
        reduction.ForkingPickler._extra_reducers.pop(np.ndarray, None)

    def pixels_pickled(self):
        return [size for size in self.pickled_sizes if size > 16]


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


def expected(images, stages):
    results = []
    for image in images:
        for stage in stages:
            image = stage(image)
        results.append(image)
    return results


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
        f"process_images did not return within {seconds:g} s after a stage failed"
    )
    return outcome


def test_a_failing_stage_is_raised_stops_the_batch_and_leaks_nothing():
    pulled = []

    def images():
        for i in range(30):
            pulled.append(i)
            yield make_image(i, 16, 16, marker=i)

    with Watch() as watch:
        outcome = call_with_deadline(
            lambda: solution.process_images(
                images(), [fails_on_image_3, solution.box_blur], workers=2, max_in_flight=2
            )
        )
    left = still_existing(watch.created)
    children = multiprocessing.active_children()
    error = outcome.get("error")
    assert isinstance(error, ValueError) and "image 3" in str(error), (
        f"a stage raised ValueError('cannot process image 3'), but process_images gave "
        f"{outcome.get('value', error)!r}. Let the stage's exception reach the caller "
        "(future.result() re-raises it)."
    )
    assert len(pulled) < 30, (
        "all 30 images were read although image 3 failed: stop taking new images once a "
        "stage has failed"
    )
    assert not left, (
        f"after the failure these blocks were left in /dev/shm: {left}. Unlink every block "
        "still in flight (and the failed image's) in a finally block."
    )
    assert not children, f"worker processes still running after the error: {children}"


def test_an_empty_batch_gives_an_empty_list():
    with Watch() as watch:
        got = solution.process_images(iter([]), [solution.greyscale])
    assert got == [], f"process_images of no images returned {got!r}, expected []"
    assert not still_existing(watch.created), "blocks left behind for an empty batch"


def test_works_under_the_spawn_start_method():
    images = [make_image(i, 18, 14) for i in range(3)]
    stages = [solution.greyscale, solution.threshold]
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        with Watch() as watch:
            got = solution.process_images(images, stages, workers=2, max_in_flight=2)
    finally:
        multiprocessing.set_start_method(previous, force=True)
    left = still_existing(watch.created)
    want = [solution.threshold(solution.greyscale(image)) for image in images]
    assert len(got) == 3 and all(np.array_equal(g, w) for g, w in zip(got, want)), (
        "under spawn the results are wrong: a spawned worker gets only what you pass it"
    )
    assert not watch.pixels_pickled(), (
        f"under spawn, NumPy arrays of {watch.pixels_pickled()} elements were pickled"
    )
    assert not left, f"blocks left behind under spawn: {left}"


def test_no_resource_tracker_warning_after_a_failure_in_a_fresh_interpreter():
    folder = os.path.dirname(os.path.abspath(solution.__file__))
    code = (
        "import numpy as np\n"
        "import solution\n"
        "def bad(image):\n"
        "    if image.flat[0] == 2:\n"
        "        raise ValueError('bad image')\n"
        "    return image\n"
        "if __name__ == '__main__':\n"
        "    images = [np.full((8, 8, 3), i, dtype=np.uint8) for i in range(6)]\n"
        "    got = solution.process_images(images[:2], [solution.greyscale])\n"
        "    assert len(got) == 2\n"
        "    try:\n"
        "        solution.process_images(images, [bad], workers=2, max_in_flight=2)\n"
        "    except ValueError:\n"
        "        print('done')\n"
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
        "in a fresh interpreter, a batch whose stage fails on one image did not raise "
        f"ValueError (exit code {run.returncode}):\n{run.stderr}"
    )
    assert "resource_tracker" not in run.stderr and "leaked" not in run.stderr, (
        "when the program exited, the resource tracker reported a leak:\n"
        f"{run.stderr.strip()}\nEvery block must be unlinked, on the error path too."
    )
