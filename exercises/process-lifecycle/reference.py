import multiprocessing
import time


def run_with_timeout(tasks, timeout, grace=0.5):
    """Run each (function, args) task in its own process; return their exit codes."""
    processes = [multiprocessing.Process(target=function, args=args) for function, args in tasks]
    for process in processes:
        process.start()  # start them all first, so they run at the same time

    # One deadline shared by all the waits: each join gets only the time that is left.
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))

    # Whatever is still running at the deadline is stopped: politely, then by force.
    stuck = [process for process in processes if process.is_alive()]
    for process in stuck:
        process.terminate()  # SIGTERM: the child may catch or ignore it
    grace_deadline = time.monotonic() + grace
    for process in stuck:
        process.join(max(0.0, grace_deadline - time.monotonic()))
    for process in stuck:
        if process.is_alive():
            process.kill()  # SIGKILL: cannot be caught or ignored
        process.join()  # reap it, so that its exitcode is set

    codes = [process.exitcode for process in processes]
    for process in processes:
        process.close()
    return codes
