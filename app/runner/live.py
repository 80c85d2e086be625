"""Live runs: what a run has produced so far, handed from the runner thread that executes it to
every WebSocket that watches it (`/ws/runs/{id}`).

One `Feed` per run in progress keeps the run's batches so far, so that a viewer who joins late
or reconnects first gets everything, then the live batches, in order, with no gap. Each viewer
has a bounded queue: a viewer too slow to keep up is dropped and told why, and never slows the
run or the other viewers. The runner publishes from its own thread; viewers live on the event
loop, so batches cross over with `call_soon_threadsafe`.

The messages a viewer receives (JSON objects; `version` is that of the trace format,
`app.trace.sampler.TRACE_VERSION`):

- `{"type": "hello", "version": 2, "run": {...}}` first, with the run as `GET /api/runs/{id}`
  gives it;
- `{"type": "trace", "threads": [...], "samples": [...], "events": [...]}`, any number:
  threads first seen since the last batch, sample rows and the tracing agent's events
  (`app/trace/events.py`), in the shapes of `GET /api/runs/{id}/samples`;
- `{"type": "status", "run": {...}}` last, once the run is final; then the socket closes
  normally (1000);
- `{"type": "dropped", "reason": "..."}` before the server closes a viewer that fell behind
  (code 4008);
- `{"type": "restart", "id": "...", "reason": "..."}` when the run starts again from scratch
  on another runner node (its first one was lost): the viewer forgets what it had.

Each trace message has an `id` (see `cursor`); a viewer that reconnects with `?after=<id>`
of the last one it got resumes after it, on any web replica. A socket the server closes with
1013 (the broker is away) should be reconnected the same way after a pause.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

VIEWER_BACKLOG = 512  # batches a viewer may fall behind by (about 25 s of a busy run)
SLOW_VIEWER = "This viewer fell too far behind the run and was dropped; reconnect to replay it."


@dataclass
class Counts:
    """Threads, samples and events published so far in a run (its cursor's second part)."""

    threads: int = 0
    samples: int = 0
    events: int = 0

    def add(self, batch: dict[str, Any]) -> Counts:
        self.threads += len(batch.get("threads", ()))
        self.samples += len(batch.get("samples", ()))
        self.events += len(batch.get("events", ()))
        return self

    def dotted(self) -> str:
        return f"{self.threads}.{self.samples}.{self.events}"


def cursor(position: object, counts: Counts) -> str:
    """A trace message's `id`: where the runner is (a batch number here, a Redis stream entry
    id in a cluster) and how much of the trace came before, so that a viewer reconnecting
    with `?after=<id>` resumes from the runner, or from the stored trace once the run is
    final, with nothing missed and nothing twice."""
    return f"{position}:{counts.dotted()}"


@dataclass(eq=False)
class Viewer:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(VIEWER_BACKLOG)
    )
    dropped: bool = False

    def offer(self, message: dict[str, Any]) -> None:
        """From any thread: queue a message for this viewer, or drop the viewer if it is full."""
        self.loop.call_soon_threadsafe(self._put, message)

    def _put(self, message: dict[str, Any]) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped = True
            self.queue.get_nowait()  # room for the notice, which the viewer reads last
            self.queue.put_nowait({"type": "dropped", "reason": SLOW_VIEWER})


@dataclass(eq=False)
class Feed:
    """One run's live batches: kept from its start, sent on to every viewer."""

    run_id: str
    batches: list[dict[str, Any]] = field(default_factory=list)
    viewers: set[Viewer] = field(default_factory=set)
    final: dict[str, Any] | None = None
    counts: Counts = field(default_factory=lambda: Counts())
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, batch: dict[str, Any]) -> None:
        with self.lock:
            batch = batch | {"id": cursor(len(self.batches) + 1, self.counts.add(batch))}
            self.batches.append(batch)
            for viewer in self.viewers:
                viewer.offer(batch)

    def finish(self, run: dict[str, Any]) -> None:
        message = {"type": "status", "run": run}
        with self.lock:
            self.final = message
            for viewer in self.viewers:
                viewer.offer(message)

    def subscribe(self, loop: asyncio.AbstractEventLoop) -> tuple[Viewer, list[dict[str, Any]]]:
        """A new viewer and, atomically with it, everything published before it joined."""
        viewer = Viewer(loop)
        with self.lock:
            self.viewers.add(viewer)
            backlog = list(self.batches)
            if self.final is not None:
                backlog.append(self.final)
        return viewer, backlog

    def unsubscribe(self, viewer: Viewer) -> None:
        with self.lock:
            self.viewers.discard(viewer)


class LiveRuns:
    """The feeds of the runs in progress on this server."""

    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.lock = threading.Lock()

    def feed(self, run_id: str) -> Feed:
        """The run's feed, made on first use (by the runner, or a viewer of a queued run)."""
        with self.lock:
            found = self.feeds.get(run_id)
            if found is None:
                found = self.feeds[run_id] = Feed(run_id)
            return found

    def finish(self, run_id: str, run: dict[str, Any]) -> None:
        """The run is final and stored: tell its viewers and forget it (later viewers replay
        it from the database)."""
        with self.lock:
            found = self.feeds.pop(run_id, None)
        if found is not None:
            found.finish(run)

    def release(self, feed: Feed) -> None:
        """A viewer left: forget a feed nobody watches and no runner has published to."""
        with self.lock, feed.lock:
            if not feed.viewers and not feed.batches and self.feeds.get(feed.run_id) is feed:
                del self.feeds[feed.run_id]
