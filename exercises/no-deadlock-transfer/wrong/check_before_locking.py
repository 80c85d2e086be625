# Wrong: the balance is checked before the locks are taken, so several threads can pass the
# check on the same money and then all withdraw it (check-then-act outside the lock).
def transfer(source, target, amount):
    if amount <= 0:
        raise ValueError("the amount must be positive")
    if source is target:
        raise ValueError("source and target are the same account")
    if source.balance < amount:
        raise ValueError(f"not enough money in account {source.number}")
    first, second = sorted((source, target), key=lambda account: account.number)
    with first.lock, second.lock:
        source.balance -= amount
        target.balance += amount
