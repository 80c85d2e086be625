# Wrong: it starts fresh threads for every round and joins them before the next. The rounds
# are in order, but a worker is not one thread for the whole run, so it cannot keep state
# (open files, caches, its part of the data) from one round to the next.
import threading


def run_rounds(workers, rounds, step, on_round_end=None):
    results = [[None] * workers for _ in range(rounds)]
    for round_number in range(rounds):
        errors = []

        def work(worker, round_number=round_number, errors=errors):
            try:
                results[round_number][worker] = step(worker, round_number)
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        if on_round_end is not None:
            on_round_end(round_number)
    return results
