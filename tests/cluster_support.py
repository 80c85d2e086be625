"""Processes of a cluster on loopback (`threadline serve` replicas and `threadline worker`
runner nodes on one PostgreSQL and one Redis, and Caddy in front of replicas), and learners
talking to it: for the cluster tests and the cluster benchmark."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app import ROOT
from tests.redis_server import RedisServer, free_port
from tests.runner_support import interpreters_file, token

VISIBILITY = 4.0
NOTEWORTHY = re.compile(r"WARNING|ERROR|CRITICAL|Traceback|Error:")


class Process:
    """One `threadline` command of the cluster, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log = logs / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(self.argv, env=self.env, stdout=out, stderr=out)

    def signal(self, sig: int) -> None:
        assert self.popen is not None
        self.popen.send_signal(sig)

    def wait(self, timeout: float) -> int:
        assert self.popen is not None
        return self.popen.wait(timeout)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(40)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


class Cluster:
    def __init__(
        self,
        database: str,
        redis_server: RedisServer,
        top: Path,
        overrides: dict[str, str] | None = None,
    ) -> None:
        self.database, self.redis, self.top = database, redis_server, top
        self.processes: list[Process] = []
        self.web: list[tuple[Process, str]] = []
        self.workers: list[Process] = []
        self.base = (
            os.environ
            | {
                "THREADLINE_DATABASE_URL": database,
                "THREADLINE_BROKER_URL": redis_server.url,
                "THREADLINE_SECRET_KEY": "one-secret-for-every-replica",
                "THREADLINE_INTERPRETERS_FILE": str(interpreters_file()),
                "THREADLINE_QUEUE_MAX": "400",
                "THREADLINE_RUNNER_WORKERS": "2",
                "THREADLINE_RUN_WALL_SECONDS": "8",
                "THREADLINE_GRADE_WALL_SECONDS": "20",
                "THREADLINE_HEARTBEAT_SECONDS": "0.5",
                "THREADLINE_VISIBILITY_SECONDS": str(VISIBILITY),
                "THREADLINE_LOG_LEVEL": "info",
            }
            | (overrides or {})
        )
        self.command = [sys.executable, "-m", "app.cli"]

    def add_web(self, embedded_on: str | None = None) -> str:
        """A web replica; or a server with its own runner, embedded, on a database of its own
        (the cluster's nodes would take its runs, queued in their database but not in Redis,
        for runs Redis lost)."""
        n, port = len(self.web), free_port()
        env = self.base | {"THREADLINE_DATA_DIR": str(self.top / f"web{n}")}
        if embedded_on is not None:
            del env["THREADLINE_BROKER_URL"]
            env["THREADLINE_DATABASE_URL"] = embedded_on
        process = Process(f"web{n}", [*self.command, "serve", "--port", str(port)], env, self.top)
        process.start()
        url = f"http://127.0.0.1:{port}"
        self.web.append((process, url))
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx2.get(url + "/healthz", timeout=2).status_code == 200:
                    return url
            except httpx2.TransportError:
                time.sleep(0.2)
        raise AssertionError(f"web replica did not start:\n{process.tail()}")

    def add_web_pair_member(self) -> tuple[Process, str]:
        """A third replica, to be killed without leaving the cluster one short."""
        url = self.add_web()
        return self.web[-1][0], url

    def add_worker(self, **env_overrides: str) -> Process:
        n = len(self.workers)
        env = (
            self.base
            | {
                "THREADLINE_DATA_DIR": str(self.top / f"worker{n}"),
                "THREADLINE_WORKER_ID": f"node-{n}",
            }
            | env_overrides
        )
        process = Process(f"worker{n}", [*self.command, "worker"], env, self.top)
        process.start()
        self.workers.append(process)
        self.processes.append(process)
        self.wait_for_workers(lambda ids: f"node-{n}" in ids, process)
        return process

    def live_workers(self) -> list[dict[str, Any]]:
        url = self.web[0][1]
        workers: list[dict[str, Any]] = httpx2.get(url + "/api/interpreters").json()["workers"]
        return workers

    def wait_for_workers(
        self, ok: Any, process: Process | None = None, timeout: float = 60
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ok({w["id"] for w in self.live_workers()}):
                return
            time.sleep(0.2)
        raise AssertionError(f"runner nodes: {self.live_workers()}\n{process and process.tail()}")

    def stop(self) -> None:
        for process in self.processes:
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.tail()}" for p in self.processes)

    def failure_report(self) -> str:
        """For a failed test: each process's last warnings and errors, and Redis's last
        lines."""
        parts = []
        for process in self.processes:
            lines = process.log.read_text(errors="replace").splitlines()
            worrying = [line for line in lines if NOTEWORTHY.search(line)][-8:]
            parts.append(f"--- {process.name}\n" + "\n".join(worrying or ["(nothing)"]))
        redis_log = self.redis.directory / "redis.log"
        if redis_log.exists():
            lines = redis_log.read_text(errors="replace").splitlines()[-8:]
            parts.append("--- redis\n" + "\n".join(lines))
        return "\n".join(parts)


@contextmanager
def running_proxy(replicas: list[str], top: Path) -> Iterator[str]:
    """Caddy (Debian's package) on a loopback port with the cluster profile's Caddyfile, in
    front of these replicas (`host:port` each); its URL."""
    binary = shutil.which("caddy")
    if binary is None:
        raise RuntimeError(
            "Caddy is not installed: run `scripts/setup.sh test` (Debian package caddy)"
        )
    port = free_port()
    env = os.environ | {
        "THREADLINE_PROXY_ADDRESS": f":{port}",
        "THREADLINE_REPLICAS": " ".join(replicas),
        "THREADLINE_PROXY_ADMIN": f"127.0.0.1:{free_port()}",
        "XDG_CONFIG_HOME": str(top / "config"),
        "XDG_DATA_HOME": str(top / "data"),
    }
    caddyfile = ROOT / "deploy" / "Caddyfile"
    log = top / "caddy.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [binary, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx2.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Caddy did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(20)


class Learner:
    """One learner's browser: its own cookie, talking to the replica it is given."""

    def __init__(self, url: str) -> None:
        self.client = httpx2.Client(base_url=url, timeout=30)
        self.csrf = token(self.client)

    def use(self, url: str) -> None:
        self.client.base_url = httpx2.URL(url)

    def submit(self, code: str, interpreter: str = "3.13", **fields: Any) -> httpx2.Response:
        return self.client.post(
            "/api/runs",
            json={"code": code, "interpreter": interpreter} | fields,
            headers={"X-CSRF-Token": self.csrf},
        )

    def run(self, code: str, **fields: Any) -> dict[str, Any]:
        response = self.submit(code, **fields)
        assert response.status_code == 202, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait(self, run_id: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            run: dict[str, Any] = self.client.get(f"/api/runs/{run_id}").json()
            if run["final"]:
                return run
            assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
            time.sleep(0.1)

    def watch(
        self, url: str, run_id: str, after: str = "", stop_after: int | None = None
    ) -> list[Any]:
        """The messages of the run's WebSocket on a replica, to its end or the first
        `stop_after` trace messages."""
        ws_url = url.replace("http", "ws", 1) + f"/ws/runs/{run_id}"
        if after:
            ws_url += f"?after={after}"
        cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        messages: list[Any] = []
        with connect(ws_url, additional_headers={"Cookie": cookie}, open_timeout=10) as socket:
            try:
                while True:
                    message = json.loads(socket.recv(timeout=30))
                    messages.append(message)
                    traces = [m for m in messages if m["type"] == "trace"]
                    if stop_after is not None and len(traces) >= stop_after:
                        return messages
            except ConnectionClosed:
                return messages
