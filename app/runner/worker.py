"""`threadline worker`: a runner node of a cluster. It takes runs from the Redis queue (a
consumer of the group `runners`), runs each in its own sandbox with its own interpreters,
publishes the live messages to the run's event stream (holding them back, in order, while
Redis is away), and finishes the run in the database.

- It announces itself every few seconds (id, interpreters, capacity, runs in flight), and with
  the same beat renews its hold on the queue entries of the runs it holds.
- It takes back the entries of a node that stopped announcing itself (XAUTOCLAIM after the
  visibility timeout): a run that node had started is run again once, from scratch; one that
  was lost twice ends as an error.
- A cancel for a run it holds reaches it on its own channel; one it missed (sent while it was
  cut off from Redis) it finds at its next heartbeat, in the database.
- It looks for runs Redis lost (a crash between writes to its append-only file, a flush): active
  in the database, yet with no entry in the queue and held by no live node, twice a visibility
  timeout apart. A queued one is queued again; a running one goes back to the queue, to run
  again from the start.
- On SIGTERM (or SIGINT) it takes no new runs and finishes the ones it holds; those still
  running after THREADLINE_DRAIN_SECONDS are stopped and handed back to the queue, to run
  again from the start on another node.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError, ResponseError

from app.db.models import Run
from app.interpreters import Interpreter
from app.runner import broker, runs
from app.runner.live import Counts
from app.runner.pool import Active, Context, execute
from app.sandbox.execution import Isolation

log = logging.getLogger("threadline.worker")

LOST = "Runner node lost: the machine running this stopped twice; please run it again."
RESTARTED = "The runner node running this was lost; it runs again from the start elsewhere."
BACKOFF = (0.2, 0.5, 1.0, 2.0)  # seconds between attempts to reach Redis again


@dataclass(eq=False)
class Held:
    entry: str  # the queue entry id
    active: Active
    task: asyncio.Task[None] | None = None


def _interpreter(i: Interpreter) -> dict[str, Any]:
    return i.public() | {
        "python": str(i.python),
        "prefix": str(i.prefix),
        "base_prefix": str(i.base_prefix),
    }


class Node:
    def __init__(self, ctx: Context, isolation: Isolation) -> None:
        settings = ctx.settings
        assert settings.broker_url
        self.ctx, self.settings, self.isolation = ctx, settings, isolation
        self.id = settings.worker_id or f"{socket.gethostname()}-{os.getpid()}"
        self.capacity = settings.runner_workers
        self.client = broker.connect(settings.broker_url)
        self.held: dict[str, Held] = {}
        self.freed = asyncio.Event()
        self.stopping = asyncio.Event()
        self.threads = ThreadPoolExecutor(self.capacity + 1, thread_name_prefix="run")
        self.started_at = time.time()

    # --- the node's life ------------------------------------------------------------------

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop)
        helpers = [
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._listen_for_cancels()),
            asyncio.create_task(self._reclaim()),
            asyncio.create_task(self._sweep()),
        ]
        log.info("runner node %s: %d runs at once; %s", self.id, self.capacity, self.isolation)
        try:
            await self._consume()
            await self._drain()
        finally:
            for helper in helpers:
                helper.cancel()
            with contextlib.suppress(RedisError, OSError):
                await self.client.delete(broker.worker_key(self.id))
            await self.client.aclose()
            self.threads.shutdown(wait=False)
            log.info("runner node %s stopped", self.id)

    def _stop(self) -> None:
        if not self.stopping.is_set():
            log.info("runner node %s stopping: finishing %d run(s)", self.id, len(self.held))
        self.stopping.set()
        self.freed.set()

    async def _consume(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            free = self.capacity - len(self.held)
            if free <= 0:
                self.freed.clear()
                await self.freed.wait()
                continue
            try:
                got = await self.client.xreadgroup(
                    broker.GROUP, self.id, {broker.QUEUE: ">"}, count=free, block=1000
                )
                failures = 0
            except ResponseError as e:
                if "NOGROUP" not in str(e):
                    raise
                await self._make_group()
                continue
            except (RedisError, OSError) as e:
                failures = await self._pause(failures, e)
                continue
            for _, entries in got or []:
                for entry, fields in entries:
                    restarted = fields.get("restart") == "1"  # handed back while it ran
                    self._take(entry, fields.get("run", ""), restarted)

    async def _drain(self) -> None:
        tasks = [h.task for h in self.held.values() if h.task is not None]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.settings.drain_seconds)
        for held in list(self.held.values()):
            if held.task in late:
                held.active.handed_back = True
                held.active.cancel.set()
        if late:
            await asyncio.wait(late)

    async def _pause(self, failures: int, error: BaseException) -> int:
        if failures == 0:
            log.error("runner node %s: broker unreachable (%s); retrying", self.id, error)
        await asyncio.sleep(BACKOFF[min(failures, len(BACKOFF) - 1)])
        return failures + 1

    async def _make_group(self) -> None:
        """The queue's consumer group again (Redis came back without it): until it answers."""
        failures = 0
        while not self.stopping.is_set():
            try:
                await broker.ensure_group(self.client)
                return
            except (RedisError, OSError) as e:
                failures = await self._pause(failures, e)

    # --- one run --------------------------------------------------------------------------

    def _take(self, entry: str, run_id: str, restarted: bool) -> None:
        held = Held(entry, Active(threading.Event()))
        self.held[run_id] = held
        held.task = asyncio.create_task(self._run(run_id, held, restarted))

    async def _run(self, run_id: str, held: Held, restarted: bool) -> None:
        loop = asyncio.get_running_loop()
        outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        publisher = asyncio.create_task(self._publish_all(run_id, outbox, restarted))

        def publish(batch: dict[str, Any]) -> None:  # from the sandbox's watching thread
            loop.call_soon_threadsafe(outbox.put_nowait, batch)

        ran = False  # False: the run was no longer queued (cancelled, and announced, meanwhile)
        try:
            ran = await loop.run_in_executor(
                self.threads, execute, self.ctx, self.id, run_id, held.active, publish
            )
        except Exception:
            log.exception("run %s failed in the runner", run_id)
            await loop.run_in_executor(self.threads, self._end, run_id, "error", "internal")
            ran = True
        finally:
            outbox.put_nowait(None)
            try:  # what Redis could not take while it was away, once it is back
                await asyncio.wait_for(publisher, self.settings.visibility_seconds)
            except TimeoutError:
                log.warning("run %s: live messages dropped, Redis still away", run_id)
            if held.active.handed_back:
                await self._hand_back(run_id, held.entry)
            else:
                if ran:
                    await self._announce(run_id)
                await self._done(held.entry)
            del self.held[run_id]
            self.freed.set()

    def _end(self, run_id: str, status: str, why: str) -> None:
        reason = LOST if why == "lost" else "The runner hit an internal error."
        with self.ctx.sessions() as db:
            runs.end(db, run_id, status, reason)

    async def _publish_all(
        self, run_id: str, outbox: asyncio.Queue[dict[str, Any] | None], restarted: bool
    ) -> None:
        """Each batch to the run's stream, in order, with the counts of its cursor."""
        counts, cap = Counts(), self.settings.event_stream_max
        if restarted:
            await self._publish(run_id, {"type": "restart", "reason": RESTARTED}, "0.0.0", cap)
        while (batch := await outbox.get()) is not None:
            await self._publish(run_id, batch, counts.add(batch).dotted(), cap)

    async def _publish(self, run_id: str, message: dict[str, Any], counts: str, cap: int) -> None:
        """One message on the run's stream; while Redis is away, held back (and the messages
        after it, in order) until it is back, so that a viewer who resumes finds no gap."""
        failures = 0
        while True:
            try:
                await broker.publish(self.client, run_id, message, counts, cap)
                return
            except (RedisError, OSError) as e:
                if failures == 0:
                    log.warning("run %s: live messages held back: %s", run_id, e)
                await asyncio.sleep(BACKOFF[min(failures, len(BACKOFF) - 1)])
                failures += 1

    async def _announce(self, run_id: str) -> None:
        status = await asyncio.get_running_loop().run_in_executor(self.threads, self._final, run_id)
        if status is None:
            return
        try:
            await broker.finish_stream(
                self.client,
                run_id,
                status,
                self.settings.event_stream_keep_seconds,
                self.settings.event_stream_max,
            )
        except (RedisError, OSError) as e:  # viewers find the status in the database
            log.warning("run %s: final status not published: %s", run_id, e)

    def _final(self, run_id: str) -> dict[str, Any] | None:
        with self.ctx.sessions() as db:
            run = db.get(Run, run_id)
            return runs.public(run) if run is not None and run.status in runs.FINAL else None

    async def _done(self, entry: str) -> None:
        """The run is final in the database: its queue entry goes. If Redis is away now, the
        entry stays pending and whoever takes it back finds the run final and drops it."""
        try:
            await self.client.xack(broker.QUEUE, broker.GROUP, entry)
            await self.client.xdel(broker.QUEUE, entry)
        except (RedisError, OSError) as e:
            log.warning("queue entry %s not acknowledged: %s", entry, e)

    async def _hand_back(self, run_id: str, entry: str) -> None:
        try:
            await self.client.xadd(broker.QUEUE, {"run": run_id, "restart": "1"})
        except (RedisError, OSError) as e:  # left pending: taken back after the timeout
            log.warning("run %s not handed back: %s", run_id, e)
            return
        await self._done(entry)
        log.info("run %s handed back to the queue", run_id)

    # --- the node's helpers ---------------------------------------------------------------

    def heartbeat(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "interpreters": [_interpreter(i) for i in self.ctx.interpreters.values()],
            "capacity": self.capacity,
            "in_flight": len(self.held),
            "runs": sorted(self.held),
            "stopping": self.stopping.is_set(),
            "isolation": {
                "layers": self.isolation.layers,
                "complete": self.isolation.complete,
                "missing": self.isolation.problems,
            },
            "started_at": self.started_at,
            "seen_at": time.time(),
        }

    async def _heartbeat(self) -> None:
        every = self.settings.heartbeat_seconds
        ttl = max(1, int(every * 3 + 1))
        while True:
            try:
                await self.client.set(
                    broker.worker_key(self.id), json.dumps(self.heartbeat()), ex=ttl
                )
                entries = [h.entry for h in self.held.values()]
                if entries:  # still ours: their idle time starts again
                    await self.client.xclaim(
                        broker.QUEUE, broker.GROUP, self.id, 0, entries, justid=True
                    )
            except (RedisError, OSError) as e:
                log.debug("heartbeat failed: %s", e)
            except Exception:
                log.exception("heartbeat failed")
            try:
                await self._stop_ended()
            except Exception:
                log.exception("looking for ended runs failed")
            await asyncio.sleep(every)

    async def _stop_ended(self) -> None:
        """Stop the runs held here that the database has ended (cancelled, or replaced by a
        newer run) though no cancel arrived: one sent while this node was cut off from Redis."""
        ids = [r for r, held in self.held.items() if not held.active.cancel.is_set()]
        if not ids:
            return
        loop = asyncio.get_running_loop()
        # The database keeps the status and reason it has; a run this node has just finished
        # is among these too, its program over: stopping it changes nothing.
        for run_id in await loop.run_in_executor(self.threads, self._final_among, ids):
            held = self.held.get(run_id)
            if held is not None and not held.active.cancel.is_set():
                log.info("run %s was ended elsewhere; stopping it", run_id)
                held.active.cancel.set()

    def _final_among(self, run_ids: list[str]) -> set[str]:
        with self.ctx.sessions() as db:
            return runs.final_among(db, run_ids)

    async def _listen_for_cancels(self) -> None:
        while True:
            try:
                async with self.client.pubsub() as pubsub:
                    await pubsub.subscribe(broker.cancel_channel(self.id))
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._cancel(json.loads(message["data"]))
            except (RedisError, OSError, ValueError) as e:
                log.debug("cancel channel lost: %s", e)
                await asyncio.sleep(1)

    def _cancel(self, message: dict[str, Any]) -> None:
        held = self.held.get(str(message.get("run")))
        if held is not None:
            held.active.reason = str(message.get("reason") or "Cancelled.")
            held.active.cancel.set()

    async def _reclaim(self) -> None:
        """Take back the queue entries of nodes that stopped renewing them."""
        visibility = self.settings.visibility_seconds
        while True:
            await asyncio.sleep(max(0.5, visibility / 3))
            free = self.capacity - len(self.held)
            if self.stopping.is_set() or free <= 0:
                continue
            try:
                reply = await self.client.xautoclaim(
                    broker.QUEUE, broker.GROUP, self.id, int(visibility * 1000), count=free
                )
                for entry, fields in reply[1]:  # [next start, claimed, deleted ids]
                    pending = await self.client.xpending_range(
                        broker.QUEUE, broker.GROUP, min=entry, max=entry, count=1
                    )
                    delivered = pending[0]["times_delivered"] if pending else 2
                    await self._take_back(entry, (fields or {}).get("run", ""), delivered)
            except (RedisError, OSError) as e:
                log.debug("reclaiming failed: %s", e)
            except Exception:  # this loop must outlive any one bad entry
                log.exception("reclaiming runs failed")

    async def _take_back(self, entry: str, run_id: str, delivered: int) -> None:
        loop = asyncio.get_running_loop()
        state = await loop.run_in_executor(self.threads, self._state, run_id)
        if state == "queued" and delivered <= 2:  # the lost node never started it
            self._take(entry, run_id, restarted=False)
        elif state == "running" and delivered <= 2:
            log.warning("run %s: its runner node was lost; running it again", run_id)
            await loop.run_in_executor(self.threads, self._requeue, run_id)
            self._take(entry, run_id, restarted=True)
        else:
            if state in runs.ACTIVE:
                log.warning("run %s: lost with its runner node a second time", run_id)
                await loop.run_in_executor(self.threads, self._end, run_id, "error", "lost")
                await self._announce(run_id)
            await self._done(entry)

    async def _sweep(self) -> None:
        """Queue again the runs Redis lost: active in the database, yet neither in the queue
        stream nor held by a live node, at two looks a visibility timeout apart (a live node
        announces what it holds well within that; a run being queued is in the stream within
        milliseconds). Every node looks; a key set only if absent lets one of them act."""
        period = self.settings.visibility_seconds
        loop = asyncio.get_running_loop()
        suspects: dict[str, float] = {}  # run id: when it was first seen lost
        while True:
            await asyncio.sleep(period)
            if self.stopping.is_set():
                continue
            try:
                queued = {f.get("run") for _, f in await self.client.xrange(broker.QUEUE)}
                held = {r for w in await broker.workers(self.client) for r in w.get("runs", [])}
                held |= set(self.held)  # its own, even before its next heartbeat
                active = await loop.run_in_executor(self.threads, self._active)
                now = time.monotonic()
                lost = {r: s for r, s in active.items() if r not in queued and r not in held}
                suspects = {r: suspects.get(r, now) for r in lost}
                for run_id, first in list(suspects.items()):
                    if now - first >= period:
                        await self._requeue_lost(run_id, lost[run_id])
                        del suspects[run_id]
            except (RedisError, OSError) as e:
                suspects.clear()  # what is in Redis is not known: look afresh
                log.debug("looking for lost runs failed: %s", e)
            except Exception:  # this loop must outlive any one bad run
                suspects.clear()
                log.exception("looking for lost runs failed")

    async def _requeue_lost(self, run_id: str, status: str) -> None:
        ttl = max(1, int(self.settings.visibility_seconds * 4))
        if not await self.client.set(broker.swept_key(run_id), self.id, nx=True, ex=ttl):
            return  # another node is queueing it again
        loop = asyncio.get_running_loop()
        restart = status == "running"
        if restart and not await loop.run_in_executor(self.threads, self._requeue, run_id):
            return  # it ended meanwhile
        fields = {"run": run_id} | ({"restart": "1"} if restart else {})
        await self.client.xadd(broker.QUEUE, fields)
        log.warning("run %s (%s) was missing from the queue; queued again", run_id, status)

    def _active(self) -> dict[str, str]:
        with self.ctx.sessions() as db:
            return runs.active(db)

    def _state(self, run_id: str) -> str | None:
        with self.ctx.sessions() as db:
            run = db.get(Run, run_id)
            return run.status if run is not None else None

    def _requeue(self, run_id: str) -> bool:
        with self.ctx.sessions() as db:
            return runs.requeue(db, run_id)
