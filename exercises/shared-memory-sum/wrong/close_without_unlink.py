# Wrong: the parent closes its handle but never unlinks the block, so it stays in /dev/shm
# after the call (and the resource tracker warns about a leaked shared_memory object at exit).
import multiprocessing
from multiprocessing import shared_memory

import numpy as np


def square_slice(shm_name, length, start, stop):
    shm = shared_memory.SharedMemory(name=shm_name)
    try:
        view = np.ndarray((length,), dtype=np.float64, buffer=shm.buf)
        view[start:stop] **= 2
        del view
    finally:
        shm.close()


def square_all(values, workers=2):
    values = np.asarray(values, dtype=np.float64)
    length = len(values)
    if length == 0:
        return np.empty(0, dtype=np.float64)
    shm = shared_memory.SharedMemory(create=True, size=values.nbytes)
    shared = np.ndarray((length,), dtype=np.float64, buffer=shm.buf)
    shared[:] = values
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
    result = shared.copy()
    del shared
    shm.close()  # closing is not enough: nobody calls shm.unlink()
    return result
