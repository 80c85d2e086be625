"""Threadline's tracing agent, loaded by `site` before the learner's code in every Python process
of a run (the sandbox puts this folder on PYTHONPATH): the main program, its threads, children
made by fork, spawn and forkserver, and `subprocess` Pythons. Standard library only.

It records what the runner cannot see from outside: which thread waits on what (a lock, a
condition, an event, a semaphore, a barrier, a queue, a join, a future, a sleep), since when,
at which line of the learner's code, who owned the lock, and who woke it; and the life of
threads and processes. Every record is a JSON array; the runner documents their meaning
(`app/trace/events.py`). Times are CLOCK_MONOTONIC nanoseconds, the same clock in every process.

Cost: an uncontended acquire records nothing: the wrappers first try without blocking and only
a wait that really blocks is written down. Records go to the run's event FIFO in writes of at
most PIPE_BUF bytes, which the kernel never interleaves; a wait is written out before the
thread blocks, so that a deadlock is visible while it lasts. There is no agent thread: the
learner's `threading.enumerate()` sees only their own threads.
"""

import os

_PATH = os.environ.get("THREADLINE_EVENTS")


def _install(path):  # one closure keeps the agent's state out of the learner's way
    import _thread
    import atexit
    import functools
    import queue
    import sys
    import threading
    import time

    monotonic_ns, get_native_id, get_ident = (
        time.monotonic_ns,
        _thread.get_native_id,
        _thread.get_ident,
    )
    real_allocate, RealRLock = _thread.allocate_lock, threading.RLock
    real_sleep = time.sleep
    here = os.path.dirname(os.path.abspath(__file__))
    stdlib = os.path.dirname(os.__file__)
    FLUSH_NS = 20_000_000  # buffered records wait at most this long (unless nothing happens)
    CAP = 2048  # records kept between flushes; beyond, they are counted as dropped
    LIMIT = 200_000  # records a process may write in all
    state = {"fd": -1, "buffer": [], "last": monotonic_ns(), "written": 0, "dropped": 0}
    guard = real_allocate()  # orders the buffer between threads of one process
    local = threading.local()

    def open_fifo():
        try:
            state["fd"] = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            state["fd"] = -1

    def flush():
        import json  # first needed here: a run that never blocks never imports it

        with guard:
            buffer, state["buffer"] = state["buffer"], []
            if state["dropped"]:
                buffer.append(["D", monotonic_ns(), os.getpid(), state["dropped"]])
                state["dropped"] = 0
            state["last"] = monotonic_ns()
            fd = state["fd"]
            if fd < 0 or not buffer:
                return
            chunk = []
            size = 0
            for record in buffer:
                line = json.dumps(record, separators=(",", ":")) + "\n"
                if size + len(line) > 4000 and chunk:
                    _write(fd, "".join(chunk))
                    chunk, size = [], 0
                chunk.append(line)
                size += len(line)
            if chunk:
                _write(fd, "".join(chunk))

    def _write(fd, text):
        data = text.encode()
        if len(data) > 4096:
            return  # one record larger than the atomic limit: not worth a torn stream
        try:
            os.write(fd, data)
        except BlockingIOError:
            state["dropped"] += data.count(b"\n")  # the runner is behind: drop, never stall
        except OSError:
            state["fd"] = -1

    def record(*fields, now=False):
        with guard:
            if state["written"] >= LIMIT or len(state["buffer"]) >= CAP:
                state["dropped"] += 1
            else:
                state["written"] += 1
                state["buffer"].append(list(fields))
            due = now or monotonic_ns() - state["last"] > FLUSH_NS
        if due:
            flush()

    def learner_frame():
        """The innermost frame that is the learner's, not the library's or the agent's."""
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename
            if not (name.startswith(stdlib) or name.startswith(here) or name.startswith("<frozen")):
                return frame
            frame = frame.f_back
        return None

    def name_of(obj, frame):
        """The learner's name for the object where they wait: a variable, or an attribute of
        `self` (only on the slow path: the wait has begun anyway)."""
        for scope in (frame.f_locals, frame.f_globals):
            for key, value in scope.items():
                if value is obj:
                    return key
        owner = frame.f_locals.get("self")
        for key, value in getattr(owner, "__dict__", {}).items():
            if value is obj:
                return f"self.{key}"
        return ""

    def native(ident):
        thread = threading._active.get(ident)
        return getattr(thread, "native_id", None) or 0

    def waiting_on(kind, obj, owner, call, *args):
        """Run a blocking call, recorded as a wait of `kind` on `obj` (nested waits, such as
        the lock inside a queue, are part of the outer one)."""
        if getattr(local, "waiting", False):
            return call(*args)
        local.waiting = True
        tid = get_native_id()
        site = getattr(obj, "_tl_site", "")
        frame = learner_frame()
        line = place(frame)
        name = name_of(obj, frame) if frame is not None and kind != "sleep" else ""
        del frame
        record("B", monotonic_ns(), os.getpid(), tid, kind, id(obj), site, line, owner, name,
               now=True)  # fmt: skip
        woken = None
        try:
            result = call(*args)
            # Who let it go: the last to signal it, or for a lock the owner it waited for.
            woken = getattr(obj, "_tl_last", None) or owner or None
            return result
        finally:
            local.waiting = False
            record("U", monotonic_ns(), os.getpid(), tid, kind, id(obj), woken)

    def place(frame):
        """file:line of a frame, "" for none."""
        return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}" if frame else ""

    def creation_site():
        return place(learner_frame())

    class Lock:
        """threading.Lock, recording contended waits, the owner and the hand-off."""

        __slots__ = ("__weakref__", "_lock", "_tl_owner", "_tl_site")

        def __init__(self):
            self._lock = real_allocate()
            self._tl_owner = 0
            self._tl_site = creation_site()

        def acquire(self, blocking=True, timeout=-1):
            if self._lock.acquire(False):
                self._tl_owner = get_ident()
                return True
            if not blocking:
                return False
            got = _blocking_lock(self, timeout)
            if got:
                self._tl_owner = get_ident()
            return got

        __enter__ = acquire

        def release(self):
            self._tl_owner = 0
            self._lock.release()

        def __exit__(self, *exc):  # the same as release(), one call less on every `with`
            self._tl_owner = 0
            self._lock.release()

        def locked(self):
            return self._lock.locked()

        def _at_fork_reinit(self):
            self._lock._at_fork_reinit()
            self._tl_owner = 0

        def __repr__(self):
            return f"<threading.Lock (traced) {'locked' if self._lock.locked() else 'unlocked'}>"

        def __getattr__(self, name):  # whatever else the real lock has
            return getattr(self._lock, name)

    def _blocking_lock(lock, timeout):
        owner = native(lock._tl_owner)
        return waiting_on("lock", lock, owner, lock._lock.acquire, True, timeout)

    class RLock:
        """threading.RLock, recording contended waits and the owner."""

        __slots__ = ("__weakref__", "_lock", "_tl_site")

        def __init__(self):
            self._lock = RealRLock()
            self._tl_site = creation_site()

        def acquire(self, blocking=True, timeout=-1):
            if self._lock.acquire(False):
                return True
            if not blocking:
                return False
            text = repr(self._lock)  # <_thread.RLock owner=IDENT count=N ...>
            owner = native(int(text.split("owner=")[1].split()[0])) if "owner=" in text else 0
            return waiting_on("rlock", self, owner, self._lock.acquire, True, timeout)

        __enter__ = acquire

        def release(self):
            self._lock.release()

        def __exit__(self, *exc):
            self._lock.release()

        def _is_owned(self):
            return self._lock._is_owned()

        def _release_save(self):
            return self._lock._release_save()

        def _acquire_restore(self, saved):
            self._lock._acquire_restore(saved)

        def _at_fork_reinit(self):
            self._lock._at_fork_reinit()

        def __repr__(self):
            return repr(self._lock).replace("_thread.RLock", "threading.RLock (traced)")

        def __getattr__(self, name):  # _recursion_count and whatever else the real one has
            return getattr(self._lock, name)

    def patch_wait(cls, name, kind, ready=None, owner=None):
        original = getattr(cls, name)

        def wait(self, *args, **kwargs):
            if ready is not None and ready(self, args, kwargs):
                return original(self, *args, **kwargs)
            waited_on = owner(self) if owner is not None else 0
            return waiting_on(kind, self, waited_on, lambda: original(self, *args, **kwargs))

        setattr(cls, name, functools.update_wrapper(wait, original))

    def nonblocking(args, kwargs, position, key):
        value = args[position] if len(args) > position else kwargs.get(key, True)
        return not value

    # Waits on the higher-level primitives, recorded with their own kind.
    patch_wait(threading.Condition, "wait", "condition")
    patch_wait(threading.Event, "wait", "event", lambda self, a, k: self._flag)
    patch_wait(
        threading.Semaphore, "acquire", "semaphore",
        lambda self, a, k: nonblocking(a, k, 0, "blocking") or self._value > 0,
    )  # fmt: skip
    patch_wait(threading.Barrier, "wait", "barrier")
    patch_wait(
        queue.Queue, "get", "queue-get",
        lambda self, a, k: nonblocking(a, k, 0, "block") or self._qsize() > 0,
    )  # fmt: skip
    patch_wait(
        queue.Queue, "put", "queue-put",
        lambda self, a, k: nonblocking(a, k, 1, "block") or not (0 < self.maxsize <= self._qsize()),
    )  # fmt: skip
    patch_wait(
        threading.Thread, "join", "join",
        lambda self, a, k: not self._started.is_set() or self._handle.is_done(),
        lambda self: self.native_id or 0,
    )  # fmt: skip

    def patch_signal(cls, name):
        """A call that may wake a waiter remembers who made it, for the hand-off arrow."""
        original = getattr(cls, name)

        def signal(self, *args, **kwargs):
            self._tl_last = get_native_id()
            return original(self, *args, **kwargs)

        setattr(cls, name, functools.update_wrapper(signal, original))

    for cls, name in [
        (threading.Condition, "notify"), (threading.Event, "set"),
        (threading.Semaphore, "release"), (queue.Queue, "put"), (queue.Queue, "get"),
    ]:  # fmt: skip
        patch_signal(cls, name)

    def sleep(seconds):
        if seconds <= 0:
            return real_sleep(seconds)
        return waiting_on("sleep", sleep, 0, real_sleep, seconds)

    # Found by name as time.sleep, so pool.map(time.sleep, ...) still pickles it.
    time.sleep = functools.update_wrapper(sleep, real_sleep)

    # Queue objects carry the site where the learner made them, for the timeline's labels.
    queue_init = queue.Queue.__init__

    def queue_with_site(self, maxsize=0):
        queue_init(self, maxsize)
        self._tl_site = creation_site()

    queue.Queue.__init__ = queue_with_site
    for cls in (threading.Condition, threading.Event, threading.Semaphore, threading.Barrier):
        original_init = cls.__init__

        def init_with_site(self, *args, _original=original_init, **kwargs):
            _original(self, *args, **kwargs)
            self._tl_site = creation_site()

        cls.__init__ = init_with_site

    # Threads: who made each, when it starts and how it ends.
    start = threading.Thread.start
    bootstrap = threading.Thread._bootstrap_inner
    excepthook = threading.excepthook

    def thread_start(self):
        self._tl_creator = get_native_id()
        if getattr(local, "waiting", False):
            return start(self)
        local.waiting = True  # start() waits for the thread to run: part of starting it
        try:
            return start(self)
        finally:
            local.waiting = False

    def thread_bootstrap(self):
        record("T", monotonic_ns(), os.getpid(), get_native_id(), self.name, self.daemon,
               getattr(self, "_tl_creator", 0))  # fmt: skip
        local.outcome = "ok"
        try:
            bootstrap(self)
        finally:
            record("E", monotonic_ns(), os.getpid(), get_native_id(), local.outcome, now=True)

    def thread_excepthook(args):
        local.outcome = getattr(args.exc_type, "__name__", "exception")
        return excepthook(args)

    threading.Thread.start = thread_start
    threading.Thread._bootstrap_inner = thread_bootstrap
    threading.excepthook = thread_excepthook
    for cls in (Lock, RLock):  # named as the classes they stand for
        cls.__module__, cls.__qualname__ = "threading", cls.__name__
    threading.Lock, threading.RLock = Lock, RLock

    def how_started():
        argv = " ".join(getattr(sys, "orig_argv", []))
        if "multiprocessing.forkserver" in argv or "multiprocessing.resource_tracker" in argv:
            return "helper"  # multiprocessing's fork server or resource tracker
        if "multiprocessing.spawn" in argv:
            return "spawn"
        if "THREADLINE_ROOT_PID" in os.environ:
            return "exec"  # a Python started by the run's code (subprocess, os.exec*)
        os.environ["THREADLINE_ROOT_PID"] = str(os.getpid())
        return "main"

    def announce(how):
        gil = getattr(sys, "_is_gil_enabled", lambda: True)()
        record("P", monotonic_ns(), os.getpid(), os.getppid(), how, gil, now=True)
        record("T", monotonic_ns(), os.getpid(), get_native_id(), threading.current_thread().name,
               False, 0)  # fmt: skip

    def after_fork():
        state["buffer"], state["written"], state["dropped"] = [], 0, 0
        guard._at_fork_reinit()
        local.__dict__.clear()
        # Forked by multiprocessing's fork server: a worker started the forkserver way.
        state["how"] = "forkserver" if state["how"] == "helper" else "fork"
        announce(state["how"])

    def at_exit():
        record("X", monotonic_ns(), os.getpid(), now=True)

    open_fifo()
    os.register_at_fork(after_in_child=after_fork)
    atexit.register(at_exit)
    state["how"] = how_started()
    announce(state["how"])


if _PATH:
    try:
        _install(_PATH)
    except Exception as error:  # tracing is never worth breaking the learner's program
        import sys

        print(f"[threadline: tracing is off: {type(error).__name__}: {error}]", file=sys.stderr)
