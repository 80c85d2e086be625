"""What the browser tests drive: the real server as a subprocess, and Debian's Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Playwright

REPOSITORY = Path(__file__).resolve().parent.parent
THREADLINE = Path(sys.executable).parent / "threadline"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def answers_health_check(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
            return response.status == 200 and json.load(response) == {"status": "ok"}
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return False


@contextmanager
def running_server(data_dir: Path) -> Iterator[str]:
    """`threadline serve` on a free port with its own data directory; yields the base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "THREADLINE_DATA_DIR": str(data_dir),
        "THREADLINE_SECRET_KEY": "browser-test-secret-key",
    }
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(THREADLINE), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPOSITORY,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not answers_health_check(base_url):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"threadline serve did not answer {base_url}/healthz "
                        f"(exit code {server.poll()}); its output:\n"
                        + log_path.read_text(errors="replace")
                    )
                time.sleep(0.05)
            yield base_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


class ConsoleErrors(list[str]):
    """Every console error and uncaught exception a page reports, as text."""

    def __init__(self, page: Page) -> None:
        super().__init__()
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.append(f"console: {message.text} ({message.location.get('url')})")

    def _on_page_error(self, error: Error) -> None:
        self.append(f"uncaught: {error.message}")
