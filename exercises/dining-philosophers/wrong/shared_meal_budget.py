# Wrong: the kitchen serves n * meals meals in all, and whoever gets the forks eats the next
# one. No deadlock (the forks are ordered), but fast eaters take the slow eater's meals:
# a philosopher who eats slowly goes hungry. That is starvation.
import threading


def dine(forks, meals, eat):
    n = len(forks)
    eaten = [0] * n
    budget = {"left": n * meals}
    budget_lock = threading.Lock()

    def philosopher(i):
        first, second = sorted((i, (i + 1) % n))
        while True:
            with forks[first], forks[second]:
                with budget_lock:
                    if budget["left"] == 0:
                        return
                    budget["left"] -= 1
                eat(i)
                eaten[i] += 1

    threads = [threading.Thread(target=philosopher, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return eaten
