"""Watching a run live over `/ws/runs/{id}`: samples while it runs, then its status; viewers that
join late get everything from the start; finished runs replay; strangers and other sites are
refused; a slow viewer is dropped without slowing the run or the others."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.main import create_app
from app.runner.live import SLOW_VIEWER, VIEWER_BACKLOG, LiveRuns
from tests.runner_support import run_code, runner_settings, submit, token, wait

TWO_THREADS = """
import threading, time

def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass

threads = [threading.Thread(target=spin, args=(1.0,)) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("done")
"""


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(runner_settings(tmp_path))) as test_client:
        yield test_client


def watch(
    client: TestClient, run_id: str, statuses: list[str] | None = None
) -> list[dict[str, Any]]:
    """Every message until the server closes the socket normally; with `statuses`, the run's
    status as the API gave it when each message arrived."""
    messages = []
    with client.websocket_connect(f"/ws/runs/{run_id}") as socket:
        while True:
            try:
                messages.append(socket.receive_json())
            except WebSocketDisconnect as closed:
                assert closed.code == 1000, closed
                break
            if statuses is not None:
                statuses.append(client.get(f"/api/runs/{run_id}").json()["status"])
    return messages


def rows(messages: list[dict[str, Any]]) -> list[list[Any]]:
    return [row for m in messages if m["type"] == "trace" for row in m["samples"]]


def test_a_viewer_gets_samples_while_the_run_goes_on_then_its_status(client: TestClient) -> None:
    run = submit(client, TWO_THREADS, "3.13t")
    statuses: list[str] = []
    messages = watch(client, run["id"], statuses)
    assert messages[0]["type"] == "hello" and messages[0]["run"]["id"] == run["id"]
    assert messages[-1]["type"] == "status" and messages[-1]["run"]["status"] == "passed"
    batches = [m for m in messages if m["type"] == "trace"]
    assert len(batches) >= 5, "a one-second run comes in many batches, not one at the end"
    live = [s for m, s in zip(messages, statuses, strict=True) if m["type"] == "trace"]
    assert live.count("running") >= 5, f"batches must arrive while the run goes on: {live}"
    stored = client.get(f"/api/runs/{run['id']}/samples").json()
    assert rows(messages) == stored["samples"]  # no gap, no duplicate, same order
    seen = [t["tid"] for m in batches for t in m["threads"]]
    assert sorted(seen) == sorted(t["tid"] for t in stored["threads"])
    assert len(seen) == len(set(seen)) >= 3


def test_a_late_viewer_starts_from_the_beginning(client: TestClient) -> None:
    run = submit(client, TWO_THREADS, "3.13")
    first = client.websocket_connect(f"/ws/runs/{run['id']}")
    with first as early:
        assert early.receive_json()["type"] == "hello"
        while client.get(f"/api/runs/{run['id']}").json()["status"] == "queued":
            time.sleep(0.05)
        time.sleep(0.5)  # the run is well under way
        late = watch(client, run["id"])
        early_messages = [early.receive_json()]
        while early_messages[-1]["type"] != "status":
            early_messages.append(early.receive_json())
    assert late[-1]["type"] == "status"
    assert (
        rows(late)
        == rows(early_messages)
        == client.get(f"/api/runs/{run['id']}/samples").json()["samples"]
    )


def test_a_finished_run_is_replayed_from_the_database(client: TestClient) -> None:
    run = run_code(client, TWO_THREADS.replace("1.0", "0.2"))
    messages = watch(client, run["id"])
    assert [m["type"] for m in messages] == ["hello", "trace", "status"]
    assert rows(messages) == client.get(f"/api/runs/{run['id']}/samples").json()["samples"]
    assert messages[-1]["run"]["status"] == "passed"


def status_after_samples(socket: Any) -> dict[str, Any]:
    message = socket.receive_json()
    while message["type"] == "trace":
        message = socket.receive_json()
    assert message["type"] == "status", message
    run: dict[str, Any] = message["run"]
    return run


def test_viewers_see_a_replaced_run_and_a_run_cancelled_in_the_queue_end(tmp_path: Path) -> None:
    with TestClient(create_app(runner_settings(tmp_path, runner_workers=1))) as client:
        running = submit(client, "import time\ntime.sleep(30)\n")
        other = TestClient(client.app)
        queued = submit(other, "print('waits for the only worker')\n")
        with other.websocket_connect(f"/ws/runs/{queued['id']}") as socket:
            assert socket.receive_json()["run"]["status"] == "queued"
            cancelled = other.post(
                f"/api/runs/{queued['id']}/cancel", headers={"X-CSRF-Token": token(other)}
            )
            assert cancelled.status_code == 200
            assert status_after_samples(socket)["status"] == "cancelled"
        with client.websocket_connect(f"/ws/runs/{running['id']}") as socket:
            assert socket.receive_json()["type"] == "hello"
            submit(client, "print('newer')\n")
            ended = status_after_samples(socket)
            assert (ended["status"], ended["reason"]) == ("cancelled", "Replaced by a newer run.")


def test_strangers_and_other_sites_are_refused(client: TestClient) -> None:
    run = run_code(client, "print(1)\n")
    stranger = TestClient(client.app)
    stranger.get("/")
    with (
        stranger.websocket_connect(f"/ws/runs/{run['id']}") as socket,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        socket.receive_json()
    assert closed.value.code == 4404
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(
            f"/ws/runs/{run['id']}", headers={"origin": "https://evil.example"}
        ) as socket,
    ):
        socket.receive_json()
    assert refused.value.code == 1008
    assert wait(client, run["id"])["status"] == "passed"


def test_a_slow_viewer_is_dropped_and_told_why_while_others_keep_up() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        live = LiveRuns()
        feed = live.feed("r1")
        slow, _ = feed.subscribe(loop)
        quick, _ = feed.subscribe(loop)
        received = []
        started = time.perf_counter()
        for i in range(VIEWER_BACKLOG * 2):
            feed.publish({"type": "trace", "threads": [], "samples": [[i, 1, 0.5, 0.0, "R"]]})
            if i % 50 == 0:
                await asyncio.sleep(0)
                while not quick.queue.empty():
                    received.append(quick.queue.get_nowait())
        publishing = time.perf_counter() - started
        feed.finish({"id": "r1", "status": "passed"})
        await asyncio.sleep(0)
        while not quick.queue.empty():
            received.append(quick.queue.get_nowait())
        assert len(received) == VIEWER_BACKLOG * 2 + 1 and received[-1]["type"] == "status"
        assert slow.dropped
        backlog = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        assert backlog[-1] == {"type": "dropped", "reason": SLOW_VIEWER}
        assert publishing < 1.0, "publishing never waits for viewers"

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in
    # the main thread for the rest of the session.
    failures: list[BaseException] = []

    def in_thread() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as error:  # handed to the test's thread below
            failures.append(error)

    runner = threading.Thread(target=in_thread)
    runner.start()
    runner.join()
    if failures:
        raise failures[0]


def test_a_run_has_its_own_page_for_its_learner_only(client: TestClient) -> None:
    run = run_code(client, TWO_THREADS.replace("1.0", "0.2"), interpreter="3.13t")
    page = client.get(f"/runs/{run['id']}")
    assert page.status_code == 200
    assert "spin" in page.text and "Run as a program" in page.text
    assert f'data-samples-url="/api/runs/{run["id"]}/samples"' in page.text
    assert f'href="/runs/{run["id"]}"' in client.get(f"/runs/{run['id']}/result").text
    stranger = TestClient(client.app)
    assert stranger.get(f"/runs/{run['id']}").status_code == 404
