"""Hostile learner code against the real sandbox (bubblewrap, cgroups, rlimits) through the
real API: each attack is contained, reported with the limit it hit, leaves nothing behind,
and the server keeps answering while it happens."""

from __future__ import annotations

import contextlib
import os
import socket
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.runner_support import run_code, runner_settings

MARKER = "987654"  # in the command line of processes a test expects to be gone


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    os.environ["THREADLINE_TEST_SECRET"] = "hunter2-in-the-server-environment"
    settings = runner_settings(tmp_path_factory.mktemp("sandbox"))
    with TestClient(create_app(settings)) as client:
        assert client.app.state.isolation.complete, client.app.state.isolation.problems  # type: ignore[attr-defined]
        yield client
    os.environ.pop("THREADLINE_TEST_SECRET")


def code(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


def host_processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_fork_bomb_hits_the_task_limit(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code("""
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """),
    )
    assert (run["status"], run["limit"]) == ("limit", "tasks")
    assert "limit of 64 processes and threads" in run["reason"]


def test_a_thread_bomb_hits_the_task_limit(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code("""
        import threading, time
        while True:
            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
    """),
    )
    assert (run["status"], run["limit"]) == ("limit", "tasks")


def test_a_memory_bomb_hits_the_memory_limit(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code("""
        hoard = []
        while True:
            hoard.append(bytearray(10 * 1024 * 1024))
    """),
    )
    assert (run["status"], run["limit"]) == ("limit", "memory")
    assert "memory limit of 256 MiB" in run["reason"]


def test_an_endless_loop_is_stopped_at_the_wall_time_limit(app_client: TestClient) -> None:
    run = run_code(app_client, "while True:\n    pass\n")
    assert (run["status"], run["limit"]) == ("timeout", "wall")
    assert "wall time limit of 4 s" in run["reason"]


def test_cpu_burn_in_many_threads_leaves_the_server_responsive(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code("""
        import threading
        def spin():
            while True:
                pass
        for _ in range(16):
            threading.Thread(target=spin).start()
    """),
    )
    assert run["status"] == "timeout"


def test_gigabytes_of_output_are_cut_at_the_output_limit(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code("""
        import sys
        while True:
            sys.stdout.write("x" * 65536)
    """),
    )
    assert (run["status"], run["limit"]) == ("limit", "output")
    assert run["stdout"].endswith("[output truncated: the output limit of 256 KiB was reached]\n")
    assert len(run["stdout"]) < 256 * 1024 + 200


def test_filling_the_disk_fills_only_the_runs_own_small_space(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code("""
        import os
        try:
            with open("big", "wb") as f:
                while True:
                    f.write(b"x" * 1024 * 1024)
        except OSError as e:
            print("work:", e)
        written = 0
        try:
            for i in range(1000):
                with open(f"/tmp/part{i}", "wb") as f:
                    f.write(b"x" * 8 * 1024 * 1024)
                written += 8
        except OSError as e:
            print("tmp:", e, "after", written, "MiB")
    """),
    )
    assert "work: [Errno 27] File too large" in run["stdout"]
    assert run["status"] == "limit" or "No space left on device" in run["stdout"], run
    data = app_client.app.state.settings.data_dir  # type: ignore[attr-defined]
    assert not list((data / "runs").iterdir()), "the run left files behind"


def test_no_network_not_even_the_hosts_loopback(app_client: TestClient) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.settimeout(0.5)
    connected = []

    def accept() -> None:
        with contextlib.suppress(TimeoutError):
            connected.append(server.accept())

    listener = threading.Thread(target=accept)
    listener.start()
    run = run_code(
        app_client,
        code(f"""
        import socket
        for address in [("127.0.0.1", {port}), ("1.1.1.1", 80), ("pypi.org", 443)]:
            try:
                socket.create_connection(address, timeout=2)
                print(address, "CONNECTED")
            except OSError as e:
                print(address, type(e).__name__)
    """),
    )
    listener.join()
    server.close()
    assert "CONNECTED" not in run["stdout"]
    assert "ConnectionRefusedError" in run["stdout"]  # its own empty loopback
    assert connected == []


def test_the_server_s_files_environment_and_other_runs_are_out_of_sight(
    app_client: TestClient,
) -> None:
    data = app_client.app.state.settings.data_dir  # type: ignore[attr-defined]
    assert app_client.app.state.settings.resolved_secret_key  # type: ignore[attr-defined]
    run = run_code(
        app_client,
        code(f"""
        import os
        for path in [{str(data / "threadline.db")!r}, {str(data / "secret_key")!r},
                     {str(data / "runs")!r}, {str(data)!r}, {str(Path.cwd())!r}]:
            try:
                if os.path.isdir(path):
                    print(path, "LISTED:", os.listdir(path))
                else:
                    print(path, "CONTENT:", open(path, "rb").read()[:40])
            except OSError as e:
                print(path, type(e).__name__)
        print(sorted(os.environ))
        print(open("/proc/self/environ", "rb").read())
    """),
    )
    assert run["status"] == "passed", run
    assert "hunter2" not in run["stdout"]
    assert "CONTENT:" not in run["stdout"]
    assert "LISTED:" not in run["stdout"]
    assert "THREADLINE_SECRET_KEY" not in run["stdout"] and "test-secret-key" not in run["stdout"]


def test_signals_cannot_reach_the_server(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code(f"""
        import os, signal
        for pid in [{os.getpid()}, {os.getppid()}, 1]:
            try:
                os.kill(pid, signal.SIGKILL)
                print(pid, "SENT")
            except OSError as e:
                print(pid, type(e).__name__)
        os.kill(-1, signal.SIGKILL)
    """),
    )
    assert f"{os.getpid()} SENT" not in run["stdout"]
    assert app_client.get("/healthz").status_code == 200


def test_nothing_outside_the_work_directory_is_writable(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code("""
        for path in ["/usr/evil", "/evil", "/etc/evil", "/work/ok", "/tmp/ok"]:
            try:
                open(path, "w").write("x")
                print(path, "WROTE")
            except OSError as e:
                print(path, type(e).__name__)
    """),
    )
    assert "/work/ok WROTE" in run["stdout"] and "/tmp/ok WROTE" in run["stdout"]
    for path in ("/usr/evil", "/evil", "/etc/evil"):
        assert f"{path} WROTE" not in run["stdout"]
        assert not Path(path).exists()


def test_orphans_and_daemons_do_not_outlive_the_run(app_client: TestClient) -> None:
    run = run_code(
        app_client,
        code(f"""
        import os, subprocess
        subprocess.Popen(["sleep", "{MARKER}"], start_new_session=True)
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv("/usr/bin/sleep", ["sleep", "{MARKER}.5"])
            os._exit(0)
        print("main program done")
    """),
    )
    assert run["status"] == "passed", run
    assert host_processes_with(MARKER) == []


def test_a_program_that_closes_or_floods_the_results_pipe_gets_an_error(
    app_client: TestClient,
) -> None:
    closing = "import os\nos.close(int(os.environ['THREADLINE_RESULTS_FD']))\n"
    flooding = "import os\nos.write(int(os.environ['THREADLINE_RESULTS_FD']), b'{' * 5_000_000)\n"
    for attack in (closing, flooding):
        run = run_code(app_client, attack, mode="grade", exercise="overlap-waits")
        assert run["status"] == "error", run
        assert "without results" in run["reason"] or run["reason"].startswith("solution.py")
    assert app_client.get("/healthz").status_code == 200


def test_a_process_pool_and_a_thread_pool_of_32_fit_in_the_limits(
    app_client: TestClient,
) -> None:
    for interpreter in app_client.app.state.runner.interpreter_list:  # type: ignore[attr-defined]
        run = run_code(
            app_client,
            code("""
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

            def square(n):
                return n * n

            if __name__ == "__main__":
                for method in ("fork", "spawn", "forkserver"):
                    with ProcessPoolExecutor(2, mp_context=mp.get_context(method)) as pool:
                        print(method, sum(pool.map(square, range(100))))
                with ThreadPoolExecutor(32) as pool:
                    print("threads", sum(pool.map(square, range(1000))))
        """),
            interpreter=interpreter,
        )
        assert run["status"] == "passed", run
        assert run["stdout"].splitlines() == [
            "fork 328350",
            "spawn 328350",
            "forkserver 328350",
            "threads 332833500",
        ]
