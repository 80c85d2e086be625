# Wrong: one lock for the whole table, held while eating. It cannot deadlock, but only one
# philosopher eats at any moment, although non-neighbours could eat at the same time.
import threading


def dine(forks, meals, eat):
    n = len(forks)
    eaten = [0] * n
    table = threading.Lock()

    def philosopher(i):
        for _ in range(meals):
            with table:
                with forks[i], forks[(i + 1) % n]:
                    eat(i)
                    eaten[i] += 1

    threads = [threading.Thread(target=philosopher, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return eaten
