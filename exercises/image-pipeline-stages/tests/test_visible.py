"""Tests you can see: the stages' results in input order, images processed in parallel
worker processes, and a bounded number of images in shared memory."""

import os
import tempfile
import time
from multiprocessing import reduction, shared_memory

import numpy as np
import solution

LOG = "IMAGE_PIPELINE_LOG"  # where recording_stage writes, inherited by the workers

# Stages used by the tests live at the top level of this module, so that the worker
# processes can find them by name. The first pixel of each test image carries a marker.


def slow_when_marked(image):
    """Waits marker / 100 seconds, then passes the image on unchanged."""
    time.sleep(int(image.flat[0]) / 100)
    return image


def recording_stage(image):
    """Notes which process ran it and when, and takes 0.25 s."""
    began = time.time()
    time.sleep(0.25)
    with open(os.environ[LOG], "a") as log:
        log.write(f"{os.getpid()} {began} {time.time()}\n")
    return image


def brief_stage(image):
    time.sleep(0.05)
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


def test_results_are_the_stages_output_in_input_order():
    # The first image is slow, so the later ones finish first.
    images = [make_image(i, 20 + i, 12 + 2 * i, marker=30 if i == 0 else 0) for i in range(6)]
    stages = [slow_when_marked, solution.greyscale, solution.box_blur, solution.threshold]
    got = solution.process_images(iter(images), stages, workers=2, max_in_flight=3)
    want = expected(images, stages)
    assert isinstance(got, list) and len(got) == 6, (
        f"process_images returned {type(got).__name__} of length {len(got)}, expected a list "
        "of 6 results"
    )
    shapes = [getattr(result, "shape", None) for result in got]
    assert shapes == [w.shape for w in want], (
        f"the results have shapes {shapes}, expected {[w.shape for w in want]} (greyscale "
        "makes each image 2-D). If they are shuffled, the results came back in the order "
        "the workers finished: collect them in input order."
    )
    for index, (result, right) in enumerate(zip(got, want)):
        assert result.dtype == right.dtype and np.array_equal(result, right), (
            f"result {index} differs from running the stages on image {index} in turn"
        )


def test_images_are_processed_in_worker_processes_at_the_same_time():
    log_path = os.path.join(tempfile.mkdtemp(), "stages.log")
    os.environ[LOG] = log_path
    images = [make_image(i) for i in range(4)]
    with Watch() as watch:
        got = solution.process_images(images, [recording_stage], workers=2, max_in_flight=2)
    still_existing(watch.created)
    assert all(np.array_equal(r, i) for r, i in zip(got, images)) and len(got) == 4, (
        "with a stage that returns its input, the results must equal the images"
    )
    calls = []
    if os.path.exists(log_path):
        with open(log_path) as log:
            calls = [line.split() for line in log]
    assert len(calls) == 4, f"the stage ran {len(calls)} time(s) for 4 images, expected 4"
    pids = {int(pid) for pid, _, _ in calls}
    assert os.getpid() not in pids, "a stage ran in the calling process, not in a worker"
    assert len(pids) == 2, f"4 images with workers=2 ran in {len(pids)} process(es), expected 2"
    spans = sorted((float(began), float(ended)) for _, began, ended in calls)
    overlapping = any(spans[i + 1][0] < spans[i][1] for i in range(len(spans) - 1))
    assert overlapping, (
        "no two images were processed at the same time: submit the next image before you "
        "wait for the result of the previous one"
    )


def test_at_most_max_in_flight_images_are_in_shared_memory():
    images = [make_image(i, 16, 16) for i in range(10)]
    with Watch() as watch:
        got = solution.process_images(images, [brief_stage], workers=2, max_in_flight=3)
    left = still_existing(watch.created)
    assert len(got) == 10 and all(np.array_equal(r, i) for r, i in zip(got, images)), (
        "wrong results for 10 images through a stage that returns its input"
    )
    assert len(watch.created) == 10, (
        f"{len(watch.created)} shared memory blocks were created for 10 images, expected "
        "one per image, created by process_images (the worker writes the result back into it)"
    )
    assert watch.most_live <= 3, (
        f"{watch.most_live} images were in shared memory at once with max_in_flight=3: wait "
        "for the oldest image's result (and unlink its block) before putting another one in"
    )
    assert watch.most_live >= 2, (
        "only one image was ever in shared memory at a time: keep up to max_in_flight "
        "images in flight so that the workers have work"
    )
    assert not watch.pixels_pickled(), (
        f"NumPy arrays of {watch.pixels_pickled()} elements were pickled to or from the "
        "workers: send only the block's name, the shape and the dtype"
    )
    assert not left, f"these blocks still exist after process_images returned: {left}"
