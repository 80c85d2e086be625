"""Tests you can see: the same pixels as one process, bands blurred in parallel processes,
and nothing left in shared memory."""

import os
import tempfile
import time
from multiprocessing import reduction, shared_memory

import numpy as np
import solution

LOG = "SHARED_IMAGE_FILTER_LOG"  # where recording_blur_band writes, inherited by the workers


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


def recording_blur_band(src_name, dst_name, shape, dtype, radius, start, stop):
    """Stands in for solution.blur_band: notes which process blurred which rows, and when."""
    began = time.time()
    time.sleep(0.3)  # long enough for bands run at the same time to overlap
    original_blur_band(src_name, dst_name, shape, dtype, radius, start, stop)
    with open(os.environ[LOG], "a") as log:
        log.write(f"{os.getpid()} {start} {stop} {began} {time.time()}\n")


original_blur_band = solution.blur_band


def test_the_result_equals_the_single_process_filter():
    for height, width, radius, workers in [(60, 40, 1, 2), (45, 31, 2, 3)]:
        image = noise_image(height, width)
        original = image.copy()
        got = solution.parallel_blur(image, radius=radius, workers=workers)
        expected = expected_blur(image, radius)
        assert isinstance(got, np.ndarray) and got.shape == image.shape, (
            f"parallel_blur returned {type(got).__name__} of shape "
            f"{getattr(got, 'shape', None)}, expected an array of shape {image.shape}"
        )
        assert got.dtype == np.uint8, f"expected dtype uint8, got {got.dtype}"
        wrong_rows = sorted({int(r) for r in np.nonzero((got != expected).any(axis=(1, 2)))[0]})
        assert not wrong_rows, (
            f"{height}x{width} image, radius={radius}, workers={workers}: rows {wrong_rows} "
            "differ from the single-process box_blur. Rows next to a band's edge need the "
            f"{radius} row(s) beyond it: give each band a halo of `radius` rows on each side, "
            "blur that, and keep only the band's own rows."
        )
        assert np.array_equal(image, original), "parallel_blur modified its input image"


def test_bands_are_blurred_by_separate_processes_at_the_same_time():
    image = noise_image(48, 20, seed=2)
    log_path = os.path.join(tempfile.mkdtemp(), "bands.log")
    os.environ[LOG] = log_path
    solution.blur_band = recording_blur_band
    try:
        with Watch() as watch:
            got = solution.parallel_blur(image, radius=1, workers=3)
    finally:
        solution.blur_band = original_blur_band
        still_existing(watch.created)
    assert np.array_equal(got, expected_blur(image, 1)), "wrong pixels with workers=3"
    calls = []
    if os.path.exists(log_path):
        with open(log_path) as log:
            calls = [line.split() for line in log]
    assert len(calls) == 3, (
        f"blur_band ran {len(calls)} time(s) for workers=3, expected 3: one band of rows per "
        "worker. Start each worker on solution.blur_band (looked up by name when you start "
        "them: the tests replace it with a wrapper that records each call)."
    )
    pids = {int(pid) for pid, *_ in calls}
    assert os.getpid() not in pids, "a band was blurred in the calling process, not a worker"
    assert len(pids) == 3, f"the 3 bands ran in {len(pids)} distinct process(es), expected 3"
    rows = sorted((int(start), int(stop)) for _, start, stop, _, _ in calls)
    covered = [row for start, stop in rows for row in range(start, stop)]
    assert covered == list(range(48)), f"the bands {rows} do not cover rows 0..47 exactly once"
    latest_start = max(float(began) for *_, began, _ in calls)
    earliest_end = min(float(ended) for *_, ended in calls)
    assert latest_start < earliest_end, (
        "the bands were blurred one after another, not at the same time: start every "
        "worker before you join any of them"
    )


def test_only_names_travel_and_every_block_is_unlinked():
    image = noise_image(64, 64, seed=3)
    with Watch() as watch:
        got = solution.parallel_blur(image, radius=1, workers=2)
    new_entries = sorted(name for name in shm_listing() - watch.listed_before if "psm" in name)
    left = still_existing(watch.created)
    assert np.array_equal(got, expected_blur(image, 1)), "wrong pixels for a 64x64 image"
    assert watch.created, (
        "parallel_blur created no shared memory block: put the image (and the result) in "
        "multiprocessing.shared_memory.SharedMemory(create=True, size=image.nbytes) blocks"
    )
    assert not watch.pixels_pickled(), (
        f"NumPy arrays of {watch.pixels_pickled()} elements were pickled to or from the "
        "workers: send only the blocks' names, the shape, the dtype and the rows"
    )
    assert not left, (
        f"these blocks still exist after parallel_blur returned: {left} (new entries in "
        f"/dev/shm: {new_entries}). close() releases one process's handle; the creator must "
        "also unlink() each block once, in a finally block."
    )
