"""The cluster on loopback: two `threadline serve` replicas and two `threadline worker` runner
nodes, as separate processes, on a throwaway PostgreSQL and Redis. Runs go through either
replica, run on either node, and are watched live from either replica; nodes and replicas are
killed and the broker restarted under load."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest
import redis
from sqlalchemy import create_engine, text
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app import ROOT
from app.runner import broker
from tests.cluster_support import VISIBILITY, Cluster, Learner, running_proxy
from tests.conftest import fresh_postgres_database
from tests.redis_server import running_redis
from tests.runner_support import token

pytestmark = pytest.mark.postgres

REQUEUED = re.compile(r"run (\S+) \((queued|running)\) was missing from the queue")
EXERCISE = "start-and-join"
PASSING = (ROOT / "exercises" / EXERCISE / "reference.py").read_text()
CHATTY = """
import threading, time
def work(n):
    for _ in range(6):
        time.sleep(0.1)
        with lock:
            pass
lock = threading.Lock()
threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
for t in threads: t.start()
for t in threads: t.join()
print("done")
"""


@pytest.fixture(scope="module")
def cluster(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_redis() as redis_server:
        found = Cluster(
            fresh_postgres_database(postgres_server),
            redis_server,
            tmp_path_factory.mktemp("cluster"),
        )
        try:
            found.add_web()
            found.add_web()
            found.add_worker()
            found.add_worker()
            yield found
        finally:
            found.stop()


def stream_statuses(cluster: Cluster, run_id: str) -> int:
    client = redis.Redis.from_url(cluster.redis.url, decode_responses=True)
    entries = client.xrange(broker.events_key(run_id))
    client.close()
    return sum(json.loads(fields["m"])["type"] == "status" for _, fields in entries)


def test_two_hundred_runs_through_both_replicas_each_end_once(cluster: Cluster) -> None:
    urls = [url for _, url in cluster.web]
    learners = [Learner(urls[i % 2]) for i in range(200)]

    def one(i: int) -> tuple[Learner, dict[str, Any]]:
        interpreter = "3.13t" if i % 3 else "3.13"
        learner = learners[i]
        if i % 5 == 0:
            run = learner.run(PASSING, interpreter=interpreter, mode="grade", exercise=EXERCISE)
        else:
            run = learner.run(f"print({i} * {i})", interpreter=interpreter)
        learner.use(urls[(i + 1) % 2])  # and asks the other replica how it went
        return learner, learner.wait(run["id"])

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(one, range(200)))
    statuses = [run["status"] for _, run in results]
    assert statuses.count("passed") == 200, (statuses, cluster.logs())
    for i, (_, run) in enumerate(results):
        if i % 5:
            assert run["stdout"] == f"{i * i}\n"
    assert {run["interpreter"] for _, run in results} == {"3.13", "3.13t"}
    for _, run in results[:40]:
        assert stream_statuses(cluster, run["id"]) == 1
    engine = create_engine(cluster.database)
    with engine.connect() as db:
        workers = dict(db.execute(text("SELECT worker, count(*) FROM runs GROUP BY worker")).all())
        passes = db.execute(
            text(
                "SELECT count(*), sum(attempts) FROM exercise_results "
                "WHERE exercise_id = :e AND passed_at IS NOT NULL"
            ),
            {"e": EXERCISE},
        ).one()
    engine.dispose()
    assert set(workers) == {"node-0", "node-1"}, workers  # both nodes took runs
    assert tuple(passes) == (40, 40)  # each learner's pass counted once, one attempt each


def test_a_viewer_on_one_replica_follows_a_run_submitted_through_the_other(
    cluster: Cluster,
) -> None:
    (_, a), (_, b) = cluster.web[:2]
    learner = Learner(a)
    run = learner.run(CHATTY, interpreter="3.13t")
    messages = learner.watch(b, run["id"])
    assert messages[0]["type"] == "hello" and not messages[0]["run"]["final"]
    assert messages[-1]["type"] == "status" and messages[-1]["run"]["status"] == "passed"
    traces = [m for m in messages if m["type"] == "trace"]
    assert len(traces) >= 3, [m["type"] for m in messages]
    entry_ids = [tuple(int(p) for p in m["id"].split(":")[0].split("-")) for m in traces]
    assert entry_ids == sorted(entry_ids) and len(set(entry_ids)) == len(entry_ids)
    stored = learner.client.get(f"/api/runs/{run['id']}/samples").json()
    assert sum(len(m["samples"]) for m in traces) == len(stored["samples"])
    assert sum(len(m["events"]) for m in traces) == len(stored["events"])


def test_a_viewer_resumes_on_the_other_replica_with_no_gap_and_no_duplicate(
    cluster: Cluster,
) -> None:
    (_, a), (_, b) = cluster.web[:2]
    learner = Learner(a)
    run = learner.run(CHATTY, interpreter="3.13")
    first = learner.watch(a, run["id"], stop_after=2)
    last_id = [m for m in first if m["type"] == "trace"][-1]["id"]
    rest = learner.watch(b, run["id"], after=last_id)
    assert rest[-1]["type"] == "status"
    traces = [m for m in first + rest if m["type"] == "trace"]
    stored = learner.client.get(f"/api/runs/{run['id']}/samples").json()
    assert [row for m in traces for row in m["samples"]] == stored["samples"]
    assert [e for m in traces for e in m["events"]] == stored["events"]
    assert [t["tid"] for m in traces for t in m["threads"]] == [t["tid"] for t in stored["threads"]]
    # Resuming after the run is final comes from the stored trace, with the same rule.
    again = learner.watch(b, run["id"], after=last_id)
    replayed = [m for m in again if m["type"] == "trace"]
    kept = [m for m in first if m["type"] == "trace"]
    assert [r for m in kept + replayed for r in m["samples"]] == stored["samples"]


def test_viewers_of_a_killed_web_replica_resume_on_the_other(cluster: Cluster) -> None:
    doomed, url = cluster.add_web_pair_member()
    (_, other) = cluster.web[0]
    learner = Learner(url)
    run = learner.run(CHATTY.replace("range(6)", "range(30)"), interpreter="3.13t")
    first = learner.watch(url, run["id"], stop_after=1)
    received = list(first)
    ws_url = url.replace("http", "ws", 1) + f"/ws/runs/{run['id']}"
    last_id = [m for m in first if m["type"] == "trace"][-1]["id"]
    cookie = "; ".join(f"{k}={v}" for k, v in learner.client.cookies.items())
    with connect(f"{ws_url}?after={last_id}", additional_headers={"Cookie": cookie}) as socket:
        received.append(json.loads(socket.recv(timeout=10)))  # hello
        doomed.signal(signal.SIGKILL)
        doomed.wait(10)
        with pytest.raises(ConnectionClosed):
            while True:
                message = json.loads(socket.recv(timeout=10))
                received.append(message)
                if message["type"] == "trace":
                    last_id = message["id"]
    resumed = learner.watch(other, run["id"], after=last_id)
    assert not resumed[0]["run"]["final"]  # the replica died while the run went on
    received += resumed
    learner.use(other)
    assert received[-1]["type"] == "status", [m["type"] for m in received]
    traces = [m for m in received if m["type"] == "trace"]
    stored = learner.client.get(f"/api/runs/{run['id']}/samples").json()
    assert [row for m in traces for row in m["samples"]] == stored["samples"]
    assert [e for m in traces for e in m["events"]] == stored["events"]


def test_the_proxy_spreads_requests_and_keeps_viewers_across_a_lost_replica(
    cluster: Cluster, tmp_path: Path
) -> None:
    """Caddy with the cluster profile's Caddyfile in front of two replicas: requests go to
    both, a learner's cookie holds on either, and when one replica is killed under a live
    viewer the proxy routes around it and the viewer resumes through it with nothing lost."""
    doomed, doomed_url = cluster.add_web_pair_member()
    steady = cluster.web[0][0]
    replicas = [url.removeprefix("http://") for url in (cluster.web[0][1], doomed_url)]
    with running_proxy(replicas, tmp_path) as proxy:
        marks = [uuid.uuid4().hex for _ in range(10)]
        for mark in marks:
            assert httpx2.get(f"{proxy}/?via={mark}").status_code == 200
        for replica in (steady, doomed):  # round robin: each served some of them
            assert any(mark in replica.log.read_text() for mark in marks), replica.name
        learner = Learner(proxy)
        run = learner.run(CHATTY.replace("range(6)", "range(30)"), interpreter="3.13t")
        ws_url = proxy.replace("http", "ws", 1) + f"/ws/runs/{run['id']}"
        cookie = "; ".join(f"{k}={v}" for k, v in learner.client.cookies.items())
        received: list[dict[str, Any]] = []
        last_id = ""
        with connect(ws_url, additional_headers={"Cookie": cookie}) as socket:
            try:
                while True:
                    received.append(json.loads(socket.recv(timeout=10)))
                    if received[-1]["type"] == "trace":
                        last_id = received[-1]["id"]
                        if doomed.popen is not None and doomed.popen.poll() is None:
                            doomed.signal(signal.SIGKILL)  # under a live viewer
                            doomed.wait(10)
                    if received[-1]["type"] == "status":
                        break
            except ConnectionClosed:  # it was the killed replica's viewer
                pass
        for _ in range(6):  # the proxy routes around the dead replica
            assert learner.client.get("/").status_code == 200
        deadline = time.monotonic() + 60
        while received[-1]["type"] != "status":
            assert time.monotonic() < deadline, [m["type"] for m in received]
            more = learner.watch(proxy, run["id"], after=last_id)
            received += more
            last_id = next((m["id"] for m in reversed(received) if m["type"] == "trace"), last_id)
        traces = [m for m in received if m["type"] == "trace"]
        stored = learner.client.get(f"/api/runs/{run['id']}/samples").json()
        assert [row for m in traces for row in m["samples"]] == stored["samples"]
        assert [e for m in traces for e in m["events"]] == stored["events"]


def _held(cluster: Cluster, node: str, among: list[dict[str, Any]]) -> list[str]:
    """Which of these runs the node says it holds (its heartbeat may still name runs of an
    earlier test that just finished)."""
    ours = {run["id"] for run in among}
    for worker in cluster.live_workers():
        if worker["id"] == node:
            return [run_id for run_id in worker["runs"] if run_id in ours]
    return []


def test_a_killed_runner_node_loses_no_run(cluster: Cluster) -> None:
    urls = [url for _, url in cluster.web]
    learners = [Learner(urls[i % 2]) for i in range(8)]
    sleepy = "import time\ntime.sleep(1.5)\nprint('slept')"
    runs = [learner.run(sleepy, interpreter="3.13") for learner in learners]
    victim = cluster.workers[0]
    held = _until_held(cluster, "node-0", runs)
    victim.signal(signal.SIGKILL)
    victim.wait(10)
    started = time.monotonic()
    finals = {
        run["id"]: learner.wait(run["id"]) for learner, run in zip(learners, runs, strict=True)
    }
    took = time.monotonic() - started
    for run_id in held:
        final = finals[run_id]
        assert final["status"] == "passed" or (
            final["status"] == "error" and "Runner node lost" in (final["reason"] or "")
        ), final
    others = [f for run_id, f in finals.items() if run_id not in held]
    assert all(f["status"] == "passed" for f in others), others
    assert took < VISIBILITY * 2 + 20, took
    cluster.wait_for_workers(lambda ids: "node-0" not in ids)
    cluster.add_worker()  # the cluster back at two nodes for what follows


def test_a_runner_node_stopped_with_sigterm_finishes_what_it_holds(cluster: Cluster) -> None:
    urls = [url for _, url in cluster.web]
    learners = [Learner(urls[i % 2]) for i in range(6)]
    sleepy = "import time\ntime.sleep(1)\nprint('slept')"
    runs = [learner.run(sleepy, interpreter="3.13t") for learner in learners]
    node = cluster.workers[-1]
    name = f"node-{len(cluster.workers) - 1}"
    held = _until_held(cluster, name, runs)
    node.signal(signal.SIGTERM)
    assert node.wait(60) == 0, node.tail()
    finals = [learner.wait(run["id"]) for learner, run in zip(learners, runs, strict=True)]
    assert [f["status"] for f in finals] == ["passed"] * 6, finals
    ran_on = _nodes_of(cluster, held)
    assert set(ran_on.values()) == {name}, ran_on  # finished by the node that held them
    cluster.add_worker()


def test_with_redis_away_the_site_answers_503_and_recovers_by_itself(cluster: Cluster) -> None:
    (_, a), (_, b) = cluster.web[:2]
    learners = [Learner(a if i % 2 else b) for i in range(12)]
    # More runs than the nodes have slots: some run, some wait in the stream, while Redis goes.
    before = [
        learner.run("import time\ntime.sleep(1)\nprint('before')") for learner in learners[:8]
    ]
    viewer = learners[0]
    ws_url = a.replace("http", "ws", 1) + f"/ws/runs/{before[0]['id']}"
    cookie = "; ".join(f"{k}={v}" for k, v in viewer.client.cookies.items())
    with connect(ws_url, additional_headers={"Cookie": cookie}) as socket:
        socket.recv(timeout=10)  # hello
        cluster.redis.stop()
        try:
            with pytest.raises(ConnectionClosed):
                while True:
                    socket.recv(timeout=10)
            assert socket.close_code in (1013, 1000), socket.close_code  # or it had ended
            refused = learners[9].submit("print('while away')")
            assert refused.status_code == 503, refused.text
            assert "cannot be reached" in refused.json()["detail"]
            assert refused.headers["Retry-After"]
            assert learners[10].client.get("/").status_code == 200  # pages need no broker
            assert learners[10].client.get("/healthz").status_code == 200
            time.sleep(2)  # runs end while Redis is away: their entries cannot be acknowledged
        finally:
            cluster.redis.start()
    for learner, run in zip(learners, before, strict=False):
        assert learner.wait(run["id"])["status"] == "passed", cluster.logs()
    deadline = time.monotonic() + 30
    while True:  # the replicas and nodes reconnect on their own
        response = learners[11].submit("print('after')")
        if response.status_code == 202:
            break
        assert response.status_code == 503 and time.monotonic() < deadline, response.text
        time.sleep(0.5)
    assert learners[11].wait(response.json()["id"])["stdout"] == "after\n"
    client = redis.Redis.from_url(cluster.redis.url, decode_responses=True)
    deadline = time.monotonic() + VISIBILITY * 3 + 10
    while client.xlen(broker.QUEUE):  # entries left unacknowledged are taken back and dropped
        assert time.monotonic() < deadline, client.xrange(broker.QUEUE)
        time.sleep(0.2)
    client.close()


def test_a_viewer_resumes_with_no_gap_across_a_redis_restart(cluster: Cluster) -> None:
    """Redis goes away while a run is live and comes back before it ends: its node holds back
    the messages Redis could not take and publishes them when it is back, so that the viewer,
    closed meanwhile, resumes where it was with nothing missing."""
    (_, a), (_, b) = cluster.web[:2]
    learner = Learner(a)
    run = learner.run(CHATTY.replace("range(6)", "range(40)"), interpreter="3.13")
    received = learner.watch(a, run["id"], stop_after=1)
    last_id = [m for m in received if m["type"] == "trace"][-1]["id"]
    cluster.redis.stop()
    try:
        time.sleep(1.5)  # the program goes on, its messages held back by the node
    finally:
        cluster.redis.start()
    hellos = []
    deadline = time.monotonic() + 60
    while received[-1]["type"] != "status":  # a replica not yet reconnected closes with 1013
        assert time.monotonic() < deadline, [m["type"] for m in received]
        more = learner.watch(b, run["id"], after=last_id)
        hellos += [m for m in more if m["type"] == "hello"]
        received += [m for m in more if m["type"] != "hello"]
        last_id = next((m["id"] for m in reversed(received) if m["type"] == "trace"), last_id)
        if received[-1]["type"] != "status":
            time.sleep(0.2)
    assert not hellos[0]["run"]["final"]  # resumed while live: the rest came from its stream
    learner.use(b)
    traces = [m for m in received if m["type"] == "trace"]
    stored = learner.client.get(f"/api/runs/{run['id']}/samples").json()
    assert [row for m in traces for row in m["samples"]] == stored["samples"]
    assert [e for m in traces for e in m["events"]] == stored["events"]


def _until_held(cluster: Cluster, node: str, among: list[dict[str, Any]]) -> list[str]:
    """Wait until the node holds some of these runs; which."""
    deadline = time.monotonic() + 30
    while not (held := _held(cluster, node, among)):
        assert time.monotonic() < deadline, cluster.logs()
        time.sleep(0.1)
    return held


def _nodes_of(cluster: Cluster, run_ids: list[str]) -> dict[str, str]:
    """The node each run was finished by, as the database has it."""
    engine = create_engine(cluster.database)
    with engine.connect() as db:
        found = db.execute(
            text("SELECT id, worker FROM runs WHERE id = ANY(:ids)"), {"ids": run_ids}
        ).all()
    engine.dispose()
    return {run_id: worker for run_id, worker in found}


def _active_runs(cluster: Cluster, run_ids: list[str]) -> list[str]:
    engine = create_engine(cluster.database)
    with engine.connect() as db:
        found = db.execute(
            text("SELECT id FROM runs WHERE id = ANY(:ids) AND status IN ('queued', 'running')"),
            {"ids": run_ids},
        ).all()
    engine.dispose()
    return [row[0] for row in found]


def test_a_cancel_through_one_replica_stops_the_run_on_its_node(cluster: Cluster) -> None:
    (_, a), (_, b) = cluster.web[:2]
    learner = Learner(a)
    run = learner.run("import time\ntime.sleep(6)\nprint('not reached')")
    deadline = time.monotonic() + 30
    while learner.client.get(f"/api/runs/{run['id']}").json()["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    learner.use(b)
    cancelled = learner.client.post(
        f"/api/runs/{run['id']}/cancel", headers={"X-CSRF-Token": learner.csrf}
    ).json()
    assert cancelled["status"] == "cancelled"
    deadline = time.monotonic() + 3  # well before the program's own six seconds
    while any(run["id"] in w["runs"] for w in cluster.live_workers()):
        assert time.monotonic() < deadline, "the node still holds the cancelled run"
        time.sleep(0.1)


def test_a_node_stops_a_run_ended_while_its_cancel_went_astray(cluster: Cluster) -> None:
    """The run is ended in the database with no cancel message at all (as when one is sent
    while its node is cut off from Redis): the node finds it at a heartbeat and stops it."""
    learner = Learner(cluster.web[0][1])
    run = learner.run("import time\ntime.sleep(8)\nprint('not reached')")
    deadline = time.monotonic() + 30
    while not any(run["id"] in w["runs"] for w in cluster.live_workers()):
        assert time.monotonic() < deadline, cluster.logs()
        time.sleep(0.05)
    engine = create_engine(cluster.database)
    with engine.begin() as db:
        db.execute(
            text("UPDATE runs SET status = 'cancelled', reason = 'Ended by hand.' WHERE id = :id"),
            {"id": run["id"]},
        )
    engine.dispose()
    deadline = time.monotonic() + 3  # a few heartbeats, well before the program's 8 s
    while any(run["id"] in w["runs"] for w in cluster.live_workers()):
        assert time.monotonic() < deadline, "the node still holds the ended run"
        time.sleep(0.1)
    final = learner.wait(run["id"])
    assert (final["status"], final["reason"]) == ("cancelled", "Ended by hand."), final
    assert "not reached" not in (final["stdout"] or "")


def test_one_active_run_per_learner_holds_across_replicas(cluster: Cluster) -> None:
    (_, a), (_, b) = cluster.web[:2]
    learner = Learner(a)
    other = Learner(b)
    other.client.cookies = learner.client.cookies  # the same learner in a second tab
    other.csrf = learner.csrf
    sleepy = "import time\ntime.sleep(3)"
    submitted: list[str] = []
    for _ in range(4):
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda tab: tab.run(sleepy), (learner, other)))
        submitted += [answer["id"] for answer in answers]
        assert len(_active_runs(cluster, submitted)) == 1
    (last,) = _active_runs(cluster, submitted)
    assert learner.wait(last)["status"] == "passed"
    replaced = [learner.client.get(f"/api/runs/{r}").json() for r in submitted if r != last]
    assert {r["status"] for r in replaced} == {"cancelled"}
    assert {r["reason"] for r in replaced} == {"Replaced by a newer run."}


def test_the_queue_bound_holds_for_the_whole_cluster(tmp_path: Path) -> None:
    """Two web apps on one broker with no runner node: three runs fit, the fourth gets 429
    from either replica."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.runner_support import runner_settings

    with running_redis() as redis_server:
        apps = [
            create_app(
                runner_settings(
                    tmp_path / f"web{i}",
                    broker_url=redis_server.url,
                    queue_max=3,
                    database_url=f"sqlite:///{tmp_path / 'shared.db'}",
                )
            )
            for i in range(2)
        ]
        with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
            # No runner node announces an interpreter: the replicas refuse, saying so.
            refused = one.post(
                "/api/runs",
                json={"code": "print(1)", "interpreter": "3.13"},
                headers={"X-CSRF-Token": token(one)},
            )
            assert refused.status_code == 422 and "none are installed" in refused.text
            client = redis.Redis.from_url(redis_server.url, decode_responses=True)
            heartbeat = {
                "id": "node-x",
                "capacity": 2,
                "interpreters": [
                    {"id": "3.13", "version": "3.13.0", "free_threaded": False, "gil_enabled": True}
                ],
            }
            client.set(broker.worker_key("node-x"), json.dumps(heartbeat), ex=60)
            for app in apps:
                app.state.runner.live_workers = [heartbeat]
            answers = []
            for i in range(5):
                tab = (one, two)[i % 2]
                if i != 4:  # four learners; the last is the third again, whose run waits
                    tab.cookies.clear()
                answers.append(
                    tab.post(
                        "/api/runs",
                        json={"code": "print(1)", "interpreter": "3.13"},
                        headers={"X-CSRF-Token": token(tab)},
                    )
                )
            assert [r.status_code for r in answers] == [202, 202, 202, 429, 429]
            assert int(answers[3].headers["Retry-After"]) >= 1
            assert client.xlen(broker.QUEUE) == 3
            refused_run = answers[3]
            assert "Too many runs" in refused_run.json()["detail"]
            waiting = one.get(f"/api/runs/{answers[2].json()['id']}").json()
            assert waiting["status"] == "queued", waiting  # refused for room: not replaced
            client.close()


def test_an_administrator_sees_the_live_runner_nodes(cluster: Cluster) -> None:
    (_, a), (_, b) = cluster.web[:2]
    learner = Learner(a)
    response = learner.client.post(
        "/signup",
        data={"csrf_token": learner.csrf, "name": "ada", "password": "x" * 12, "confirm": "x" * 12},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert learner.client.get("/admin/workers").status_code == 403
    granted = subprocess.run(
        [*cluster.command, "admin", "ada"], env=cluster.base, capture_output=True, text=True
    )
    assert granted.returncode == 0, granted.stderr
    learner.use(b)
    page = learner.client.get("/admin/workers")
    assert page.status_code == 200
    alive = {w["id"] for w in cluster.live_workers()}
    assert len(alive) == 2
    for node in alive:
        assert f"<code>{node}</code>" in page.text
    assert re.search(r"\d+ runs? waiting for a slot \(the queue holds at most 400\)", page.text)
    assert "3.13t</code>" in page.text and "free-threaded" in page.text


def test_runs_a_stopping_node_cannot_finish_in_time_are_handed_back(cluster: Cluster) -> None:
    hasty = cluster.add_worker(THREADLINE_DRAIN_SECONDS="0.5")
    name = f"node-{len(cluster.workers) - 1}"
    urls = [url for _, url in cluster.web]
    learners = [Learner(urls[i % 2]) for i in range(8)]
    slow = "import time\ntime.sleep(3)\nprint('slept')"
    runs = [learner.run(slow, interpreter="3.13") for learner in learners]
    held = _until_held(cluster, name, runs)
    hasty.signal(signal.SIGTERM)
    assert hasty.wait(30) == 0, hasty.tail()
    finals = {
        run["id"]: learner.wait(run["id"]) for learner, run in zip(learners, runs, strict=True)
    }
    assert {f["status"] for f in finals.values()} == {"passed"}, finals
    ran_on = _nodes_of(cluster, held)
    assert name not in ran_on.values(), ran_on  # each finished on another node, from the start
    client = redis.Redis.from_url(cluster.redis.url, decode_responses=True)
    for run_id in held:
        kinds = [json.loads(f["m"])["type"] for _, f in client.xrange(broker.events_key(run_id))]
        assert "restart" in kinds and kinds[-1] == "status", kinds
    client.close()


def test_runs_redis_lost_are_found_in_the_database_and_run_again(cluster: Cluster) -> None:
    """Redis loses everything (as a crash between writes of its append-only file can lose the
    last of it): the runs that waited in the queue, and those of a node that dies after,
    are found in the database and run again; the runs on live nodes finish where they are."""
    fragile = cluster.add_worker()
    name = f"node-{len(cluster.workers) - 1}"
    urls = [url for _, url in cluster.web[:2]]
    learners = [Learner(urls[i % 2]) for i in range(12)]
    slow = "import time\ntime.sleep(2)\nprint('slept')"
    runs = [learner.run(slow, interpreter="3.13") for learner in learners]
    held = _until_held(cluster, name, runs)
    client = redis.Redis.from_url(cluster.redis.url, decode_responses=True)
    waiting = client.xlen(broker.QUEUE) - client.xpending(broker.QUEUE, broker.GROUP)["pending"]
    client.flushall()
    fragile.signal(signal.SIGKILL)
    fragile.wait(10)
    finals = {
        run["id"]: learner.wait(run["id"]) for learner, run in zip(learners, runs, strict=True)
    }
    assert {f["status"] for f in finals.values()} == {"passed"}, finals
    ran_on = _nodes_of(cluster, held)
    assert name not in ran_on.values(), ran_on  # each ran again, from the start, elsewhere
    requeued = [
        found.groups()
        for worker in cluster.workers
        for found in REQUEUED.finditer(worker.log.read_text(errors="replace"))
    ]
    ids = [run_id for run_id, _ in requeued]
    assert len(ids) == len(set(ids)), requeued  # by one node each
    assert set(held) <= set(ids), requeued
    waited = {run_id for run_id, status in requeued if status == "queued"} - set(held)
    assert 0 < len(waited) <= waiting, requeued  # and those that had waited in the queue
    deadline = time.monotonic() + 30
    while client.xlen(broker.QUEUE):  # and no entry is left over
        assert time.monotonic() < deadline, client.xrange(broker.QUEUE)
        time.sleep(0.2)
    client.close()


def test_a_web_replica_without_the_shared_secret_refuses_to_start(tmp_path: Path) -> None:
    from app.main import create_app
    from app.settings import Settings

    settings = Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:1/0", secret_key=None)
    with pytest.raises(RuntimeError, match="THREADLINE_SECRET_KEY"):
        create_app(settings)
