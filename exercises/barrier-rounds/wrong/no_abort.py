# Wrong: when a step raises, its thread keeps the error and stops, but does not abort the
# barrier. The other threads wait at the barrier for a party that will never come: deadlock.
import threading


def run_rounds(workers, rounds, step, on_round_end=None):
    results = [[None] * workers for _ in range(rounds)]
    errors = []
    finished_rounds = 0

    def end_of_round():
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
            pass
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
