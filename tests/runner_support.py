"""Helpers for tests that run learner code: the real interpreters set-up provides, an app with
small limits, and waiting for a run while checking that the server keeps answering."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx2
import pytest

from app.settings import Settings
from tests.conftest import csrf_token


def interpreters_file() -> Path:
    path = Settings().resolved_interpreters_file
    if not path.exists():
        pytest.fail(f"no learner interpreters at {path}: run scripts/setup.sh first")
    return path


def runner_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "secret_key": "test-secret-key",
        "interpreters_file": interpreters_file(),
        "run_wall_seconds": 4,
        "grade_wall_seconds": 20,
        "memory_mib": 256,
        "tasks": 64,
        "output_kib": 256,
    }
    return Settings(**(values | overrides))


def token(client: httpx2.Client) -> str:
    return csrf_token(client.get("/login").text)


def submit(
    client: httpx2.Client, code: str, interpreter: str = "3.13", **fields: Any
) -> dict[str, Any]:
    response = client.post(
        "/api/runs",
        json={"code": code, "interpreter": interpreter} | fields,
        headers={"X-CSRF-Token": token(client)},
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def wait(client: httpx2.Client, run_id: str, timeout: float = 40) -> dict[str, Any]:
    """Poll until the run is final; meanwhile the server must answer /healthz promptly."""
    deadline = time.monotonic() + timeout
    slowest = 0.0
    while True:
        started = time.monotonic()
        assert client.get("/healthz").status_code == 200
        slowest = max(slowest, time.monotonic() - started)
        run: dict[str, Any] = client.get(f"/api/runs/{run_id}").json()
        if run["final"]:
            assert slowest < 1.0, f"/healthz took {slowest:.2f} s while the run went on"
            return run
        assert time.monotonic() < deadline, f"run still {run['status']} after {timeout} s"
        time.sleep(0.05)


def run_code(client: httpx2.Client, code: str, **fields: Any) -> dict[str, Any]:
    return wait(client, submit(client, code, **fields)["id"])


def assert_slices_nest(events: list[dict[str, Any]]) -> None:
    """Perfetto's rule: the complete slices of one thread are disjoint or nested."""
    by_thread: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for e in events:
        if e["ph"] == "X":
            by_thread[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"]))
    for spans in by_thread.values():
        open_ends: list[int] = []
        for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
            while open_ends and open_ends[-1] <= start:
                open_ends.pop()
            assert not open_ends or end <= open_ends[-1], f"{start}-{end} overlaps"
            open_ends.append(end)
