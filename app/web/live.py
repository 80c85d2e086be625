"""`/ws/runs/{id}`: a run's samples as they happen, then its final status (the messages are
described in `app.runner.live`). A finished run is replayed from the database."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from app.db.models import Run
from app.learners import resume
from app.runner import runs
from app.runner.live import Viewer
from app.runner.pool import RunPool
from app.trace.sampler import TRACE_VERSION, unpack
from app.web.cookies import COOKIE_NAME

router = APIRouter()

CHECK_EVERY = 1.0  # seconds: how often a quiet viewer looks whether its run ended elsewhere
NO_SUCH_RUN = 4404
TOO_SLOW = 4008


@router.websocket("/ws/runs/{run_id}")
async def watch_run(websocket: WebSocket, run_id: str) -> None:
    origin = websocket.headers.get("origin")
    if origin and urlsplit(origin).netloc != websocket.headers.get("host"):
        await websocket.close(code=1008, reason="Cross-site WebSocket refused.")
        return
    token = websocket.app.state.signer.token_from_cookie(websocket.cookies.get(COOKIE_NAME, ""))
    run = await run_in_threadpool(_owned_run, websocket, token, run_id)
    await websocket.accept()
    if run is None:
        await websocket.close(code=NO_SUCH_RUN, reason=f"There is no run '{run_id}'.")
        return
    await websocket.send_json({"type": "hello", "version": TRACE_VERSION, "run": run})
    with contextlib.suppress(WebSocketDisconnect):
        if run["final"]:
            await _replay(websocket, run_id, Sent())
            await websocket.close()
            return
        pool: RunPool = websocket.app.state.pool
        feed = pool.live.feed(run_id)
        viewer, backlog = feed.subscribe(asyncio.get_running_loop())
        try:
            await _follow(websocket, run_id, viewer, backlog)
        finally:
            feed.unsubscribe(viewer)
            pool.live.release(feed)


class Sent:
    """What a viewer has been sent, so that a replay after live batches repeats nothing."""

    def __init__(self) -> None:
        self.threads: set[int] = set()
        self.samples = 0
        self.events = 0

    def note(self, message: dict[str, Any]) -> None:
        if message["type"] == "trace":
            self.threads.update(t["tid"] for t in message["threads"])
            self.samples += len(message["samples"])
            self.events += len(message["events"])


async def _follow(
    websocket: WebSocket, run_id: str, viewer: Viewer, backlog: list[dict[str, Any]]
) -> None:
    sent = Sent()
    pending = list(backlog)
    closed = asyncio.ensure_future(_closed_by_viewer(websocket))
    try:
        while True:
            while pending:
                message = pending.pop(0)
                await websocket.send_json(message)
                sent.note(message)
                if message["type"] == "status":
                    await websocket.close()
                    return
                if message["type"] == "dropped":
                    await websocket.close(code=TOO_SLOW, reason="Too slow; reconnect to replay.")
                    return
            getting = asyncio.ensure_future(viewer.queue.get())
            done, _ = await asyncio.wait(
                {getting, closed}, timeout=CHECK_EVERY, return_when=asyncio.FIRST_COMPLETED
            )
            if closed in done:
                getting.cancel()
                return
            if getting in done:
                pending.append(getting.result())
                while not viewer.queue.empty():  # and whatever else came meanwhile
                    pending.append(viewer.queue.get_nowait())
                continue
            getting.cancel()
            # Quiet: the run may have ended without a runner (cancelled while queued).
            run = await run_in_threadpool(_run_now, websocket, run_id)
            if run is None or run["final"]:
                await _replay(websocket, run_id, sent)
                await websocket.close()
                return
    finally:
        closed.cancel()


async def _closed_by_viewer(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass  # viewers have nothing to say; whatever they send is ignored


async def _replay(websocket: WebSocket, run_id: str, sent: Sent) -> None:
    """The stored trace (what this viewer has not had yet), then the final status."""
    stored = await run_in_threadpool(_stored, websocket, run_id)
    if stored is None:
        return
    run, trace = stored
    if trace is not None:
        threads = [t for t in trace["threads"] if t["tid"] not in sent.threads]
        samples = trace["samples"][sent.samples :]
        events = trace.get("events", [])[sent.events :]
        if threads or samples or events:
            message = {"threads": threads, "samples": samples, "events": events}
            await websocket.send_json({"type": "trace"} | message)
    await websocket.send_json({"type": "status", "run": run})


def _owned_run(websocket: WebSocket, token: str | None, run_id: str) -> dict[str, Any] | None:
    max_age = timedelta(seconds=websocket.app.state.signer.max_age_seconds)
    with websocket.app.state.sessions() as db:
        hold = resume(db, token, max_age)
        row = db.get(Run, run_id)
        if hold is None or row is None or row.learner_id != hold.learner.id:
            return None
        return runs.public(row)


def _run_now(websocket: WebSocket, run_id: str) -> dict[str, Any] | None:
    with websocket.app.state.sessions() as db:
        row = db.get(Run, run_id)
        return runs.public(row) if row is not None else None


def _stored(websocket: WebSocket, run_id: str) -> tuple[dict[str, Any], Any] | None:
    with websocket.app.state.sessions() as db:
        row = db.get(Run, run_id)
        if row is None:
            return None
        return runs.public(row), unpack(row.trace) if row.trace is not None else None
