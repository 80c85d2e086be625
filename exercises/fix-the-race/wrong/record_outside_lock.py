# Wrong: the balance is updated under the lock, but the ledger entry is written after the
# lock is released. Entries can then land in a different order from the updates they describe.
import threading


class InsufficientFunds(Exception):
    pass


class Ledger:
    def __init__(self):
        self.entries = []

    def record(self, account_name, change, new_balance):
        self.entries.append((account_name, change, new_balance))


class Account:
    def __init__(self, name, balance=0, ledger=None):
        self.name = name
        self._balance = balance
        self.ledger = ledger if ledger is not None else Ledger()
        self._lock = threading.Lock()

    @property
    def balance(self):
        return self._balance

    def deposit(self, amount):
        with self._lock:
            new_balance = self._balance = self._balance + amount
        self.ledger.record(self.name, amount, new_balance)

    def withdraw(self, amount):
        with self._lock:
            if amount > self._balance:
                raise InsufficientFunds(f"{self.name}: cannot take {amount} from {self._balance}")
            new_balance = self._balance = self._balance - amount
        self.ledger.record(self.name, -amount, new_balance)
