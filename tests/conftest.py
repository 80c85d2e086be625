"""Fixtures: the app on a real database (SQLite, and PostgreSQL started for the run)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.interpreters import Interpreter
from app.interpreters import load as load_interpreters
from app.main import create_app
from app.sandbox.execution import Isolation, Sandbox
from app.settings import Settings
from tests.postgres_server import running_postgres

_databases = itertools.count()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test's report gains what its fixtures can say about the failure: a fixture
    value with a `failure_report()` method (the cluster's processes and Redis) adds a section."""
    report = yield
    if report.failed and call.when == "call":
        for name, value in getattr(item, "funcargs", {}).items():
            describe = getattr(value, "failure_report", None)
            if callable(describe):
                report.sections.append((f"what {name} logged", describe()))
    return report


@pytest.fixture(scope="session")
def interpreters() -> dict[str, Interpreter]:
    """The real learner interpreters that set-up provides."""
    from tests.runner_support import interpreters_file

    found, problems = load_interpreters(interpreters_file())
    assert not problems, problems
    return found


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    """The real sandbox, with every isolation layer this machine gives."""
    return Sandbox(Isolation.detect(), tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with running_postgres() as url:
        yield url


def fresh_postgres_database(server_url: str) -> str:
    name = f"threadline_test_{next(_databases)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database of each kind the app supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'threadline.db'}"
    server: str = request.getfixturevalue("postgres_server")
    return fresh_postgres_database(server)


def make_settings(tmp_path: Path, database_url: str | None = None) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, secret_key="test-secret-key"
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A browser-like client on the app with SQLite in a temporary data directory."""
    with TestClient(create_app(make_settings(tmp_path))) as test_client:
        yield test_client


@pytest.fixture
def any_client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    """The same, once on SQLite and once on PostgreSQL."""
    with TestClient(create_app(make_settings(tmp_path, database_url))) as test_client:
        yield test_client


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)
