# Wrong: a timeout on the right fork avoids the deadlock, but a philosopher who times out puts
# its left fork down and skips that meal. When everyone grabs at once, meals are lost.
import threading


def dine(forks, meals, eat):
    n = len(forks)
    eaten = [0] * n

    def philosopher(i):
        left, right = forks[i], forks[(i + 1) % n]
        for _ in range(meals):
            with left:
                if not right.acquire(timeout=0.2):
                    continue  # too hungry to wait: skip this meal
                try:
                    eat(i)
                    eaten[i] += 1
                finally:
                    right.release()

    threads = [threading.Thread(target=philosopher, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return eaten
