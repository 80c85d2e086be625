from collections import deque
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import shared_memory

import numpy as np

# The stages: module-level functions, so that worker processes can find them by name.


def greyscale(image):
    """H x W x 3 uint8 -> H x W uint8, with the usual luma weights (integer arithmetic)."""
    weights = np.array([299, 587, 114], dtype=np.uint32)
    return ((image.astype(np.uint32) @ weights + 500) // 1000).astype(np.uint8)


def box_blur(image, radius=1):
    """Mean of the (2r+1) x (2r+1) neighbourhood, edge pixels repeated outwards."""
    size = 2 * radius + 1
    pad = [(radius, radius), (radius, radius)] + [(0, 0)] * (image.ndim - 2)
    padded = np.pad(image.astype(np.uint32), pad, mode="edge")
    height, width = image.shape[:2]
    total = np.zeros(image.shape, dtype=np.uint32)
    for dy in range(size):
        for dx in range(size):
            total += padded[dy : dy + height, dx : dx + width]
    return ((total + size * size // 2) // (size * size)).astype(np.uint8)


def threshold(image):
    """255 where a pixel is at least the image's median level (from its histogram), else 0."""
    counts = np.bincount(image.ravel(), minlength=256)
    median = int(np.searchsorted(np.cumsum(counts), image.size / 2))
    return np.where(image >= median, 255, 0).astype(np.uint8)


def run_stages(name, shape, dtype, stages):
    """In a worker: run the image in block `name` through `stages` and write the result back
    into the same block. Returns the result's shape and dtype (as a string)."""
    shm = shared_memory.SharedMemory(name=name)
    try:
        view = np.ndarray(shape, dtype=dtype, buffer=shm.buf)
        image = view.copy()  # a private copy for the stages (see below)
        del view
        # No reference to the block's buffer may survive a failing stage: the traceback
        # would keep it alive, and close() would raise BufferError instead of the real error.
        for stage in stages:
            image = stage(image)
        image = np.ascontiguousarray(image)
        if image.nbytes > shm.size:
            raise ValueError(f"result of {image.nbytes} bytes does not fit the image's block")
        out = np.ndarray(image.shape, dtype=image.dtype, buffer=shm.buf)
        out[...] = image
        del out
    finally:
        shm.close()  # the parent created the block and will unlink it
    return image.shape, image.dtype.str


def process_images(images, stages, *, workers=2, max_in_flight=3):
    """Run every image through `stages` in `workers` processes, with at most
    `max_in_flight` images in shared memory at once; return the results in input order."""
    stages = tuple(stages)
    results = []
    in_flight = deque()  # (block, future), oldest first: a bounded queue of blocks

    def collect_oldest():
        shm, future = in_flight.popleft()
        try:
            shape, dtype = future.result()  # re-raises a stage's exception here
            results.append(np.ndarray(shape, dtype=dtype, buffer=shm.buf).copy())
        finally:
            shm.close()
            shm.unlink()

    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            try:
                for image in images:  # lazily: never more than max_in_flight ahead
                    if len(in_flight) == max_in_flight:
                        collect_oldest()  # waits for the oldest: back-pressure
                    image = np.ascontiguousarray(image)
                    shm = shared_memory.SharedMemory(create=True, size=max(image.nbytes, 1))
                    in_flight.append((shm, None))
                    np.ndarray(image.shape, dtype=image.dtype, buffer=shm.buf)[...] = image
                    future = pool.submit(run_stages, shm.name, image.shape, image.dtype.str, stages)
                    in_flight[-1] = (shm, future)
                while in_flight:
                    collect_oldest()
            except BaseException:
                for _, future in in_flight:
                    if future is not None:
                        future.cancel()  # images not started yet are not processed
                raise
        # Leaving the with block waited for the workers that were still running.
    finally:
        while in_flight:  # only on the error path: unlink every block still held
            shm, _ = in_flight.popleft()
            shm.close()
            shm.unlink()
    return results
