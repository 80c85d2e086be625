"""The runs API and the runner around the sandbox: what it accepts and refuses, who sees what,
cancelling, replacing, a full queue, runs lost by a restart, and progress from a pass."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app import ROOT
from app.db.models import Learner, Run
from app.main import create_app
from tests.runner_support import run_code, runner_settings, submit, token, wait
from tests.test_accounts import sign_up

REFERENCE = (ROOT / "exercises/overlap-waits/reference.py").read_text()
STARTER = (ROOT / "exercises/overlap-waits/starter.py").read_text()
SLEEPER = "import time\ntime.sleep(60)\n"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(runner_settings(tmp_path))) as test_client:
        yield test_client


def post(client: TestClient, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post("/api/runs", json=body, headers={"X-CSRF-Token": token(client)})
    return response.status_code, response.json()


def test_interpreters_are_listed_with_build_gil_packages_and_isolation(
    client: TestClient,
) -> None:
    listing = client.get("/api/interpreters").json()
    ids = {i["id"]: i for i in listing["interpreters"]}
    assert "3.13" in ids
    assert ids["3.13"]["version"].startswith("3.13.")
    assert ids["3.13"]["free_threaded"] is False and ids["3.13"]["gil_enabled"] is True
    if "3.13t" in ids:
        assert ids["3.13t"]["free_threaded"] is True and ids["3.13t"]["gil_enabled"] is False
    assert listing["isolation"]["complete"] is True
    assert listing["isolation"]["layers"][-1] == "rlimits"


def test_a_plain_run_reports_output_exit_code_timings_and_gil(client: TestClient) -> None:
    run = run_code(
        client, "import sys\nprint('hi')\nprint('oops', file=sys.stderr)\nraise SystemExit(3)\n"
    )
    assert (run["status"], run["exit_code"]) == ("failed", 3)
    assert run["stdout"] == "hi\n" and run["stderr"] == "oops\n"
    assert run["reason"] == "The program exited with status 3."
    assert run["gil_enabled"] is True
    assert run["timings"]["queued_ms"] is not None and run["timings"]["program_ms"] > 0


def test_grading_reports_each_test_in_file_order_and_a_pass_counts_as_progress(
    client: TestClient,
) -> None:
    failed = run_code(client, STARTER, mode="grade", exercise="overlap-waits")
    assert failed["status"] == "failed"
    assert [t["visible"] for t in failed["tests"]] == sorted(
        (t["visible"] for t in failed["tests"]), reverse=True
    )
    assert any(t["status"] == "fail" and t["message"] for t in failed["tests"])
    passed = run_code(client, REFERENCE, mode="grade", exercise="overlap-waits")
    assert passed["status"] == "passed", passed
    assert {t["status"] for t in passed["tests"]} == {"pass"}
    assert all(t["duration_ms"] >= 0 for t in passed["tests"])
    progress = client.get("/progress").text
    assert "<dt>Exercises passed</dt><dd>1 <span>" in progress
    # The code last submitted is what the exercise page shows next time.
    assert (
        "ThreadPoolExecutor" in client.get("/exercises/overlap-waits").text
        or REFERENCE.splitlines()[0] in client.get("/exercises/overlap-waits").text
    )


def test_bad_submissions_are_refused_with_a_precise_message(client: TestClient) -> None:
    cases = [
        ({"code": "x" * (64 * 1024 + 1), "interpreter": "3.13"}, 413, "the limit is 64 KiB"),
        ({"code": "pass", "interpreter": "2.7"}, 422, "unknown interpreter '2.7'"),
        (
            {"code": "pass", "interpreter": "3.13", "mode": "grade", "exercise": "nope"},
            404,
            "unknown exercise 'nope'",
        ),
        (
            {"code": "pass", "interpreter": "3.13", "mode": "grade"},
            422,
            "grading needs an exercise",
        ),
        ({"code": "pass\x00", "interpreter": "3.13"}, 422, "NUL character"),
    ]
    for body, status, message in cases:
        code, answer = post(client, body)
        assert code == status, (body, answer)
        assert message in str(answer["detail"])
    # A lone surrogate, escaped in valid JSON, is not text the learner could have written.
    response = client.post(
        "/api/runs",
        content=b'{"code": "\\ud800", "interpreter": "3.13"}',
        headers={"X-CSRF-Token": token(client), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "not valid UTF-8" in response.json()["detail"]
    response = client.post(
        "/api/runs",
        content=b'{"code": "\xff\xfe", "interpreter": "3.13"}',
        headers={"X-CSRF-Token": token(client), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert "send JSON encoded as UTF-8" in response.json()["detail"]
    assert client.get("/healthz").status_code == 200


def test_a_run_needs_the_csrf_token(client: TestClient) -> None:
    response = client.post("/api/runs", json={"code": "pass", "interpreter": "3.13"})
    assert response.status_code == 403


def test_a_learner_sees_only_their_own_runs(client: TestClient) -> None:
    run = run_code(client, "print('mine')\n")
    stranger = TestClient(client.app)
    assert stranger.get(f"/api/runs/{run['id']}").status_code == 404
    assert stranger.get(f"/runs/{run['id']}/result").status_code == 404
    assert (
        stranger.post(
            f"/api/runs/{run['id']}/cancel", headers={"X-CSRF-Token": token(stranger)}
        ).status_code
        == 404
    )
    assert client.get(f"/api/runs/{run['id']}").json()["stdout"] == "mine\n"


def test_cancelling_a_run_stops_it_at_once(client: TestClient) -> None:
    run = submit(client, SLEEPER)
    cancelled = client.post(
        f"/api/runs/{run['id']}/cancel", headers={"X-CSRF-Token": token(client)}
    ).json()
    assert cancelled["status"] == "cancelled"
    assert wait(client, run["id"], timeout=5)["status"] == "cancelled"


def test_a_new_run_replaces_the_learners_unfinished_one(client: TestClient) -> None:
    first = submit(client, SLEEPER)
    second = run_code(client, "print('second')\n")
    assert second["status"] == "passed"
    old = client.get(f"/api/runs/{first['id']}").json()
    assert old["status"] == "cancelled" and old["reason"] == "Replaced by a newer run."


@dataclass
class Busy:
    first: TestClient
    second: TestClient
    running: dict[str, Any]
    queued: dict[str, Any]


@contextmanager
def one_running_one_waiting(tmp_path: Path, queue_max: int) -> Iterator[Busy]:
    """A server with one run slot, a learner's run in it and another learner's run waiting;
    both cancelled at the end."""
    settings = runner_settings(tmp_path, runner_workers=1, queue_max=queue_max)
    with TestClient(create_app(settings)) as first:
        second = TestClient(first.app)
        busy = Busy(first, second, submit(first, SLEEPER), submit(second, SLEEPER))
        try:
            yield busy
        finally:
            for client, run in ((first, busy.running), (second, busy.queued)):
                client.post(
                    f"/api/runs/{run['id']}/cancel", headers={"X-CSRF-Token": token(client)}
                )


def test_a_full_queue_answers_429_with_retry_after(tmp_path: Path) -> None:
    with one_running_one_waiting(tmp_path, queue_max=1) as busy:
        second, queued = busy.second, busy.queued
        third = TestClient(busy.first.app)
        code, answer = post(third, {"code": "pass", "interpreter": "3.13"})
        assert code == 429
        assert "Too many runs are waiting" in str(answer["detail"])
        response = third.post(
            "/api/runs",
            json={"code": "pass", "interpreter": "3.13"},
            headers={"X-CSRF-Token": token(third)},
        )
        assert int(response.headers["retry-after"]) >= 1
        # A learner refused for room keeps the run that waits; it is not replaced.
        code, answer = post(second, {"code": "pass", "interpreter": "3.13"})
        assert code == 429, answer
        assert second.get(f"/api/runs/{queued['id']}").json()["status"] == "queued"


def test_the_administrators_page_shows_the_slots_in_use_and_the_runs_waiting(
    tmp_path: Path,
) -> None:
    with one_running_one_waiting(tmp_path, queue_max=4) as busy:
        first, running = busy.first, busy.running
        admin = TestClient(first.app)
        sign_up(admin, "grace")
        assert admin.get("/admin/workers").status_code == 403
        with first.app.state.sessions() as db:  # type: ignore[attr-defined]
            db.execute(update(Learner).where(Learner.name == "grace").values(is_admin=True))
            db.commit()
        deadline = time.monotonic() + 30
        while first.get(f"/api/runs/{running['id']}").json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        page = admin.get("/admin/workers")
        assert page.status_code == 200
        assert "the embedded runner): 1 of 1 run slots in use" in page.text
        assert "1 run waiting for a slot (the queue holds at most 4)" in page.text


def test_runs_left_unfinished_by_a_crash_are_ended_at_start(tmp_path: Path) -> None:
    settings = runner_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        client.get("/")
        with client.app.state.sessions() as db:  # type: ignore[attr-defined]
            learner = db.query(Learner).first()
            db.add(
                Run(
                    id="lost-run",
                    learner_id=learner.id,
                    mode="run",
                    interpreter="3.13",
                    code="pass",
                    status="running",
                )
            )
            db.commit()
    # The first server has stopped; the row above is what a crash would have left.
    with TestClient(create_app(settings)) as client, client.app.state.sessions() as db:  # type: ignore[attr-defined]
        lost = db.get(Run, "lost-run")
        assert lost.status == "error"
        assert "stopped before this run finished" in lost.reason


def test_a_deadlocked_test_is_reported_with_each_threads_stack(client: TestClient) -> None:
    deadlock = (
        "import threading\n"
        "a, b = threading.Lock(), threading.Lock()\n"
        "def fetch_all(ids, fetch):\n"
        "    def one():\n"
        "        with b:\n"
        "            with a:\n"
        "                pass\n"
        "    with a:\n"
        "        t = threading.Thread(target=one, name='other-worker')\n"
        "        t.start()\n"
        "        t.join()\n"
    )
    run = run_code(client, deadlock, mode="grade", exercise="overlap-waits")
    assert run["status"] == "error", run
    hung = [t for t in run["tests"] if t["status"] == "error"]
    assert hung and "did not finish within" in hung[0]["message"]
    assert "other-worker" in hung[0]["message"] and "with a:" in hung[0]["message"]


def test_the_exercise_page_runs_and_grades_through_htmx(client: TestClient) -> None:
    page = client.get("/exercises/overlap-waits").text
    assert 'name="action" value="grade"' in page
    response = client.post(
        "/exercises/overlap-waits/runs",
        data={"code": REFERENCE, "interpreter": "3.13", "action": "grade"},
        headers={"HX-Request": "true", "X-CSRF-Token": token(client)},
    )
    assert response.status_code == 200
    assert 'hx-trigger="load delay:250ms"' in response.text  # it polls until final
    run_id = response.text.split('data-run-id="')[1].split('"')[0]
    assert wait(client, run_id)["status"] == "passed"
    final = client.get(f"/runs/{run_id}/result").text
    assert "Passed" in final and "hx-trigger" not in final


def test_the_command_line_runs_and_grades_through_the_same_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli import main

    monkeypatch.setenv("THREADLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(
        "THREADLINE_INTERPRETERS_FILE", str(runner_settings(tmp_path).interpreters_file)
    )
    program = tmp_path / "hello.py"
    program.write_text("import sys\nprint('hello from', sys.version_info[:2])\n")
    assert main(["run", str(program), "--interpreter", "3.13"]) == 0
    out, err = capsys.readouterr()
    assert out == "hello from (3, 13)\n"
    assert "-- passed" in err and "bubblewrap" in err
    starter = ROOT / "exercises/overlap-waits/starter.py"
    assert main(["run", str(starter), "--grade", "overlap-waits"]) == 1
    out, err = capsys.readouterr()
    assert "FAIL  test_five_fetches_overlap" in out
    assert "-- failed: 6 of 8 tests passed" in err
    assert main(["run", str(program), "--interpreter", "9.9"]) == 2
    assert "unknown interpreter '9.9'" in capsys.readouterr().err


def test_stopping_the_server_ends_running_and_queued_runs_with_a_reason(tmp_path: Path) -> None:
    settings = runner_settings(tmp_path, runner_workers=1, queue_max=10)
    with TestClient(create_app(settings)) as first:
        learners = [first, TestClient(first.app), TestClient(first.app)]
        ids = [submit(client, SLEEPER)["id"] for client in learners]
        sessions = first.app.state.sessions  # type: ignore[attr-defined]
        started = time.monotonic()
    # Leaving the block shuts the app down: one run was running, two were queued.
    assert time.monotonic() - started < 4  # no worker waited out a queued run
    with sessions() as db:
        for run_id in ids:
            run = db.get(Run, run_id)
            assert run.status == "error", (run.status, run.reason)
            assert run.reason == "The server is shutting down; please run it again."


def test_an_incomplete_sandbox_refuses_runs_when_required_and_says_what_is_missing(
    tmp_path: Path,
) -> None:
    settings = runner_settings(tmp_path, sandbox="rlimits", require_sandbox=True)
    with TestClient(create_app(settings)) as client:
        listing = client.get("/api/interpreters").json()["isolation"]
        assert listing["complete"] is False and listing["required"] is True
        assert any("THREADLINE_SANDBOX=rlimits" in m for m in listing["missing"])
        status, body = post(client, {"code": "print(1)", "interpreter": "3.13"})
        assert status == 503
        assert "THREADLINE_REQUIRE_SANDBOX" in str(body["detail"])
        assert "THREADLINE_SANDBOX=rlimits" in str(body["detail"])
        page = client.get("/exercises/overlap-waits").text
        assert "runs no learner code until its sandbox is complete" in page
        assert client.get("/healthz").status_code == 200
