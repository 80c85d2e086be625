"""`/ws/runs/{id}`: a run's samples as they happen, then its final status (the messages are
described in `app.runner.live`). A finished run is replayed from the database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from app.db.models import Run
from app.learners import resume
from app.runner import runs
from app.runner.broker import BrokerDown
from app.runner.live import Counts
from app.runner.pool import Runner
from app.trace.sampler import TRACE_VERSION, unpack
from app.web.cookies import COOKIE_NAME

router = APIRouter()

NO_SUCH_RUN = 4404
TRY_AGAIN = 1013
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
    position, sent = Sent.resume(websocket.query_params.get("after", ""))
    await websocket.send_json({"type": "hello", "version": TRACE_VERSION, "run": run})
    with contextlib.suppress(WebSocketDisconnect):
        if run["final"]:
            await _replay(websocket, run_id, sent)
            await websocket.close()
            return
        runner: Runner = websocket.app.state.runner
        try:
            await _follow(websocket, run_id, runner.watch(run_id, position), sent)
        except BrokerDown:
            await websocket.close(code=TRY_AGAIN, reason="The run queue is away; reconnecting.")


class Sent(Counts):
    """What a viewer has been sent, so that a replay after live batches repeats nothing: how
    many threads, samples and events, the count part of each message's cursor."""

    @classmethod
    def resume(cls, cursor: str) -> tuple[str, Sent]:
        """The runner's position and the counts in a cursor (`after=`) a viewer sends back;
        an empty or malformed one means the start of the run."""
        position, _, counts = cursor.rpartition(":")
        try:
            threads, samples, events = (int(n) for n in counts.split("."))
        except ValueError:
            return "", cls()
        if min(threads, samples, events) < 0 or not position:
            return "", cls()
        return position, cls(threads, samples, events)

    def note(self, message: dict[str, Any]) -> None:
        if message["type"] == "restart":  # the run starts again on another runner node
            self.threads = self.samples = self.events = 0
        elif message["type"] == "trace":
            self.add(message)


async def _follow(
    websocket: WebSocket,
    run_id: str,
    messages: AsyncGenerator[dict[str, Any] | None, None],
    sent: Sent,
) -> None:
    closed = asyncio.ensure_future(_closed_by_viewer(websocket))
    try:
        while True:
            getting = asyncio.ensure_future(anext(messages))
            done, _ = await asyncio.wait({getting, closed}, return_when=asyncio.FIRST_COMPLETED)
            if closed in done:
                getting.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await getting
                return
            message = getting.result()
            if message is None:
                # Quiet: the run may have ended without a runner (cancelled while queued).
                run = await run_in_threadpool(_run_now, websocket, run_id)
                if run is None or run["final"]:
                    await _replay(websocket, run_id, sent)
                    await websocket.close()
                    return
                continue
            await websocket.send_json(message)
            sent.note(message)
            if message["type"] == "status":
                await websocket.close()
                return
            if message["type"] == "dropped":
                await websocket.close(code=TOO_SLOW, reason="Too slow; reconnect to resume.")
                return
    finally:
        closed.cancel()
        await messages.aclose()


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
        threads = trace["threads"][sent.threads :]
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
