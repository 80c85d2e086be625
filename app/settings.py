"""Every setting of the app, read from `THREADLINE_*` environment variables.

The README lists each one with its default; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app import ROOT
from app.sandbox.limits import Limits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THREADLINE_", extra="ignore")

    data_dir: Path = Field(
        default=ROOT / "data",
        description="Directory for the SQLite database, the generated secret key and run files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at DATA_DIR/threadline.db (WAL mode).",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs cookies and CSRF tokens; empty means one generated once "
        "and kept in DATA_DIR/secret_key.",
    )
    lessons_dir: Path = Field(default=ROOT / "lessons", description="Lesson sources.")
    exercises_dir: Path = Field(default=ROOT / "exercises", description="Exercise folders.")
    host: str = Field(default="127.0.0.1", description="Address `threadline serve` binds.")
    port: int = Field(default=8000, description="Port `threadline serve` listens on.")
    cookie_secure: bool = Field(
        default=False,
        description="Mark cookies Secure (set this when the site is served over HTTPS).",
    )
    session_days: int = Field(
        default=365, ge=1, description="Days a learner's session cookie stays valid."
    )
    max_body_kib: int = Field(
        default=1024, ge=1, description="Largest request body accepted, in KiB (413 above)."
    )
    cache_dir: Path = Field(
        default=Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "threadline",
        description="Where set-up keeps the learner interpreters and their environments.",
    )
    interpreters_file: Path | None = Field(
        default=None,
        description="The learner interpreter registry; empty means CACHE_DIR/interpreters.json.",
    )
    sandbox: Literal["auto", "bubblewrap", "rlimits"] = Field(
        default="auto",
        description="Isolation for learner code: the strongest available (auto), or insist on "
        "bubblewrap, or rlimits alone (for machines without namespaces).",
    )
    require_sandbox: bool = Field(
        default=False,
        description="Refuse learner runs (503, saying what is missing) unless every isolation "
        "layer is active: namespaces and a memory and task limit on each run. The image turns "
        "this on; off, runs fall back to what the machine gives, down to rlimits alone.",
    )
    runner_workers: int = Field(
        default=os.cpu_count() or 1, ge=1, description="Runs executed at once."
    )
    queue_max: int = Field(
        default=32, ge=1, description="Runs waiting at most; more are refused with 429."
    )
    broker_url: str | None = Field(
        default=None,
        description="Redis URL (redis://host:6379/0) of the run queue shared by several web "
        "replicas and runner nodes; empty means the embedded in-process runner.",
    )
    worker_id: str | None = Field(
        default=None,
        description="Name a runner node announces itself with; empty means host name and pid.",
    )
    heartbeat_seconds: float = Field(
        default=2, gt=0, description="How often a runner node announces itself to the broker."
    )
    visibility_seconds: float = Field(
        default=15,
        gt=0,
        description="A queued run held this long by a runner node that stopped announcing "
        "itself is taken back: retried once, then ended as lost.",
    )
    drain_seconds: float = Field(
        default=35,
        ge=0,
        description="After SIGTERM, how long a runner node lets its runs finish before it "
        "stops the rest and hands them back to the queue, to run again elsewhere.",
    )
    event_stream_max: int = Field(
        default=5000, ge=100, description="Live messages kept in each run's event stream."
    )
    event_stream_keep_seconds: int = Field(
        default=3600, ge=10, description="How long a finished run's event stream is kept."
    )
    max_code_kib: int = Field(default=64, ge=1, description="Largest code accepted, in KiB.")
    run_wall_seconds: float = Field(default=10, gt=0, description="Wall time of a plain run.")
    grade_wall_seconds: float = Field(default=30, gt=0, description="Wall time of a grading.")
    cpu_seconds: float = Field(default=20, gt=0, description="CPU time of each process of a run.")
    memory_mib: float = Field(default=512, gt=0, description="Memory of a run's whole tree.")
    tasks: int = Field(
        default=128, ge=8, description="Processes plus threads of a run's whole tree."
    )
    output_kib: float = Field(default=1024, gt=0, description="Output kept per run, in KiB.")
    file_size_mib: float = Field(default=16, gt=0, description="Largest file a run may write.")
    log_level: str = Field(default="info", description="Log level of the server.")

    @property
    def resolved_interpreters_file(self) -> Path:
        return self.interpreters_file or self.cache_dir / "interpreters.json"

    def limits(self, mode: str, overrides: dict[str, float] | None = None) -> Limits:
        """The limits of a run in this mode, with an exercise's own overrides applied."""
        base = Limits(
            wall_seconds=self.grade_wall_seconds if mode == "grade" else self.run_wall_seconds,
            cpu_seconds=self.cpu_seconds,
            memory_mib=self.memory_mib,
            tasks=self.tasks,
            output_kib=self.output_kib,
            file_size_mib=self.file_size_mib,
        )
        return base.with_overrides(overrides or {})

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'threadline.db'}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or one made on first start and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: two processes starting together agree on one
        # key, and nobody ever reads a half-written file.
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return path.read_text().strip()
