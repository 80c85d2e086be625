import threading


def run_rounds(workers, rounds, step, on_round_end=None):
    """Run `workers` threads through `rounds` rounds in lock-step; return results[round][worker]."""
    results = [[None] * workers for _ in range(rounds)]
    errors = []
    finished_rounds = 0

    def end_of_round():
        # The barrier's action: called in one of the threads once all of them have arrived,
        # before any of them is released into the next round.
        nonlocal finished_rounds
        if on_round_end is not None:
            on_round_end(finished_rounds)
        finished_rounds += 1

    barrier = threading.Barrier(workers, action=end_of_round)

    def work(worker):
        try:
            for round_number in range(rounds):
                results[round_number][worker] = step(worker, round_number)
                barrier.wait()
        except threading.BrokenBarrierError:
            pass  # another thread failed and broke the barrier; it has kept its error
        except Exception as error:  # from step(), or from on_round_end() via the action
            errors.append(error)
            barrier.abort()  # wake the threads waiting at the barrier, instead of a deadlock

    threads = [
        threading.Thread(target=work, args=(worker,), name=f"worker-{worker}")
        for worker in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
