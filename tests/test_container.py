"""The self-hosting image, built and run here with podman: the sandbox stays on inside it with
the documented flags, hostile code is contained, data survives a new container, and without
the flags the image says what is missing and refuses runs.

The build's figures (time, size above the base) and the start-to-healthy and stop times are
written to test-artifacts/container.json. THREADLINE_TEST_IMAGE=NAME tests an image already
built instead of building one.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from app import ROOT
from tests.runner_support import run_code, submit, token, wait
from tests.test_accounts import log_in, sign_up

pytestmark = pytest.mark.container

SCRIPT = ROOT / "scripts" / "container.sh"
TAG = os.environ.get("THREADLINE_TEST_IMAGE") or "localhost/threadline:test"
REPORT = ROOT / "test-artifacts" / "container.json"
HARDENED = [
    "--security-opt",
    "systempaths=unconfined",
    "--security-opt",
    f"seccomp={ROOT / 'deploy' / 'seccomp.json'}",
]
RESOURCES = ["--memory", "2g", "--pids-limit", "512"]


def lines(*args: str) -> list[str]:
    return subprocess.run(
        [str(SCRIPT), *args], check=True, capture_output=True, text=True
    ).stdout.split()


@dataclass
class Engine:
    command: list[str]
    limits: list[str]
    figures: dict[str, Any] = field(default_factory=dict)

    def __call__(self, *args: str, check: bool = True) -> str:
        # From a directory of its own: podman's conmon writes a file `oom` into its working
        # directory when the memory bomb's run is killed.
        done = subprocess.run(
            [*self.command, *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tempfile.gettempdir(),
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(args[:2])} failed: {done.stderr[-2000:]}")
        return done.stdout.strip()

    def record(self, **figures: Any) -> None:
        self.figures.update(figures)
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(json.dumps(self.figures, indent=2) + "\n")


@pytest.fixture(scope="module")
def engine() -> Engine:
    if shutil.which("podman") is None and shutil.which("docker") is None:
        pytest.fail("neither podman nor docker is installed: run scripts/setup.sh test")
    engine = Engine(lines("engine"), lines("limits"))
    if os.environ.get("THREADLINE_TEST_IMAGE"):
        return engine
    built = subprocess.run(
        [str(SCRIPT), "build", TAG], capture_output=True, text=True, timeout=3600
    )
    assert built.returncode == 0, built.stderr[-4000:]
    figures = json.loads(built.stdout.strip().splitlines()[-1])
    engine.record(
        build_seconds=figures["build_seconds"],
        image_mb=round(figures["image_bytes"] / 1e6),
        above_base_mb=round((figures["image_bytes"] - figures["base_bytes"]) / 1e6),
    )
    return engine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Container:
    engine: Engine
    name: str
    port: int
    started: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx2.Client:
        return httpx2.Client(base_url=self.url, timeout=30)

    def wait_healthy(self, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - self.started
            except httpx2.HTTPError:
                pass
            if self.engine("inspect", "--format", "{{.State.Running}}", self.name) != "true":
                break
            time.sleep(0.2)
        logs = self.engine("logs", self.name, check=False)
        raise AssertionError(f"{self.name} never answered /healthz; its log:\n{logs[-3000:]}")

    def logs(self) -> str:
        done = subprocess.run(
            [*self.engine.command, "logs", self.name], capture_output=True, text=True
        )
        return done.stdout + done.stderr

    def remove(self) -> None:
        self.engine("rm", "--force", "--time", "5", self.name, check=False)


@pytest.fixture(scope="module")
def volume(engine: Engine) -> Iterator[str]:
    name = f"threadline-test-{uuid.uuid4().hex[:8]}"
    engine("volume", "create", name)
    yield name
    engine("volume", "rm", "--force", name, check=False)


def start(engine: Engine, volume: str, *flags: str) -> Container:
    name = f"threadline-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    started = time.monotonic()
    engine(
        "run", "--detach", "--name", name, *engine.limits, *flags,
        "-p", f"127.0.0.1:{port}:8000", "-v", f"{volume}:/data", TAG,
    )  # fmt: skip
    container = Container(engine, name, port, started)
    try:
        container.wait_healthy()
    except Exception:
        container.remove()
        raise
    return container


@pytest.fixture(scope="module")
def hardened(engine: Engine, volume: str) -> Iterator[Container]:
    container = start(engine, volume, *HARDENED, *RESOURCES)
    engine.record(start_to_healthy_seconds=round(time.monotonic() - container.started, 1))
    yield container
    container.remove()


def test_the_image_runs_code_on_both_interpreters_with_every_layer_on(
    hardened: Container,
) -> None:
    with hardened.client() as client:
        listing = client.get("/api/interpreters").json()
        isolation = listing["isolation"]
        assert isolation["complete"] is True, isolation
        assert isolation["missing"] == []
        assert any(layer.startswith("bubblewrap") for layer in isolation["layers"])
        assert any("container's cgroup" in layer for layer in isolation["layers"]), isolation
        interpreters = {i["id"]: i for i in listing["interpreters"]}
        assert set(interpreters) == {"3.13", "3.13t"}
        assert "numpy" in interpreters["3.13"]["packages"]
        assert "numpy" in interpreters["3.13t"]["packages"]
        code = "import sys, numpy\nprint(sys.version_info[:2], sys._is_gil_enabled())\n"
        standard = run_code(client, code, interpreter="3.13")
        assert standard["status"] == "passed", standard
        assert standard["stdout"] == "(3, 13) True\n" and standard["gil_enabled"] is True
        free = run_code(client, code, interpreter="3.13t")
        assert free["status"] == "passed", free
        assert free["stdout"] == "(3, 13) False\n" and free["gil_enabled"] is False
        assert "bubblewrap" in free["isolation"]
        samples = client.get(f"/api/runs/{free['id']}/samples")
        assert samples.status_code == 200 and samples.json()["threads"], samples.text


def test_learner_code_reaches_no_network_and_bombs_are_contained(hardened: Container) -> None:
    gateway = hardened.engine("inspect", "--format", "{{.NetworkSettings.Gateway}}", hardened.name)
    targets = [("1.1.1.1", 80), (gateway or "10.88.0.1", hardened.port), ("127.0.0.1", 8000)]
    probe = (
        "import socket\n"
        f"for host, port in {targets!r}:\n"
        "    try:\n"
        "        socket.create_connection((host, port), timeout=2).close()\n"
        "        print('REACHED', host, port)\n"
        "    except OSError as e:\n"
        "        print('blocked', host, port, type(e).__name__)\n"
    )
    stop = threading.Event()
    slowest: list[float] = []

    def watch_health() -> None:
        with hardened.client() as watcher:
            while not stop.is_set():
                began = time.monotonic()
                assert watcher.get("/healthz").status_code == 200
                slowest.append(time.monotonic() - began)
                time.sleep(0.1)

    watcher = threading.Thread(target=watch_health)
    watcher.start()
    try:
        with hardened.client() as client:
            network = run_code(client, probe, interpreter="3.13")
            assert network["status"] == "passed", network
            assert "REACHED" not in network["stdout"], network["stdout"]
            assert network["stdout"].count("blocked") == len(targets)
            # Runs get no cgroup of their own in a container: the task rlimit stops the bomb.
            fork_bomb = run_code(client, "import os\nwhile True:\n    os.fork()\n")
            assert fork_bomb["status"] in ("failed", "timeout"), fork_bomb
            assert "Resource temporarily unavailable" in fork_bomb["stderr"], fork_bomb
            # ... and the container's memory limit, with the run the out-of-memory killer's
            # first choice, stops a memory bomb.
            memory_bomb = run_code(client, "x = []\nwhile True:\n    x.append(bytearray(10**7))\n")
            assert (memory_bomb["status"], memory_bomb["limit"]) == ("limit", "memory"), (
                memory_bomb["reason"],
                memory_bomb["stderr"][-800:],
            )
            after = run_code(client, "print('still here')\n", interpreter="3.13t")
            assert after["status"] == "passed" and after["stdout"] == "still here\n"
    finally:
        stop.set()
        watcher.join()
    assert slowest and max(slowest) < 2.0, f"/healthz took up to {max(slowest):.2f} s"


def test_a_graded_pass_survives_a_new_container_on_the_same_volume(
    engine: Engine, volume: str, hardened: Container
) -> None:
    reference = (ROOT / "exercises/overlap-waits/reference.py").read_text()
    with hardened.client() as client:
        sign_up(client, "ada")
        run = submit(client, reference, "3.13t", mode="grade", exercise="overlap-waits")
        graded = wait(client, run["id"])
        assert graded["status"] == "passed", graded
        assert passed_count(client) == "1"
    began = time.monotonic()
    engine("stop", "--time", "20", hardened.name)
    engine.record(stop_seconds=round(time.monotonic() - began, 1))
    assert "Application shutdown complete" in hardened.logs()
    hardened.remove()
    again = start(engine, volume, *HARDENED, *RESOURCES)
    try:
        with again.client() as client:
            assert passed_count(client) == "0"  # a new browser: a new anonymous learner
            assert log_in(client, "ada") == 303
            assert passed_count(client) == "1"
    finally:
        again.remove()


def passed_count(client: httpx2.Client) -> str:
    page = client.get("/progress").text
    marker = "<dt>Exercises passed</dt><dd>"
    return page[page.index(marker) + len(marker) :].split(" ", 1)[0]


def test_without_the_flags_the_image_says_what_is_missing_and_refuses_runs(
    engine: Engine,
) -> None:
    name = f"threadline-test-{uuid.uuid4().hex[:8]}"
    engine("volume", "create", name)
    container = start(engine, name)
    try:
        with container.client() as client:
            isolation = client.get("/api/interpreters").json()["isolation"]
            assert isolation["complete"] is False and isolation["required"] is True
            missing = " ".join(isolation["missing"])
            assert "systempaths=unconfined" in missing, missing
            status = client.post(
                "/api/runs",
                json={"code": "print(1)", "interpreter": "3.13"},
                headers={"X-CSRF-Token": token(client)},
            )
            assert status.status_code == 503, status.text
            assert "systempaths=unconfined" in status.json()["detail"]
            page = client.get("/exercises/overlap-waits").text
            assert "runs no learner code until its sandbox is complete" in page
        assert "LEARNER RUNS REFUSED" in container.logs()
    finally:
        container.remove()
        engine("volume", "rm", "--force", name, check=False)
