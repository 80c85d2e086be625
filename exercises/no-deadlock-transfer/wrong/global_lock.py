# Wrong: one lock for the whole bank. It is safe, but it ignores the accounts' own locks, so
# every transfer waits for every other one, even between unrelated accounts.
import threading

_bank_lock = threading.Lock()


def transfer(source, target, amount):
    if amount <= 0:
        raise ValueError("the amount must be positive")
    if source is target:
        raise ValueError("source and target are the same account")
    with _bank_lock:
        if source.balance < amount:
            raise ValueError(f"not enough money in account {source.number}")
        source.balance -= amount
        target.balance += amount
