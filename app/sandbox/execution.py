"""Running one job in the sandbox: staging its files, starting the learner's interpreter
inside every isolation layer available, enforcing the limits, and reporting what happened.

Runs in a runner thread; blocking calls are fine here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import shlex
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import Any

from app import ROOT
from app.interpreters import Interpreter
from app.sandbox import bubblewrap
from app.sandbox.cgroups import Cgroups, ContainerLimits, RunGroup
from app.sandbox.limits import Limits
from app.trace.events import AGENT_DIR, EventReader
from app.trace.sampler import Sampler, descendants

log = logging.getLogger("threadline.sandbox")

HARNESS = ROOT / "app" / "harness" / "grade.py"
NOBODY = 65534
RESULTS_CAP = 4 * 1024 * 1024
SAMPLE_EVERY = 0.015  # seconds between samples of the run's threads
EVENTS = "events"  # the FIFO in the run's stage that the agent writes to
PUBLISH_EVERY = 0.05  # seconds between batches of samples for live viewers
Publish = Callable[[dict[str, Any]], None]
TRUNCATED = "\n[output truncated: the {limit} was reached]\n"


@dataclass(frozen=True)
class Job:
    mode: str  # "run": execute the code as a program; "grade": test it as solution.py
    code: str
    interpreter: Interpreter
    limits: Limits
    tests: Path | None = None  # the exercise's tests folder, for grading


@dataclass
class Outcome:
    status: str  # passed | failed | error | timeout | limit | cancelled
    reason: str | None = None
    limit_hit: str | None = None
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    results: dict[str, Any] | None = None
    duration_ms: float = 0.0
    peak_memory: int | None = None
    isolation: str = ""
    trace: dict[str, Any] | None = None  # CPU samples of every thread of the run


def _publish(publish: Publish, sampler: Sampler, events: EventReader) -> None:
    threads, samples = sampler.take()
    new_events = events.take()
    if threads or samples or new_events:
        try:
            publish({"type": "trace", "threads": threads, "samples": samples, "events": new_events})
        except Exception:  # a viewer's trouble never stops a run
            log.exception("publishing a run's samples failed")


def in_container() -> bool:
    """Whether this server runs in a container (Docker, Podman or another OCI runtime)."""
    markers = ("/.dockerenv", "/run/.containerenv")
    # `container` (lower case) is the variable that systemd's convention has runtimes set.
    return any(Path(p).exists() for p in markers) or "container" in os.environ


CONTAINER_FLAGS = (
    "start the container with `--security-opt systempaths=unconfined` and, under Docker, "
    "`--security-opt seccomp=deploy/seccomp.json` (README: Self-hosting with Docker)"
)


@dataclass
class Isolation:
    """Which layers this machine gives, found once at start and reported to admins.

    Complete means namespaces (bubblewrap) plus a memory and task limit on each run's tree:
    a cgroup per run, or, in a container that cannot delegate cgroups, the container's own
    limits, which then hold the server and its runs together.
    """

    bwrap: str | None
    cgroups: Cgroups | None
    container: ContainerLimits | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def detect(cls, mode: str = "auto") -> Isolation:
        problems = []
        bwrap_path = None
        contained = in_container()
        if mode in ("auto", "bubblewrap"):
            bwrap_path, why = bubblewrap.find()
            if why:
                problems.append(f"{why}; {CONTAINER_FLAGS}" if contained else why)
        else:
            problems.append("namespaces are off (THREADLINE_SANDBOX=rlimits)")
        cgroups, why = Cgroups.find()
        container = None
        if cgroups is None and contained:
            container = ContainerLimits.read()
            if not container.complete:
                problems.append(
                    f"runs have no cgroup of their own ({why}) and the container has no "
                    "memory or task limit: start it with `--memory 2g --pids-limit 512`"
                )
        elif why:
            problems.append(why)
        return cls(bwrap_path, cgroups, container, problems)

    @property
    def layers(self) -> list[str]:
        layers = []
        if self.bwrap:
            layers.append("bubblewrap (user, PID, network, IPC, UTS namespaces)")
        if self.cgroups:
            layers.append(self.cgroups.description)
        elif self.container and self.container.complete:
            layers.append(self.container.description)
        layers.append("rlimits")
        return layers

    @property
    def complete(self) -> bool:
        limited = self.cgroups is not None or bool(self.container and self.container.complete)
        return self.bwrap is not None and limited

    def summary(self) -> str:
        return " + ".join(self.layers)

    def refusal(self) -> str:
        """Why runs are refused while THREADLINE_REQUIRE_SANDBOX is on and layers are missing."""
        return (
            "This server runs no learner code until its sandbox is complete "
            f"(THREADLINE_REQUIRE_SANDBOX is on). Missing: {'; '.join(self.problems)}."
        )


class Sandbox:
    def __init__(self, isolation: Isolation, runs_dir: Path, drop_privileges: bool = True) -> None:
        self.isolation = isolation
        self.runs_dir = runs_dir
        # Without namespaces, a root server runs learner code as nobody. Only the benchmark of
        # the layers turns this off, to time rlimits and cgroups alone.
        self.drop_privileges = drop_privileges
        runs_dir.mkdir(parents=True, exist_ok=True)

    def run(self, job: Job, cancel: Event, publish: Publish | None = None) -> Outcome:
        """Run the job to its end. `publish`, when given, receives the run's new samples as
        they come, in batches a few tens of milliseconds apart, from this thread."""
        name = f"run-{uuid.uuid4().hex[:12]}"
        stage = self.runs_dir / name
        stage.mkdir(mode=0o755)
        group: RunGroup | None = None
        read_fd, write_fd = os.pipe()
        events: EventReader | None = None
        try:
            if self.isolation.cgroups is not None:
                group = self.isolation.cgroups.create(name, job.limits)
            events = EventReader(stage / EVENTS)
            argv = self._argv(job, stage, write_fd, group)
            started = time.monotonic()
            events.started_ms = started * 1000
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(write_fd,),
                start_new_session=True,
                cwd=stage,
                env=_clean_env(write_fd, stage),
            )
            os.close(write_fd)
            write_fd = -1
            outcome = self._watch(process, read_fd, events, job, cancel, group, started, publish)
            outcome.isolation = self.isolation.summary()
            return outcome
        finally:
            if write_fd >= 0:
                os.close(write_fd)
            os.close(read_fd)
            if events is not None:
                events.close()
            if group is not None:
                group.remove()
            shutil.rmtree(stage, ignore_errors=True)

    def _argv(self, job: Job, stage: Path, results_fd: int, group: RunGroup | None) -> list[str]:
        limits = job.limits
        # Unbuffered output (-u: it survives a kill), no .pyc files (-B), no user site (-s).
        # The environment is the sandbox's own, so PYTHONPATH can bring the tracing agent.
        python = [str(job.interpreter.python), "-u", "-B", "-s"]
        sandboxed = self.isolation.bwrap is not None
        work = Path(bubblewrap.WORK) if sandboxed else stage
        if job.mode == "grade":
            assert job.tests is not None
            (stage / "solution.py").write_text(job.code)
            grader = Path(bubblewrap.GRADER) if sandboxed else None
            test_timeout = max(1.0, min(10.0, limits.wall_seconds - 2))
            program = [
                *python,
                "-P",  # the grader's folder stays off sys.path
                str(grader / "grade.py" if grader else HARNESS),
                "--solution",
                str(work / "solution.py"),
                "--tests",
                str(grader / "tests" if grader else job.tests),
                "--results-fd",
                str(results_fd),
                "--test-timeout",
                f"{test_timeout:g}",
            ]
        else:
            (stage / "main.py").write_text(job.code)
            program = [*python, str(work / "main.py")]

        if self.isolation.bwrap:
            files = {f"{bubblewrap.WORK}/{p.name}": p for p in stage.iterdir()}
            if job.mode == "grade":
                assert job.tests is not None
                files[f"{bubblewrap.GRADER}/grade.py"] = HARNESS
                files[f"{bubblewrap.GRADER}/tests"] = job.tests
            files[bubblewrap.EVENTS] = stage / EVENTS
            command = bubblewrap.command(
                self.isolation.bwrap,
                program,
                read_only=job.interpreter.paths,
                files=files | {bubblewrap.AGENT: AGENT_DIR},
                env=_learner_env(results_fd, bubblewrap.AGENT, bubblewrap.EVENTS),
                limits=limits,
            )
        else:
            # Without namespaces the program sees the host: it runs as nobody, from the stage.
            stage.chmod(0o777)
            (stage / EVENTS).chmod(0o666)
            command = program
            if os.geteuid() == 0 and self.drop_privileges:
                command = [
                    "setpriv",
                    f"--reuid={NOBODY}",
                    f"--regid={NOBODY}",
                    "--clear-groups",
                    "--",
                    *command,
                ]

        rlimits = [
            "prlimit",
            f"--cpu={int(limits.cpu_seconds)}",
            f"--fsize={limits.file_size_bytes}",
            f"--nofile={limits.open_files}",
            "--core=0",
            "--",
        ]
        if group is None:
            # Without a cgroup of its own (rlimits alone, or a container that cannot delegate
            # cgroups), the brakes left are a limit on forks and threads (for a server that is
            # not root), and the out-of-memory killer, told to take the run's processes first,
            # before the server's, when the machine or the container runs out of memory.
            rlimits.insert(1, f"--nproc={limits.tasks}")
        command = [*rlimits, *command]
        if group is None:
            command = [
                "/bin/sh",
                "-c",
                'echo 1000 > /proc/self/oom_score_adj; exec "$@"',
                "sh",
                *command,
            ]
        if group is not None:
            joins = "; ".join(f"echo $$ > {shlex.quote(str(f))}" for f in group.procs_files)
            command = ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh", *command]
        return command

    def _watch(
        self,
        process: subprocess.Popen[bytes],
        results_fd: int,
        events: EventReader,
        job: Job,
        cancel: Event,
        group: RunGroup | None,
        started: float,
        publish: Publish | None,
    ) -> Outcome:
        limits = job.limits
        deadline = started + limits.wall_seconds
        streams: dict[int, bytearray] = {}
        assert process.stdout is not None and process.stderr is not None
        selector = selectors.DefaultSelector()
        for stream in (process.stdout.fileno(), process.stderr.fileno(), results_fd):
            os.set_blocking(stream, False)
            selector.register(stream, selectors.EVENT_READ)
            streams[stream] = bytearray()
        selector.register(events.fd, selectors.EVENT_READ)
        out, err = process.stdout.fileno(), process.stderr.fileno()
        stopped: tuple[str, str | None] | None = None  # (status, limit) decided by the runner
        exited_at: float | None = None
        sampler = Sampler(group.pids if group is not None else descendants(process.pid), started)
        sampled_at = published_at = 0.0
        open_streams = set(streams)
        while open_streams:
            now = time.monotonic()
            if cancel.is_set() and stopped is None:
                stopped = ("cancelled", None)
            elif now > deadline and stopped is None:
                stopped = ("timeout", "wall_seconds")
            if stopped is not None or (exited_at is not None and now > exited_at + 0.5):
                # Stopped, or the main program ended but something still holds its output
                # open: a daemon or orphan process. Nothing of the run outlives it.
                self._kill(process, group)
                if exited_at is None:
                    exited_at = now
                if now > exited_at + 2:
                    break
            if exited_at is None and process.poll() is not None:
                exited_at = now
            if exited_at is None and now - sampled_at >= SAMPLE_EVERY:
                sampler.sample()
                sampled_at = now
            if publish is not None and now - published_at >= PUBLISH_EVERY:
                _publish(publish, sampler, events)
                published_at = now
            for key, _ in selector.select(timeout=SAMPLE_EVERY):
                fd = key.fd
                if fd == events.fd:
                    events.read()
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    selector.unregister(fd)
                    open_streams.discard(fd)
                    continue
                buffer = streams[fd]
                if fd == results_fd:
                    if len(buffer) < RESULTS_CAP:
                        buffer.extend(chunk)
                    continue
                room = limits.output_bytes - len(streams[out]) - len(streams[err])
                buffer.extend(chunk[: max(room, 0)])
                if room < len(chunk) and stopped is None:
                    stopped = ("limit", "output_kib")
        selector.close()
        self._kill(process, group)
        exit_code = process.wait()
        events.read()
        if publish is not None:
            _publish(publish, sampler, events)
        duration = (time.monotonic() - started) * 1000
        stdout = streams[out].decode("utf-8", "replace")
        stderr = streams[err].decode("utf-8", "replace")
        outcome = Outcome(
            trace=sampler.document() | {"events": events.events, "dropped_events": events.dropped},
            status="error",
            exit_code=exit_code,
            duration_ms=round(duration, 1),
            peak_memory=group.peak_memory() if group else None,
        )
        if group is not None and (stopped is None or stopped[0] == "timeout"):
            # What a program ran into explains more than the time it then took: a fork bomb
            # that swallows its errors runs out the clock, but the task limit is its story.
            # A fork bomb usually fills memory too; the task limit is the one it hit first.
            if group.tasks_exceeded():
                stopped = ("limit", "tasks")
            elif group.memory_exceeded():
                stopped = ("limit", "memory_mib")
        if stopped is None and exit_code in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
            stopped = ("limit", "cpu_seconds")
        if (
            stopped is None
            and group is None
            and exit_code in (-signal.SIGKILL, 128 + signal.SIGKILL)
        ):
            # Nothing of the runner's sent it; without a cgroup of its own, the run's processes
            # are the out-of-memory killer's first choice.
            outcome.status, outcome.limit_hit = "limit", "memory"
            outcome.reason = (
                "The program was killed by SIGKILL: most likely the out-of-memory killer, "
                "when the memory this server may use ran out."
            )
            outcome.stdout, outcome.stderr = stdout, stderr
            return outcome
        if stopped is not None:
            status, limit = stopped
            outcome.status = status
            if limit is not None:
                outcome.limit_hit = limit.rsplit("_", 1)[0]
                outcome.reason = f"The {limits.describe(limit)} was reached; the run was stopped."
                if limit == "output_kib":
                    stdout += TRUNCATED.format(limit=limits.describe(limit))
            else:
                outcome.reason = "Cancelled."
        elif job.mode == "grade":
            self._read_results(outcome, bytes(streams[results_fd]), stderr)
        else:
            outcome.status = "passed" if exit_code == 0 else "failed"
            if exit_code != 0:
                outcome.reason = _exit_reason(exit_code)
        outcome.stdout, outcome.stderr = stdout, stderr
        return outcome

    @staticmethod
    def _read_results(outcome: Outcome, raw: bytes, stderr: str) -> None:
        try:
            document = json.loads(raw)
            status = document["status"]
        except (ValueError, KeyError, TypeError):
            tail = stderr.strip().splitlines()[-1:] or ["no output"]
            outcome.reason = f"The grader ended without results ({tail[0]})."
            return
        outcome.results = document
        outcome.status = {"pass": "passed", "fail": "failed"}.get(status, "error")
        if outcome.status != "passed":
            outcome.reason = document.get("message")

    @staticmethod
    def _kill(process: subprocess.Popen[bytes], group: RunGroup | None) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if group is not None:
            group.kill()


def _exit_reason(code: int) -> str:
    if code < 0 or code > 128:
        number = -code if code < 0 else code - 128
        try:
            return f"The program was killed by {signal.Signals(number).name}."
        except ValueError:
            return f"The program was killed by signal {number}."
    return f"The program exited with status {code}."


def _learner_env(results_fd: int, agent: str, events: str) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/work",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": agent,  # its sitecustomize.py traces every Python process of the run
        "THREADLINE_EVENTS": events,
        "THREADLINE_RESULTS_FD": str(results_fd),
    }


def _clean_env(results_fd: int, stage: Path) -> dict[str, str]:
    """The environment of the launcher: nothing of the server's, secrets least of all. Without
    namespaces it is also the program's, with the agent and the FIFO at their host paths."""
    env = _learner_env(results_fd, str(AGENT_DIR), str(stage / EVENTS))
    return env | {"HOME": "/nonexistent"}
