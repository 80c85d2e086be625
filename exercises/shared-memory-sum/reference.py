import multiprocessing
from multiprocessing import shared_memory

import numpy as np


def square_slice(shm_name, length, start, stop):
    """In a worker: square elements start..stop-1 of the float64 array in block shm_name."""
    shm = shared_memory.SharedMemory(name=shm_name)  # attach to the parent's block
    try:
        view = np.ndarray((length,), dtype=np.float64, buffer=shm.buf)
        view[start:stop] **= 2  # writes straight into the shared bytes
        del view  # close() raises BufferError while an array still uses the buffer
    finally:
        shm.close()  # this process's handle; the block itself stays until unlinked


def square_all(values, workers=2):
    """Return a new float64 array with every element of values squared, computed by
    `workers` processes writing into one shared memory block."""
    values = np.asarray(values, dtype=np.float64)
    length = len(values)
    if length == 0:
        return np.empty(0, dtype=np.float64)  # SharedMemory refuses size=0

    shm = shared_memory.SharedMemory(create=True, size=values.nbytes)
    try:
        shared = np.ndarray((length,), dtype=np.float64, buffer=shm.buf)
        shared[:] = values  # one copy in; the workers then share it

        bounds = [length * i // workers for i in range(workers + 1)]
        processes = [
            multiprocessing.Process(
                target=square_slice, args=(shm.name, length, bounds[i], bounds[i + 1])
            )
            for i in range(workers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        failed = [p.exitcode for p in processes if p.exitcode != 0]
        if failed:
            raise RuntimeError(f"worker processes failed with exit codes {failed}")

        result = shared.copy()  # an ordinary array that outlives the block
        del shared
    finally:
        shm.close()
        shm.unlink()  # exactly once, by the creator: removes the name from /dev/shm
    return result
