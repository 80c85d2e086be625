# Wrong: nothing rejects a transfer from an account to itself, so the sorted pair holds the same
# account twice and the thread acquires the same plain Lock twice: it waits for itself.
def transfer(source, target, amount):
    if amount <= 0:
        raise ValueError("the amount must be positive")
    first, second = sorted((source, target), key=lambda account: account.number)
    with first.lock, second.lock:
        if source.balance < amount:
            raise ValueError(f"not enough money in account {source.number}")
        source.balance -= amount
        target.balance += amount
