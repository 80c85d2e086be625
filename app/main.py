"""The app factory: settings in, a FastAPI app with its database, content and pages out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import ROOT
from app.content.course import load_course
from app.db.engine import make_engine, make_sessionmaker
from app.db.migrate import upgrade
from app.interpreters import Interpreter
from app.interpreters import load as load_interpreters
from app.runner.cluster import ClusterRunner
from app.runner.pool import RunPool
from app.runner.runs import recover as recover_runs
from app.sandbox.execution import Isolation, Sandbox
from app.security import Signer
from app.settings import Settings
from app.web import accounts, admin, errors, exercises, lessons, live, pages, progress, runs
from app.web.body_limit import BodyLimitMiddleware
from app.web.cookies import SessionCookieMiddleware
from app.web.templating import make_templates

log = logging.getLogger("threadline")


def find_learner_runtime(settings: Settings) -> tuple[dict[str, Interpreter], list[str], Isolation]:
    """The interpreters and the isolation layers of this machine, logged for its admin."""
    interpreters, problems = load_interpreters(settings.resolved_interpreters_file)
    for problem in problems:
        log.error("learner interpreter unusable: %s", problem)
    if not interpreters:
        log.error("NO LEARNER INTERPRETERS: code cannot be run until set-up provides them")
    for interpreter in interpreters.values():
        log.info(
            "learner interpreter %s: Python %s, free-threaded %s, GIL %s, packages %s",
            interpreter.id,
            interpreter.version,
            interpreter.free_threaded,
            "on" if interpreter.gil_enabled else "off",
            interpreter.packages or "none",
        )
    isolation = Isolation.detect(settings.sandbox)
    if settings.sandbox == "bubblewrap" and isolation.bwrap is None:
        raise RuntimeError("THREADLINE_SANDBOX=bubblewrap, but " + "; ".join(isolation.problems))
    if isolation.complete:
        log.info("sandbox: %s", isolation.summary())
    elif settings.require_sandbox:
        log.error("SANDBOX INCOMPLETE, LEARNER RUNS REFUSED: %s", isolation.refusal())
    else:
        log.warning(
            "SANDBOX WEAKENED: learner code runs with %s only; missing: %s",
            isolation.summary(),
            "; ".join(isolation.problems),
        )
    return interpreters, problems, isolation


def start_runner(app: FastAPI, settings: Settings) -> None:
    """Find the interpreters and the isolation layers, and start the embedded run pool."""
    interpreters, problems, isolation = find_learner_runtime(settings)
    sandbox = Sandbox(isolation, settings.data_dir / "runs")
    with app.state.sessions() as db:
        lost = recover_runs(db)
    if lost:
        log.warning("%d run(s) left unfinished by the last server were ended as errors", lost)
    pool = RunPool(settings, app.state.sessions, app.state.course, interpreters, sandbox)
    pool.start()
    app.state.interpreter_problems = problems
    app.state.isolation = isolation
    app.state.runner = pool


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    if settings.broker_url and not settings.secret_key:
        # A key made in this replica's data directory would not open the others' cookies.
        raise RuntimeError(
            "THREADLINE_BROKER_URL is set but THREADLINE_SECRET_KEY is not: every web replica "
            "of a cluster must sign cookies with the same key"
        )
    engine = make_engine(settings.resolved_database_url)
    course = load_course(settings.lessons_dir, settings.exercises_dir)
    for problem in course.problems:
        log.error("content problem (run `threadline check`): %s", problem)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade(engine)
        cluster = None
        if settings.broker_url:  # a web replica: runs go to the runner nodes through Redis
            cluster = ClusterRunner(settings, app.state.sessions)
            await cluster.start()
            app.state.interpreter_problems = []
            app.state.isolation = None  # each runner node enforces its own
            app.state.runner = cluster
        else:
            start_runner(app, settings)
        log.info(
            "Threadline ready: %d of %d lessons written, %d exercises, database %s",
            len(course.lessons),
            len(course.entries),
            len(course.exercises),
            engine.url.render_as_string(hide_password=True),
        )
        yield
        if cluster is not None:
            await cluster.stop()
        else:
            app.state.runner.stop()
        engine.dispose()

    app = FastAPI(
        title="Threadline",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    max_age = settings.session_days * 86400
    app.state.settings = settings
    app.state.course = course
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.signer = Signer(settings.resolved_secret_key, max_age)
    app.state.templates = make_templates()
    app.add_middleware(SessionCookieMiddleware, secure=settings.cookie_secure, max_age=max_age)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_kib * 1024)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    for module in (pages, lessons, exercises, progress, accounts, runs, live, admin):
        app.include_router(module.router)
    errors.install(app)
    return app
