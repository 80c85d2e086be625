"""Threadline's tracing agent, loaded by `site` before the learner's code in every Python process
of a run (the sandbox puts this folder on PYTHONPATH): the main program, its threads, children
made by fork, spawn and forkserver, and `subprocess` Pythons. Standard library only.

It records what the runner cannot see from outside: which thread waits on what (a lock, a
condition, an event, a semaphore, a barrier, a queue, a multiprocessing queue or pipe, a join, a
future, a sleep), since when, at which line of the learner's code, who owned the lock, and who
woke it; the life of threads, processes and asyncio tasks. Every record is a JSON array; the
runner documents their meaning (`app/trace/events.py`). Times are CLOCK_MONOTONIC nanoseconds,
the same clock in every process.

Cost: an uncontended acquire records nothing: the wrappers first try without blocking and only
a wait that really blocks is written down. A module is patched when the program first imports
it, so a program that never imports threading pays nothing for threading's patches. Records are
kept as text, not objects (the garbage collector never walks them), and go to the run's event
FIFO in writes of at most PIPE_BUF bytes, which the kernel never interleaves; a wait is written
out before the thread blocks, so that a deadlock is visible while it lasts. There is no agent
thread: the learner's `threading.enumerate()` sees only their own threads.
"""

import os

_PATH = os.environ.get("THREADLINE_EVENTS")


def _install(path):  # one closure keeps the agent's state out of the learner's way
    import _thread
    import atexit
    import sys
    import time

    monotonic_ns, get_native_id, get_ident = (
        time.monotonic_ns,
        _thread.get_native_id,
        _thread.get_ident,
    )
    real_allocate = _thread.allocate_lock
    real_sleep = time.sleep
    here = os.path.dirname(os.path.abspath(__file__))
    stdlib = os.path.dirname(os.__file__)
    FLUSH_NS = 20_000_000  # buffered records wait at most this long (unless nothing happens)
    CAP = 2048  # records kept between flushes; beyond, they are counted as dropped
    LIMIT = 200_000  # records a process may write in all
    DEPTH_NS = 1_000_000  # a queue's depth is recorded at most this often
    state = {"fd": -1, "buffer": [], "last": monotonic_ns(), "written": 0, "dropped": 0}
    guard = real_allocate()  # orders the buffer between threads of one process
    local = _thread._local()
    ESCAPES = {i: f"\\u{i:04x}" for i in range(32)} | {34: '\\"', 92: "\\\\"}

    def encode(fields):
        """One record as a line of JSON, without importing json (and re) into every run."""
        parts = []
        for value in fields:
            if value is None or value is True or value is False:
                parts.append("null" if value is None else "true" if value else "false")
            elif isinstance(value, int):
                parts.append(str(value))
            else:
                parts.append('"' + str(value).translate(ESCAPES) + '"')
        return "[" + ",".join(parts) + "]\n"

    def open_fifo():
        try:
            state["fd"] = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            state["fd"] = -1

    def flush():
        with guard:
            buffer, state["buffer"] = state["buffer"], []
            if state["dropped"]:
                buffer.append(encode(["D", monotonic_ns(), os.getpid(), state["dropped"]]))
                state["dropped"] = 0
            state["last"] = monotonic_ns()
            fd = state["fd"]
            if fd < 0 or not buffer:
                return
            chunk = []
            size = 0
            for line in buffer:
                if size + len(line) > 4000 and chunk:
                    _write(fd, "".join(chunk))
                    chunk, size = [], 0
                chunk.append(line)
                size += len(line)
            if chunk:
                _write(fd, "".join(chunk))

    def _write(fd, text):
        data = text.encode(errors="backslashreplace")
        if len(data) > 4096:
            return  # one record larger than the atomic limit: not worth a torn stream
        try:
            os.write(fd, data)
        except BlockingIOError:
            state["dropped"] += data.count(b"\n")  # the runner is behind: drop, never stall
        except OSError:
            state["fd"] = -1

    def record(*fields, now=False):
        line = encode(fields)
        with guard:
            if state["written"] >= LIMIT or len(state["buffer"]) >= CAP:
                state["dropped"] += 1
            else:
                state["written"] += 1
                state["buffer"].append(line)
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
        thread = sys.modules["threading"]._active.get(ident)
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

    def replace(cls, name, make):
        """Set cls.name to make(original), carrying the original's name and docstring."""
        import functools

        original = getattr(cls, name)
        setattr(cls, name, functools.update_wrapper(make(original), original))

    def patch_wait(cls, name, kind, ready=None, owner=None):
        def make(original):
            def wait(self, *args, **kwargs):
                if ready is not None and ready(self, args, kwargs):
                    return original(self, *args, **kwargs)
                waited_on = owner(self) if owner is not None else 0
                return waiting_on(kind, self, waited_on, lambda: original(self, *args, **kwargs))

            return wait

        replace(cls, name, make)

    def patch_signal(cls, name):
        """A call that may wake a waiter remembers who made it, for the hand-off arrow."""

        def make(original):
            def signal(self, *args, **kwargs):
                self._tl_last = get_native_id()
                return original(self, *args, **kwargs)

            return signal

        replace(cls, name, make)

    def patch_site(cls):
        """Objects of cls carry the place where the learner made them, for the labels."""

        def make(original):
            def init(self, *args, **kwargs):
                original(self, *args, **kwargs)
                self._tl_site = creation_site()

            return init

        replace(cls, "__init__", make)

    def nonblocking(args, kwargs, position, key):
        """Whether a call's `block`/`blocking` argument, or its timeout just after, says not
        to wait (a pool polling its semaphore with timeout=0 never blocks)."""
        value = args[position] if len(args) > position else kwargs.get(key, True)
        timeout = args[position + 1] if len(args) > position + 1 else kwargs.get("timeout")
        return not value or timeout == 0

    def patch_threading(threading):
        RealRLock = threading.RLock

        class Lock:
            """threading.Lock, recording contended waits, the owner and the hand-off."""

            # No __getattr__: it would keep the interpreter from specialising attribute access
            # on the fast path, which every `with lock:` takes.
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

            def __exit__(self, kind, value, traceback):
                self._tl_owner = 0
                self._lock.release()

            def locked(self):
                return self._lock.locked()

            acquire_lock, release_lock, locked_lock = acquire, release, locked

            def _at_fork_reinit(self):
                self._lock._at_fork_reinit()
                self._tl_owner = 0

            def __repr__(self):
                state = "locked" if self._lock.locked() else "unlocked"
                return f"<threading.Lock (traced) {state}>"

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
                return _blocking_rlock(self, timeout)

            __enter__ = acquire

            def release(self):
                self._lock.release()

            def __exit__(self, kind, value, traceback):
                self._lock.release()

            def _is_owned(self):
                return self._lock._is_owned()

            def _release_save(self):
                return self._lock._release_save()

            def _acquire_restore(self, saved):
                self._lock._acquire_restore(saved)

            def _recursion_count(self):
                return self._lock._recursion_count()

            def _at_fork_reinit(self):
                self._lock._at_fork_reinit()

            def __repr__(self):
                return repr(self._lock).replace("_thread.RLock", "threading.RLock (traced)")

        def _blocking_rlock(lock, timeout):
            text = repr(lock._lock)  # <_thread.RLock owner=IDENT count=N ...>
            owner = native(int(text.split("owner=")[1].split()[0])) if "owner=" in text else 0
            return waiting_on("rlock", lock, owner, lock._lock.acquire, True, timeout)

        # Waits on the higher-level primitives, recorded with their own kind.
        patch_wait(threading.Condition, "wait", "condition")
        patch_wait(threading.Event, "wait", "event", lambda self, a, k: self._flag)
        patch_wait(
            threading.Semaphore, "acquire", "semaphore",
            lambda self, a, k: nonblocking(a, k, 0, "blocking") or self._value > 0,
        )  # fmt: skip
        patch_wait(threading.Barrier, "wait", "barrier")
        patch_wait(
            threading.Thread, "join", "join",
            lambda self, a, k: not self._started.is_set() or self._handle.is_done(),
            lambda self: self.native_id or 0,
        )  # fmt: skip
        for cls, name in [
            (threading.Condition, "notify"), (threading.Event, "set"),
            (threading.Semaphore, "release"),
        ]:  # fmt: skip
            patch_signal(cls, name)
        for cls in (threading.Condition, threading.Event, threading.Semaphore, threading.Barrier):
            patch_site(cls)

        # Threads: who made each, when it starts and how it ends.
        def thread_start(start):
            def traced_start(self):
                self._tl_creator = get_native_id()
                if getattr(local, "waiting", False):
                    return start(self)
                local.waiting = True  # start() waits for the thread to run: part of starting it
                try:
                    return start(self)
                finally:
                    local.waiting = False

            return traced_start

        def thread_bootstrap(bootstrap):
            def traced_bootstrap(self):
                record("T", monotonic_ns(), os.getpid(), get_native_id(), self.name, self.daemon,
                       getattr(self, "_tl_creator", 0))  # fmt: skip
                local.outcome = "ok"
                try:
                    bootstrap(self)
                finally:
                    record("E", monotonic_ns(), os.getpid(), get_native_id(), local.outcome,
                           now=True)  # fmt: skip

            return traced_bootstrap

        excepthook = threading.excepthook

        def thread_excepthook(args):
            local.outcome = getattr(args.exc_type, "__name__", "exception")
            return excepthook(args)

        replace(threading.Thread, "start", thread_start)
        replace(threading.Thread, "_bootstrap_inner", thread_bootstrap)
        threading.excepthook = thread_excepthook
        for cls in (Lock, RLock):  # named as the classes they stand for
            cls.__module__, cls.__qualname__ = "threading", cls.__name__
        threading.Lock, threading.RLock = Lock, RLock

    def patch_queue(queue):
        patch_wait(
            queue.Queue, "get", "queue-get",
            lambda self, a, k: nonblocking(a, k, 0, "block") or self._qsize() > 0,
        )  # fmt: skip
        patch_wait(
            queue.Queue, "put", "queue-put",
            lambda self, a, k: nonblocking(a, k, 1, "block")
            or not (0 < self.maxsize <= self._qsize()),
        )  # fmt: skip
        patch_signal(queue.Queue, "put")
        patch_signal(queue.Queue, "get")
        patch_site(queue.Queue)

        def depth(original):
            """After a put or get, the queue's depth: at most once a millisecond per queue, but
            always when it becomes empty or full."""

            def counted(self, *args, **kwargs):
                result = original(self, *args, **kwargs)
                now, items = monotonic_ns(), self._qsize()
                if (
                    now - getattr(self, "_tl_depth_at", 0) > DEPTH_NS
                    or items == 0
                    or items == self.maxsize
                ):
                    self._tl_depth_at = now
                    record("Q", now, os.getpid(), id(self), getattr(self, "_tl_site", ""), items)
                return result

            return counted

        replace(queue.Queue, "put", depth)
        replace(queue.Queue, "get", depth)

        class SimpleQueue(queue.SimpleQueue):
            """queue.SimpleQueue (written in C, so a subclass): the queue an idle
            ThreadPoolExecutor worker waits on."""

        SimpleQueue.__module__ = "queue"
        patch_wait(
            SimpleQueue, "get", "queue-get",
            lambda self, a, k: nonblocking(a, k, 0, "block") or not self.empty(),
        )  # fmt: skip
        patch_signal(SimpleQueue, "put")
        patch_site(SimpleQueue)
        queue.SimpleQueue = SimpleQueue

    def patch_futures(base):
        done = (base.CANCELLED, base.CANCELLED_AND_NOTIFIED, base.FINISHED)
        for name in ("result", "exception"):
            patch_wait(base.Future, name, "future", lambda self, a, k: self._state in done)
        for name in ("set_result", "set_exception"):
            patch_signal(base.Future, name)

        def make(wait):
            def traced_wait(fs, timeout=None, return_when=base.ALL_COMPLETED):
                fs = set(fs)
                if return_when == base.FIRST_COMPLETED:
                    ready = any(f._state in done for f in fs)
                else:
                    ready = all(f._state in done for f in fs)
                if ready or timeout == 0:
                    return wait(fs, timeout, return_when)
                return waiting_on("future", traced_wait, 0, wait, fs, timeout, return_when)

            return traced_wait

        replace(base, "wait", make)

    def patch_mp_queues(queues):
        def has_room(self, a, k):
            return nonblocking(a, k, 1, "block") or self._sem._semlock._get_value() > 0

        def has_item(self, a, k):
            try:
                return nonblocking(a, k, 0, "block") or self._poll()
            except (OSError, ValueError, AttributeError):
                return True  # closed or odd: let the call itself say so

        patch_wait(queues.Queue, "get", "mp-queue-get", has_item)
        patch_wait(queues.Queue, "put", "mp-queue-put", has_room)
        patch_wait(
            queues.SimpleQueue, "get", "mp-queue-get", lambda self, a, k: self._poll()
        )  # fmt: skip
        patch_site(queues.Queue)
        patch_site(queues.SimpleQueue)

    def patch_mp_connection(connection):
        def has_data(self, a, k):
            try:
                return self.poll()
            except (OSError, ValueError):
                return True

        for name in ("recv", "recv_bytes", "recv_bytes_into"):
            patch_wait(connection._ConnectionBase, name, "pipe", has_data)

    # What a task awaits, named by the asyncio coroutine it is suspended in.
    AWAITS = {
        "tasks.py:sleep": "sleep", "queues.py:Queue.get": "queue-get",
        "queues.py:Queue.put": "queue-put", "locks.py:Lock.acquire": "lock",
        "locks.py:Event.wait": "event", "locks.py:Condition.wait": "condition",
        "locks.py:Semaphore.acquire": "semaphore", "locks.py:Barrier.wait": "barrier",
        "threads.py:to_thread": "executor", "tasks.py:wait": "future",
        "tasks.py:wait_for": "future", "tasks.py:_wait": "future",
        "taskgroups.py:TaskGroup.__aexit__": "task",
    }  # fmt: skip

    def awaiting(task, Task):
        """What a suspended task waits for (a kind, the learner's line, the task it awaits)
        from its chain of coroutines: the innermost asyncio coroutine names the kind."""
        kind, line, target, awaited = "future", "", 0, task.get_coro()
        while awaited is not None:
            code = getattr(awaited, "cr_code", None) or getattr(awaited, "gi_code", None)
            if code is None:
                break  # a future, a task, or another awaitable that is not a coroutine
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            name = code.co_filename
            if name.startswith(stdlib):
                base = os.path.basename(name)
                kind = AWAITS.get(
                    f"{base}:{code.co_qualname}", "io" if base == "streams.py" else kind
                )
            elif frame is not None and not name.startswith(here):
                line = place(frame)
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
        waiter = getattr(task, "_fut_waiter", None)  # the future the task is blocked on
        if isinstance(waiter, Task):
            kind, target = "task", id(waiter)
        elif waiter is None and kind == "future":
            kind = "ready"  # a bare yield (asyncio.sleep(0)): scheduled to run again
        return kind, line, target

    def patch_asyncio(base_events):
        Task = sys.modules["asyncio.tasks"].Task
        current_task = sys.modules["asyncio.tasks"].current_task

        traced = set()  # the ids of the learner's tasks, not asyncio's own (shutdown and the like)

        def finished(task):
            traced.discard(id(task))
            if task.cancelled():
                outcome = "cancelled"
            else:  # read without retrieving it, so asyncio still warns of an unread one
                error = getattr(task, "_exception", None)
                outcome = type(error).__name__ if error is not None else "ok"
            record("F", monotonic_ns(), os.getpid(), id(task), outcome)

        def make_create_task(create_task):
            def traced_create_task(self, coro, *args, **kwargs):
                task = create_task(self, coro, *args, **kwargs)
                code = getattr(coro, "cr_code", None)
                if code is None or code.co_filename.startswith(stdlib):
                    return task
                traced.add(id(task))
                try:
                    parent = current_task(self)
                except RuntimeError:
                    parent = None
                record("K", monotonic_ns(), os.getpid(), get_native_id(), id(task),
                       task.get_name(), creation_site(), getattr(coro, "__qualname__", ""),
                       id(parent) if parent is not None else 0)  # fmt: skip
                task.add_done_callback(finished)
                return task

            return traced_create_task

        def make_run(run):
            def traced_run(self):
                task = getattr(self._callback, "__self__", None)
                if id(task) not in traced or not isinstance(task, Task):
                    return run(self)
                start = monotonic_ns()
                try:
                    return run(self)
                finally:
                    took = (monotonic_ns() - start) // 1000
                    kind, line, target = ("done", "", 0) if task.done() else awaiting(task, Task)
                    record("S", start, os.getpid(), get_native_id(), id(task), took, kind, line,
                           target)  # fmt: skip

            return traced_run

        replace(base_events.BaseEventLoop, "create_task", make_create_task)
        replace(sys.modules["asyncio.events"].Handle, "_run", make_run)

    patches = {
        "threading": patch_threading,
        "asyncio.base_events": patch_asyncio,
        "queue": patch_queue,
        "concurrent.futures._base": patch_futures,
        "multiprocessing.queues": patch_mp_queues,
        "multiprocessing.connection": patch_mp_connection,
    }

    def patched(name, module):
        patch = patches.pop(name, None)
        if patch is None:
            return
        try:
            patch(module)
        except Exception as error:  # a patch is never worth breaking the learner's program
            print(f"[threadline: {name} is not traced: {type(error).__name__}: {error}]",
                  file=sys.stderr)  # fmt: skip

    class Loader:
        """Runs the real loader, then patches the module before anyone else sees it."""

        def __init__(self, loader):
            self.loader = loader

        def create_module(self, spec):
            return self.loader.create_module(spec)

        def exec_module(self, module):
            self.loader.exec_module(module)
            patched(module.__name__, module)

        def __getattr__(self, name):  # get_source, is_package and the rest
            return getattr(self.loader, name)

    class PatchOnImport:
        """A finder that only wraps the loader of the modules the agent patches."""

        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in patches:
                return None
            for finder in sys.meta_path:
                if finder is PatchOnImport or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                        spec.loader = Loader(spec.loader)
                    return spec
            return None

    for name in list(patches):  # whatever site already imported is patched now
        if name in sys.modules:
            patched(name, sys.modules[name])
    sys.meta_path.insert(0, PatchOnImport)

    def sleep(seconds):
        if seconds <= 0:
            return real_sleep(seconds)
        return waiting_on("sleep", sleep, 0, real_sleep, seconds)

    # Found by name as time.sleep, so pool.map(time.sleep, ...) still pickles it.
    sleep.__name__, sleep.__qualname__, sleep.__doc__ = "sleep", "sleep", real_sleep.__doc__
    sleep.__module__ = "time"
    time.sleep = sleep

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
        threading = sys.modules.get("threading")
        name = threading.current_thread().name if threading else "MainThread"
        record("P", monotonic_ns(), os.getpid(), os.getppid(), how, gil)
        record("T", monotonic_ns(), os.getpid(), get_native_id(), name, False, 0, now=True)

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
