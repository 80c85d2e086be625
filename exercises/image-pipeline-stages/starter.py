from concurrent.futures import ProcessPoolExecutor
from itertools import repeat

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
    into the same block. Returns the result's shape and dtype (as a string).

    Not written yet: process_images below does not use shared memory at all.
    """
    raise NotImplementedError


def apply_stages(image, stages):
    for stage in stages:
        image = stage(image)
    return image


def process_images(images, stages, *, workers=2, max_in_flight=3):
    """Run every image through `stages` in `workers` processes, with at most
    `max_in_flight` images in shared memory at once; return the results in input order.

    This version gives the results in order, but pool.map() pickles every image to a worker
    and every result back, and it reads the whole batch at once, whatever max_in_flight
    says. Put each image in a SharedMemory block, submit run_stages with the block's name,
    and keep at most max_in_flight images in flight.
    """
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(apply_stages, images, repeat(tuple(stages))))
