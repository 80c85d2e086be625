"""The embedded runner: a bounded queue of run ids and a pool of worker threads that execute
them in the sandbox, inside the server process; and what every runner shares: the `Runner`
interface the web tier uses (the cluster's is app.runner.cluster), `execute` for one run, and
`submit` and `stop_run`.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import socket
import threading
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from app.content.course import Course
from app.db.models import Learner, Run
from app.interpreters import Interpreter
from app.runner import runs
from app.runner.live import LiveRuns
from app.sandbox.execution import Job, Outcome, Sandbox
from app.settings import Settings

log = logging.getLogger("threadline.runner")

_STOP = ""
QUIET_SECONDS = 1.0  # a viewer's runner reports a quiet second, for a look at the database
Message = dict[str, Any]
SHUTTING_DOWN = "The server is shutting down; please run it again."


class QueueFull(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many runs are waiting")
        self.retry_after = retry_after


@dataclass
class Active:
    cancel: threading.Event
    status: str = "cancelled"
    reason: str = "Cancelled."
    handed_back: bool = False  # stopped to be run again elsewhere, not to be finished


class RunPool:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        course: Course,
        interpreters: dict[str, Interpreter],
        sandbox: Sandbox,
    ) -> None:
        self.settings, self.sessions, self.course = settings, sessions, course
        self.interpreters, self.sandbox = interpreters, sandbox
        self.queue: queue.Queue[str] = queue.Queue(maxsize=settings.queue_max)
        self.active: dict[str, Active] = {}
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.name = f"{socket.gethostname()}/embedded"
        self.stopping = False
        self.live = LiveRuns()
        self.context = Context(settings, sessions, course, interpreters, sandbox)

    def start(self) -> None:
        for i in range(self.settings.runner_workers):
            thread = threading.Thread(target=self._work, name=f"runner-{i}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking runs, cancel the ones in progress, and wait for the workers."""
        with self.lock:
            self.stopping = True
            for active in self.active.values():
                active.status = "error"
                active.reason = SHUTTING_DOWN
                active.cancel.set()
        for _ in self.threads:
            try:
                self.queue.put(_STOP, timeout=timeout)
            except queue.Full:
                break
        for thread in self.threads:
            thread.join(timeout)
        with self.sessions() as db:
            runs.recover(db)

    def submit(self, run_id: str) -> None:
        try:
            self.queue.put_nowait(run_id)
        except queue.Full:
            wait = self.settings.grade_wall_seconds * self.queue.qsize()
            raise QueueFull(max(1, int(wait / self.settings.runner_workers))) from None

    def cancel(self, run_id: str, reason: str = "Cancelled.", worker: str | None = None) -> None:
        """Stop a running run; a queued one is ended in the database by the caller."""
        with self.lock:
            active = self.active.get(run_id)
            if active is not None:
                active.reason = reason
                active.cancel.set()

    @property
    def depth(self) -> int:
        return self.queue.qsize()

    def _work(self) -> None:
        while True:
            run_id = self.queue.get()
            if run_id == _STOP:
                return
            try:
                self._execute(run_id)
            except Exception:
                log.exception("run %s failed in the runner", run_id)
                with self.sessions() as db:
                    runs.end(db, run_id, "error", "The runner hit an internal error.")
            finally:
                with self.lock:
                    self.active.pop(run_id, None)
                self.announce(run_id)

    def announce(self, run_id: str) -> None:
        """Tell the run's live viewers it is final, as the database now has it."""
        with self.sessions() as db:
            run = db.get(Run, run_id)
            if run is not None and run.status in runs.FINAL:
                self.live.finish(run_id, runs.public(run))

    def _execute(self, run_id: str) -> None:
        active = Active(threading.Event())
        with self.lock:
            stopping = self.stopping
            self.active[run_id] = active
        if stopping:  # still queued when the server began to stop: never started
            with self.sessions() as db:
                runs.end(db, run_id, "error", SHUTTING_DOWN)
            return
        execute(self.context, self.name, run_id, active, self.live.feed(run_id).publish)

    # --- the runner interface the web tier uses (the cluster's is app.runner.cluster) -----

    @property
    def interpreter_list(self) -> dict[str, Interpreter]:
        return self.interpreters

    def workers(self) -> list[dict[str, Any]]:
        """This server as the one runner node, in the shape of a cluster node's heartbeat."""
        isolation = self.sandbox.isolation
        with self.lock:
            held = sorted(self.active)
        return [
            {
                "id": self.name,
                "interpreters": [i.public() for i in self.interpreters.values()],
                "capacity": self.settings.runner_workers,
                "in_flight": len(held),
                "runs": held,
                "stopping": self.stopping,
                "isolation": {
                    "layers": isolation.layers,
                    "complete": isolation.complete,
                    "missing": isolation.problems,
                },
            }
        ]

    def waiting(self) -> int:
        """The runs in the queue, not yet taken by a worker."""
        return self.depth

    def check_room(self, count: int) -> None:
        """QueueFull when the queue has no room for that many runs."""
        if self.queue.maxsize - self.depth < count:
            raise QueueFull(max(1, int(self.settings.grade_wall_seconds)))

    def submit_batch(self, run_ids: list[str]) -> None:
        """Queue the runs of one batch; QueueFull when there is no room for all of them."""
        self.check_room(len(run_ids))
        for run_id in run_ids:
            self.submit(run_id)

    async def watch(self, run_id: str, after: str) -> AsyncGenerator[Message | None, None]:
        """The run's live messages after batch number `after` (from a cursor; empty for its
        start), and None whenever a second passes quietly; the caller stops at a status or
        dropped message."""
        feed = self.live.feed(run_id)
        viewer, backlog = feed.subscribe(asyncio.get_running_loop())
        try:
            seen = int(after) if after.isdigit() else 0
            for message in backlog[seen:]:
                yield message
            while True:
                try:
                    yield await asyncio.wait_for(viewer.queue.get(), QUIET_SECONDS)
                except TimeoutError:
                    yield None
        finally:
            feed.unsubscribe(viewer)
            self.live.release(feed)


@dataclass(frozen=True)
class Context:
    """What executing a run needs, on whichever node executes it."""

    settings: Settings
    sessions: sessionmaker[Session]
    course: Course
    interpreters: dict[str, Interpreter]
    sandbox: Sandbox


def execute(
    ctx: Context,
    worker: str,
    run_id: str,
    active: Active,
    publish: Callable[[dict[str, Any]], None],
) -> bool:
    """Claim the queued run, run it in the sandbox and store its outcome. False if the run
    was no longer queued (cancelled or taken meanwhile); a run handed back is queued again."""
    with ctx.sessions() as db:
        run = runs.start(db, run_id, worker)
        if run is None:
            return False
        interpreter = ctx.interpreters.get(run.interpreter)
        if interpreter is None:
            runs.end(db, run_id, "error", f"Interpreter {run.interpreter} is gone.")
            return True
        exercise = ctx.course.exercises.get(run.exercise_id or "")
        overrides = exercise.limits if exercise else {}
        job = Job(
            mode=run.mode,
            code=run.code,
            interpreter=interpreter,
            limits=ctx.settings.limits(run.mode, overrides),
            tests=(exercise.path / "tests").resolve() if exercise else None,
        )
    outcome: Outcome = ctx.sandbox.run(job, active.cancel, publish)
    with ctx.sessions() as db:
        if active.handed_back:
            runs.requeue(db, run_id)
            return True
        if outcome.status == "cancelled":
            outcome.status, outcome.reason = active.status, active.reason
        runs.finish(db, run_id, outcome, interpreter.gil_enabled)
    log.info("run %s: %s in %.0f ms on %s", run_id, outcome.status, outcome.duration_ms, worker)
    return True


class Runner(Protocol):
    """Where runs go: the embedded pool, or the broker of a cluster (app.runner.cluster)."""

    settings: Settings

    @property
    def interpreter_list(self) -> dict[str, Interpreter]: ...

    def workers(self) -> list[dict[str, Any]]: ...

    def waiting(self) -> int: ...

    def check_room(self, count: int) -> None: ...

    def submit_batch(self, run_ids: list[str]) -> None: ...

    def cancel(self, run_id: str, reason: str = ..., worker: str | None = None) -> None: ...

    def announce(self, run_id: str) -> None: ...

    def watch(self, run_id: str, after: str) -> AsyncGenerator[Message | None, None]: ...


def stop_run(db: Session, runner: Runner, run_id: str, reason: str = "Cancelled.") -> None:
    """Cancel a run wherever it is: a running one is killed, a queued one is ended here."""
    run = db.get(Run, run_id)
    runner.cancel(run_id, reason, run.worker if run is not None else None)
    if runs.end(db, run_id, "cancelled", reason):
        runner.announce(run_id)


def submit(db: Session, runner: Runner, learner_id: int, batch: list[runs.Submission]) -> list[str]:
    """Queue a batch of runs for a learner (one, or one per interpreter for a comparison).

    A learner has one batch in flight: a new one cancels what the last one left running. The
    learner's row is locked while the batch replaces the last one (on PostgreSQL), so that this
    holds when two replicas take two submissions of one learner at once.
    Raises QueueFull when the queue has no room for the whole batch, BrokerDown when the queue
    cannot be reached. A batch refused for room leaves the last one running, unless the queue
    filled in the instant between the look and the queueing.
    """
    runner.check_room(len(batch))
    learner = db.get(Learner, learner_id, with_for_update=True)
    assert learner is not None
    replaced = runs.replace_active(db, learner, "Replaced by a newer run.")
    ids = [runs.create(db, learner, submission, commit=False).id for submission in batch]
    db.commit()
    for old, worker in replaced:
        runner.cancel(old, "Replaced by a newer run.", worker)
        runner.announce(old)
    try:
        runner.submit_batch(ids)
    except Exception as e:
        why = "The queue filled up; please try again." if isinstance(e, QueueFull) else str(e)
        for run_id in ids:
            runs.end(db, run_id, "error", why)
        raise
    return ids
