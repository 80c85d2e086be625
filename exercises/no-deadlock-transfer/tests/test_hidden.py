"""Further tests: a ring of transfers, overdrafts, same account, locks released, amounts."""

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


def test_a_ring_of_transfers_does_not_deadlock():
    a, b, c = (Account(number, 1_000, pause=0.05) for number in (7, 3, 5))

    def pay(source, target):
        def job():
            for _ in range(4):
                transfer(source, target, 2)

        return job

    stuck, errors = run_together([pay(a, b), pay(b, c), pay(c, a)], limit=3.5)
    assert not stuck, (
        "deadlock: transfers 7 -> 3, 3 -> 5 and 5 -> 7, started together, did not finish within "
        f"3.5 s ({', '.join(stuck)} still waiting). Lock the two accounts in one global order "
        "(by account number), whichever is the source."
    )
    assert not errors, f"the transfers raised {errors!r}"
    balances = (a._balance, b._balance, c._balance)
    assert balances == (1_000, 1_000, 1_000), f"balances after the ring: {balances}"


def test_concurrent_withdrawals_never_overdraw():
    source = Account(1, 100)
    targets = [Account(number, 0) for number in range(2, 12)]
    jobs = [lambda t=target: transfer(source, t, 30) for target in targets]
    stuck, errors = run_together(jobs, limit=3.0)
    assert not stuck, f"deadlock: {', '.join(stuck)} did not finish within 3 s"
    succeeded = sum(target._balance == 30 for target in targets)
    assert all(isinstance(error, ValueError) for error in errors), f"unexpected: {errors!r}"
    assert source._balance == 10 and succeeded == 3, (
        f"ten threads each moved 30 out of an account holding 100: {succeeded} succeeded and "
        f"the balance is {source._balance}, expected 3 and 10. Check the balance while holding "
        "the locks, so that the check and the move are one step."
    )
    for kind, held in source.accesses:
        assert source.lock in held, (
            f"a {kind} of the source balance happened without holding its lock"
        )


def test_transfer_to_the_same_account_is_rejected_without_hanging():
    alice = Account(1, 100)
    stuck, errors = run_together([lambda: transfer(alice, alice, 10)], limit=2.0)
    assert not stuck, (
        "transfer(alice, alice, 10) did not return within 2 s: a thread that acquires a plain "
        "Lock it already holds waits for itself. Reject source is target before locking."
    )
    assert len(errors) == 1 and isinstance(errors[0], ValueError), (
        f"transfer(alice, alice, 10) should raise ValueError, got {errors!r}"
    )
    assert alice._balance == 100, f"the balance changed to {alice._balance}"


def test_no_lock_is_left_held():
    alice, bob = Account(1, 10), Account(2, 10)
    for amount in (5, 100, 5):
        try:
            call(transfer, alice, bob, amount)
        except ValueError:
            pass
        held = [account.number for account in (alice, bob) if account.lock.locked()]
        assert not held, (
            f"after transfer(alice, bob, {amount}) the lock of account(s) {held} is still held; "
            "release both locks on every path, including when you raise"
        )
    assert (alice._balance, bob._balance) == (0, 20), (
        f"balances are {alice._balance} and {bob._balance}, expected 0 and 20"
    )


def test_higher_numbered_source_works_too():
    low, high = Account(1, 0), Account(9, 75)
    call(transfer, high, low, 75)
    assert (low._balance, high._balance) == (75, 0), (
        f"after moving 75 from account 9 to account 1 the balances are {low._balance} and "
        f"{high._balance}, expected 75 and 0: sort the accounts only to choose the lock order, "
        "and still take the money from the source"
    )
    assert_both_locks_held(high, low)
