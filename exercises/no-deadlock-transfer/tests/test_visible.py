"""Tests you can see: single transfers, both locks held, opposite transfers, money conserved."""

import random
import threading
import time

from solution import transfer

_held = threading.local()


def locks_held_here():
    """The set of TrackedLocks that the calling thread holds right now."""
    if not hasattr(_held, "locks"):
        _held.locks = set()
    return _held.locks


class TrackedLock:
    """A Lock that knows which locks each thread holds, and can pause after acquiring."""

    def __init__(self, name, pause=0.0):
        self.name = name
        self.pause = pause
        self._lock = threading.Lock()

    def acquire(self, blocking=True, timeout=-1):
        if not self._lock.acquire(blocking, timeout):
            return False
        locks_held_here().add(self)
        if self.pause:
            time.sleep(self.pause)  # widen the window in which a wrong lock order deadlocks
        return True

    def release(self):
        locks_held_here().discard(self)
        self._lock.release()

    def locked(self):
        return self._lock.locked()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()

    def __repr__(self):
        return f"<lock of {self.name}>"


class Account:
    """An account whose balance records, at every read and write, the locks held."""

    def __init__(self, number, balance, pause=0.0):
        self.number = number
        self.lock = TrackedLock(f"account {number}", pause)
        self._balance = balance
        self.accesses = []  # (read or write, frozenset of locks the thread held)

    @property
    def balance(self):
        self.accesses.append(("read", frozenset(locks_held_here())))
        value = self._balance
        time.sleep(0)  # let other threads run between a read and the write that follows
        return value

    @balance.setter
    def balance(self, value):
        self.accesses.append(("write", frozenset(locks_held_here())))
        self._balance = value

    def __repr__(self):
        return f"Account({self.number}, {self._balance})"


def assert_both_locks_held(source, target):
    for account in (source, target):
        for kind, held in account.accesses:
            missing = {source.lock, target.lock} - held
            assert not missing, (
                f"a {kind} of account {account.number}'s balance happened while the thread "
                f"did not hold {sorted(missing, key=repr)}. Hold both accounts' own locks "
                "(account.lock) while you check and change the balances."
            )


def call(function, *args, limit=2.0):
    """Call function(*args) in a daemon thread; re-raise its exception; fail if it hangs."""
    outcome = {}

    def runner():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=runner, daemon=True, name="single-transfer")
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        raise AssertionError(
            f"{function.__name__}{args!r} did not return within {limit} s: it is waiting for a "
            "lock that is never released (a lock taken twice, or not released earlier?)"
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def run_together(jobs, limit):
    """Start every job in its own daemon thread at the same moment; wait at most `limit` s.

    Returns the names of the threads still running (stuck) and the exceptions raised.
    """
    start_line = threading.Barrier(len(jobs))
    errors = []

    def runner(job):
        try:
            start_line.wait(timeout=5)
            job()
        except Exception as error:  # reported by the test
            errors.append(error)

    threads = [
        threading.Thread(target=runner, args=(job,), daemon=True, name=f"transfer-thread-{i}")
        for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in threads if thread.is_alive()], errors


def test_a_single_transfer_moves_the_money():
    alice, bob = Account(1, 100), Account(2, 50)
    call(transfer, alice, bob, 30)
    assert (alice._balance, bob._balance) == (70, 80), (
        f"after transfer(alice, bob, 30) the balances are {alice._balance} and {bob._balance}, "
        "expected 70 and 80"
    )
    assert_both_locks_held(alice, bob)
    assert not alice.lock.locked() and not bob.lock.locked(), "a lock is still held afterwards"


def test_invalid_transfers_raise_and_change_nothing():
    alice, bob = Account(1, 20), Account(2, 50)
    for amount, reason in [(50, "more than the balance"), (0, "zero"), (-5, "negative")]:
        try:
            call(transfer, alice, bob, amount)
        except ValueError:
            pass
        else:
            raise AssertionError(f"transfer of {amount} ({reason}) did not raise ValueError")
        assert (alice._balance, bob._balance) == (20, 50), (
            f"a failed transfer of {amount} changed the balances to "
            f"{alice._balance} and {bob._balance}"
        )
    assert not alice.lock.locked() and not bob.lock.locked(), (
        "a lock is still held after a failed transfer: release the locks also when you raise "
        "(a with statement does that for you)"
    )


def test_opposite_transfers_do_not_deadlock():
    alice = Account(1, 1_000, pause=0.05)
    bob = Account(2, 1_000, pause=0.05)

    def alice_pays():
        for _ in range(5):
            transfer(alice, bob, 1)

    def bob_pays():
        for _ in range(5):
            transfer(bob, alice, 1)

    stuck, errors = run_together([alice_pays, bob_pays], limit=3.5)
    assert not stuck, (
        "deadlock: transfers from account 1 to 2 and from 2 to 1, started together, did not "
        f"finish within 3.5 s ({', '.join(stuck)} still waiting). Each thread holds its first "
        "lock and waits for the other's: take the two locks in the same order in every "
        "transfer, for example the lower account number first."
    )
    assert not errors, f"the transfers raised {errors!r}"
    assert (alice._balance, bob._balance) == (1_000, 1_000), (
        f"after 5 transfers each way the balances are {alice._balance} and {bob._balance}, "
        "expected 1000 and 1000"
    )


def test_money_is_conserved_under_concurrency():
    accounts = [Account(number, 100) for number in range(1, 5)]

    def random_transfers(seed):
        rng = random.Random(seed)
        for _ in range(150):
            source, target = rng.sample(accounts, 2)
            try:
                transfer(source, target, rng.randint(1, 40))
            except ValueError:
                pass  # not enough money: a normal outcome

    stuck, errors = run_together([lambda s=seed: random_transfers(s) for seed in range(4)], 4.0)
    assert not stuck, f"deadlock: {', '.join(stuck)} did not finish within 4 s"
    assert not errors, f"the transfers raised {errors!r}"
    balances = [account._balance for account in accounts]
    assert sum(balances) == 400, (
        f"the four accounts started with 400 in total and now hold {sum(balances)} "
        f"({balances}): updates were lost or money was created. Hold both locks while you "
        "read and write the balances."
    )
    assert min(balances) >= 0, f"a balance went negative: {balances}"
    for account in accounts:
        for kind, held in account.accesses:
            assert account.lock in held and len(held) >= 2, (
                f"a {kind} of account {account.number}'s balance happened while the thread held "
                f"only {sorted(held, key=repr) or 'no locks'}; a transfer must hold the locks "
                "of both of its accounts"
            )
