# Wrong: the source block is unlinked, but the result block is only closed, so it stays
# in /dev/shm after every call and the resource tracker warns about it at exit.
import multiprocessing
from multiprocessing import shared_memory

import numpy as np


def box_blur(image, radius=1):
    """The single-process filter: each pixel becomes the mean of the (2r+1) x (2r+1) pixels
    around it, with the image's edge pixels repeated outwards. uint8 in, uint8 out."""
    size = 2 * radius + 1
    pad = [(radius, radius), (radius, radius)] + [(0, 0)] * (image.ndim - 2)
    padded = np.pad(image.astype(np.uint32), pad, mode="edge")
    height, width = image.shape[:2]
    total = np.zeros(image.shape, dtype=np.uint32)
    for dy in range(size):
        for dx in range(size):
            total += padded[dy : dy + height, dx : dx + width]
    return ((total + size * size // 2) // (size * size)).astype(np.uint8)


def blur_band(src_name, dst_name, shape, dtype, radius, start, stop):
    """In a worker: write rows start..stop-1 of box_blur(source) into the destination block."""
    src = shared_memory.SharedMemory(name=src_name)
    try:
        dst = shared_memory.SharedMemory(name=dst_name)
        try:
            image = np.ndarray(shape, dtype=dtype, buffer=src.buf)
            out = np.ndarray(shape, dtype=dtype, buffer=dst.buf)
            # The band plus `radius` rows of halo on each side, cut at the image's edges:
            # blurring the halo too gives the band's rows exactly what the whole image would.
            low, high = max(0, start - radius), min(shape[0], stop + radius)
            out[start:stop] = box_blur(image[low:high], radius)[start - low : stop - low]
            del image, out  # close() raises BufferError while a view uses the buffer
        finally:
            dst.close()
    finally:
        src.close()  # this process's handles only: the parent owns the blocks and unlinks them


def parallel_blur(image, radius=1, workers=2):
    """Return box_blur(image, radius), computed by `workers` processes on bands of rows of
    one shared copy of the image; only block names, the shape and the dtype are sent."""
    image = np.ascontiguousarray(image)
    height = image.shape[0]
    bounds = [height * i // workers for i in range(workers + 1)]
    bands = [(bounds[i], bounds[i + 1]) for i in range(workers) if bounds[i] < bounds[i + 1]]

    src = shared_memory.SharedMemory(create=True, size=image.nbytes)
    try:
        dst = shared_memory.SharedMemory(create=True, size=image.nbytes)
        try:
            source = np.ndarray(image.shape, dtype=image.dtype, buffer=src.buf)
            source[:] = image
            source = None  # the workers read the block itself
            processes = [
                multiprocessing.Process(
                    target=blur_band,
                    args=(src.name, dst.name, image.shape, image.dtype.str, radius, start, stop),
                )
                for start, stop in bands
            ]
            for process in processes:
                process.start()  # all of them first, so that they run at the same time
            for process in processes:
                process.join()
            failed = [p.exitcode for p in processes if p.exitcode != 0]
            if failed:
                raise RuntimeError(f"blur workers failed with exit codes {failed}")
            result = np.ndarray(image.shape, dtype=image.dtype, buffer=dst.buf).copy()
        finally:
            dst.close()  # closed, but never unlinked: the result block stays in /dev/shm
    finally:
        src.close()
        src.unlink()
    return result
