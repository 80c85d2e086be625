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
from app.security import Signer
from app.settings import Settings
from app.web import accounts, errors, exercises, lessons, pages, progress
from app.web.body_limit import BodyLimitMiddleware
from app.web.cookies import SessionCookieMiddleware
from app.web.templating import make_templates

log = logging.getLogger("threadline")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url)
    course = load_course(settings.lessons_dir, settings.exercises_dir)
    for problem in course.problems:
        log.error("content problem (run `threadline check`): %s", problem)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade(engine)
        log.info(
            "Threadline ready: %d of %d lessons written, %d exercises, database %s",
            len(course.lessons),
            len(course.entries),
            len(course.exercises),
            engine.url.render_as_string(hide_password=True),
        )
        yield
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
    for module in (pages, lessons, exercises, progress, accounts):
        app.include_router(module.router)
    errors.install(app)
    return app
