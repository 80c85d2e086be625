"""The `threadline` command: serve the site, run a runner node, check the content, run code in
the sandbox, migrate the database."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.settings import Settings


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    settings = Settings()
    level = settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )
    return 0


def worker(args: argparse.Namespace) -> int:
    """A runner node: take runs from the broker and run them here, until SIGTERM."""
    import asyncio

    from app.content.course import load_course
    from app.db.engine import make_engine, make_sessionmaker
    from app.db.migrate import upgrade
    from app.main import find_learner_runtime
    from app.runner.pool import Context
    from app.runner.worker import Node
    from app.sandbox.execution import Sandbox

    settings = Settings()
    level = settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not settings.broker_url:
        print("threadline worker needs THREADLINE_BROKER_URL (redis://...)", file=sys.stderr)
        return 2
    if not settings.database_url:
        print("threadline worker needs THREADLINE_DATABASE_URL (PostgreSQL)", file=sys.stderr)
        return 2
    if args.capacity:
        settings.runner_workers = args.capacity
    interpreters, _, isolation = find_learner_runtime(settings)
    if settings.require_sandbox and not isolation.complete:
        print(f"refusing to run learner code: {isolation.refusal()}", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    upgrade(engine)
    course = load_course(settings.lessons_dir, settings.exercises_dir)
    sandbox = Sandbox(isolation, settings.data_dir / "runs")
    context = Context(settings, make_sessionmaker(engine), course, interpreters, sandbox)
    asyncio.run(Node(context, isolation).serve())
    engine.dispose()
    return 0


def check(args: argparse.Namespace) -> int:
    from app.content.course import load_course

    settings = Settings()
    lessons = Path(args.lessons) if args.lessons else settings.lessons_dir
    exercises = Path(args.exercises) if args.exercises else settings.exercises_dir
    course = load_course(lessons, exercises)
    for problem in course.problems:
        print(problem, file=sys.stderr)
    if course.problems:
        print(f"{len(course.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(
        f"content ok: {len(course.sections)} sections, {len(course.entries)} subsections, "
        f"{len(course.lessons)} lessons written, {len(course.exercises)} exercises"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    """Run or grade a file through the same sandbox the server uses, and print the outcome."""
    import threading

    from app.content.course import load_course
    from app.interpreters import load as load_interpreters
    from app.sandbox.execution import Isolation, Job, Sandbox

    settings = Settings()
    interpreters, problems = load_interpreters(settings.resolved_interpreters_file)
    if args.interpreter not in interpreters:
        known = ", ".join(sorted(interpreters)) or "none: run scripts/setup.sh"
        print(f"unknown interpreter {args.interpreter!r}; available: {known}", file=sys.stderr)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    try:
        code = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        print(f"cannot read {args.file}: {e}", file=sys.stderr)
        return 2
    tests, overrides = None, {}
    if args.grade:
        course = load_course(settings.lessons_dir, settings.exercises_dir)
        exercise = course.exercises.get(args.grade)
        if exercise is None:
            print(f"unknown exercise {args.grade!r}", file=sys.stderr)
            return 2
        tests, overrides = (exercise.path / "tests").resolve(), exercise.limits
    mode = "grade" if args.grade else "run"
    isolation = Isolation.detect(settings.sandbox)
    sandbox = Sandbox(isolation, settings.data_dir / "runs")
    job = Job(mode, code, interpreters[args.interpreter], settings.limits(mode, overrides), tests)
    outcome = sandbox.run(job, threading.Event())
    sys.stdout.write(outcome.stdout)
    sys.stderr.write(outcome.stderr)
    for test in (outcome.results or {}).get("tests", []):
        mark = "PASS" if test["status"] == "pass" else test["status"].upper()
        print(f"{mark:5} {test['name']} ({test['file']}, {test['duration_ms']:.0f} ms)")
        if test["status"] != "pass" and test["message"]:
            print("      " + test["message"].replace("\n", "\n      "))
    print(
        f"-- {outcome.status}"
        + (f": {outcome.reason}" if outcome.reason else "")
        + f" ({outcome.duration_ms:.0f} ms, Python {job.interpreter.version} "
        f"{'free-threaded' if job.interpreter.free_threaded else 'with the GIL'}; "
        f"{outcome.isolation})",
        file=sys.stderr,
    )
    return 0 if outcome.status == "passed" else 1


def migrate(args: argparse.Namespace) -> int:
    from app.db.engine import make_engine
    from app.db.migrate import upgrade

    engine = make_engine(Settings().resolved_database_url)
    upgrade(engine)
    print(f"database at the newest schema: {engine.url.render_as_string(hide_password=True)}")
    return 0


def admin(args: argparse.Namespace) -> int:
    """Make a signed-up learner an administrator of the site (or no longer, with --revoke)."""
    from sqlalchemy import select

    from app.db.engine import make_engine, make_sessionmaker
    from app.db.migrate import upgrade
    from app.db.models import Learner
    from app.learners import name_key

    engine = make_engine(Settings().resolved_database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as db:
        learner = db.scalars(select(Learner).where(Learner.name_key == name_key(args.name))).first()
        if learner is None:
            print(f"no learner has signed up as {args.name!r}", file=sys.stderr)
            return 1
        learner.is_admin = not args.revoke
        db.commit()
        print(f"{learner.name} is {'no longer ' if args.revoke else ''}an administrator")
    engine.dispose()
    return 0


def revision(args: argparse.Namespace) -> int:
    """Write a new migration from the difference between the models and a migrated database."""
    from app.db.engine import make_engine
    from app.db.migrate import make_revision, upgrade

    engine = make_engine(Settings().resolved_database_url)
    upgrade(engine)
    make_revision(engine, args.message)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="threadline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="run the web server")
    p.add_argument("--host", help="address to bind (default: THREADLINE_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: THREADLINE_PORT or 8000)")
    p.set_defaults(handler=serve)

    p = commands.add_parser("worker", help="run a runner node of a cluster (needs Redis)")
    p.add_argument("--capacity", type=int, help="runs at once (default: THREADLINE_RUNNER_WORKERS)")
    p.set_defaults(handler=worker)

    p = commands.add_parser("check", help="validate every lesson and exercise")
    p.add_argument("--lessons", help="lessons directory (default: THREADLINE_LESSONS_DIR)")
    p.add_argument("--exercises", help="exercises directory (default: THREADLINE_EXERCISES_DIR)")
    p.set_defaults(handler=check)

    p = commands.add_parser("run", help="run or grade a file in the sandbox")
    p.add_argument("file", help="the Python file to run")
    p.add_argument("--interpreter", default="3.13", help="learner interpreter id (3.13, 3.13t)")
    p.add_argument("--grade", metavar="EXERCISE", help="grade the file against this exercise")
    p.set_defaults(handler=run)

    p = commands.add_parser("migrate", help="bring the database to the newest schema")
    p.set_defaults(handler=migrate)

    p = commands.add_parser("admin", help="make a signed-up learner an administrator")
    p.add_argument("name", help="the learner's account name")
    p.add_argument("--revoke", action="store_true", help="take the role away instead")
    p.set_defaults(handler=admin)

    p = commands.add_parser("revision", help="write a migration for changed models (developers)")
    p.add_argument("message", help="what the migration changes")
    p.set_defaults(handler=revision)

    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
