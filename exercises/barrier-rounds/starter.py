import threading


def run_rounds(workers, rounds, step, on_round_end=None):
    """Run `workers` threads through `rounds` rounds in lock-step; return results[round][worker].

    This version starts one thread per worker, but nothing holds a fast worker back: it runs
    all its rounds without waiting for the others. on_round_end is not called, and an
    exception in a step is lost.
    """
    results = [[None] * workers for _ in range(rounds)]

    def work(worker):
        for round_number in range(rounds):
            results[round_number][worker] = step(worker, round_number)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
