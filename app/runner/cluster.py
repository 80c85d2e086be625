"""The web tier's runner in a cluster (`THREADLINE_BROKER_URL` set): runs go to the Redis
queue that the runner nodes (`threadline worker`, app.runner.worker) read, and live viewers
read each run's event stream, so that any replica serves any learner. This process runs no
learner code and keeps no state of its own besides a copy of the nodes' heartbeats.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import re
from collections.abc import AsyncGenerator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import Run
from app.interpreters import Interpreter
from app.runner import broker, runs
from app.runner.pool import Message, QueueFull
from app.settings import Settings

log = logging.getLogger("threadline.cluster")

T = TypeVar("T")
ENTRY_ID = re.compile(r"\d{1,20}-\d{1,20}")
BLOCK_MS = 1000  # a quiet viewer's read returns after this, for a look at the database
CALL_TIMEOUT = 10.0


class ClusterRunner:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        assert settings.broker_url
        self.settings, self.sessions = settings, sessions
        self.client = broker.connect(settings.broker_url)
        self.live_workers: list[dict[str, Any]] = []
        self.reachable = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self._refresh()
        self.watcher = asyncio.create_task(self._watch_workers())

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
        await self.client.aclose()

    async def _refresh(self) -> None:
        try:
            await broker.ensure_group(self.client)
            self.live_workers = await broker.workers(self.client)
            if not self.reachable:
                log.info("broker reachable; %d runner node(s) alive", len(self.live_workers))
            self.reachable = True
        except (RedisError, OSError) as e:
            if self.reachable:
                log.error("broker unreachable: %s", e)
            self.reachable = False

    async def _watch_workers(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            await self._refresh()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a broker call on the server's event loop from a request's worker thread."""
        assert self.loop is not None
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(CALL_TIMEOUT)
        except (RedisError, OSError, concurrent.futures.TimeoutError) as e:
            future.cancel()
            raise broker.BrokerDown(str(e)) from e

    # --- the runner interface (app.runner.pool.Runner) ------------------------------------

    @property
    def interpreter_list(self) -> dict[str, Interpreter]:
        """What the live runner nodes offer: each interpreter id once, as the first node
        announcing it describes it."""
        found: dict[str, Interpreter] = {}
        for worker in self.live_workers:
            for i in worker.get("interpreters", []):
                if i["id"] not in found:
                    found[i["id"]] = Interpreter(
                        id=i["id"],
                        python=Path(i.get("python", "")),
                        version=i["version"],
                        free_threaded=i["free_threaded"],
                        gil_enabled=i["gil_enabled"],
                        prefix=Path(i.get("prefix", "")),
                        base_prefix=Path(i.get("base_prefix", "")),
                        packages=dict(i.get("packages", {})),
                    )
        return dict(sorted(found.items()))

    def workers(self) -> list[dict[str, Any]]:
        return [
            {k: w.get(k) for k in ("id", "capacity", "in_flight", "runs", "stopping", "seen_at")}
            | {
                "interpreters": [
                    {k: i.get(k) for k in ("id", "version", "free_threaded", "gil_enabled")}
                    for i in w.get("interpreters", [])
                ],
                "isolation": w.get("isolation") or {"layers": [], "complete": False, "missing": []},
            }
            for w in self.live_workers
        ]

    @property
    def capacity(self) -> int:
        return sum(int(w.get("capacity", 0)) for w in self.live_workers)

    def waiting(self) -> int:
        """The runs in the queue stream not yet taken by a node, for the whole cluster."""
        found: int = self._call(broker.waiting(self.client))
        return found

    def check_room(self, count: int) -> None:
        waiting = self.waiting()
        if waiting + count > self.settings.queue_max:
            raise self._full(waiting)

    def submit_batch(self, run_ids: list[str]) -> None:
        waiting = self._call(broker.enqueue(self.client, run_ids, self.settings.queue_max))
        if waiting < 0:
            raise self._full(-1 - waiting)

    def _full(self, waiting: int) -> QueueFull:
        """Refused for room: a retry after about the time the live nodes take to clear it."""
        wait = self.settings.grade_wall_seconds * waiting / max(1, self.capacity)
        return QueueFull(max(1, int(wait)))

    def cancel(self, run_id: str, reason: str = "Cancelled.", worker: str | None = None) -> None:
        """Tell the node holding the run to stop it (a queued run has no node yet)."""
        if worker is None:
            return
        message = json.dumps({"run": run_id, "reason": reason})
        try:
            self._call(self.client.publish(broker.cancel_channel(worker), message))
        except broker.BrokerDown as e:
            # The run is ended in the database all the same; its node finds that at the end.
            log.warning("cancel of run %s could not reach node %s: %s", run_id, worker, e.detail)

    def announce(self, run_id: str) -> None:
        """A run ended here (cancelled while queued): its viewers on every replica hear it."""
        with self.sessions() as db:
            run = db.get(Run, run_id)
            if run is None or run.status not in runs.FINAL:
                return
            status = runs.public(run)
        try:
            self._call(
                broker.finish_stream(
                    self.client,
                    run_id,
                    status,
                    self.settings.event_stream_keep_seconds,
                    self.settings.event_stream_max,
                )
            )
        except broker.BrokerDown as e:  # viewers find the status in the database instead
            log.warning("final status of run %s not published: %s", run_id, e.detail)

    async def watch(self, run_id: str, after: str) -> AsyncGenerator[Message | None, None]:
        """The run's messages from its event stream after entry `after` (from a cursor), and
        None after each quiet second. Raises BrokerDown when Redis goes away."""
        key, last = broker.events_key(run_id), after if ENTRY_ID.fullmatch(after) else "0-0"
        while True:
            try:
                got = await self.client.xread({key: last}, count=200, block=BLOCK_MS)
            except (RedisError, OSError) as e:
                raise broker.BrokerDown(str(e)) from e
            if not got:
                yield None
                continue
            for entry_id, fields in got[0][1]:
                last = entry_id
                message: Message = json.loads(fields["m"])
                if message["type"] in ("trace", "restart"):
                    message["id"] = f"{entry_id}:{fields['c']}"
                yield message
