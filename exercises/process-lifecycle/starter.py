import multiprocessing


def run_with_timeout(tasks, timeout, grace=0.5):
    """Run each (function, args) task in its own process; return their exit codes.

    This version starts every task and waits for each one without a time limit: it is
    correct for tasks that finish, but it waits forever for one that hangs. Add the
    shared deadline, and stop (terminate, then kill) the processes that outlive it.
    """
    processes = [multiprocessing.Process(target=function, args=args) for function, args in tasks]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return [process.exitcode for process in processes]
