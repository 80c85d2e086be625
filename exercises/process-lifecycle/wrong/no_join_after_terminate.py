# Wrong: terminate() only sends a signal and returns at once; without a join() afterwards the
# child is not reaped, its exitcode is still None, and it may still be running when we return.
import multiprocessing
import time


def run_with_timeout(tasks, timeout, grace=0.5):
    processes = [multiprocessing.Process(target=function, args=args) for function, args in tasks]
    for process in processes:
        process.start()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
    return [process.exitcode for process in processes]
