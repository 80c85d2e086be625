"""Jinja2 set-up and the one helper every page handler renders through."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from starlette.responses import HTMLResponse

from app import ROOT
from app.content.markdown import highlight_code
from app.progress import STATE_LABELS
from app.web.deps import signer_of
from app.web.shortcuts import SHORTCUTS

STATIC = ROOT / "static"


@cache
def _static_version(path: str) -> str:
    try:
        return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "missing"


def static_url(path: str) -> str:
    """The URL of a file in static/, versioned by its content so browsers may cache it long."""
    return f"/static/{path}?v={_static_version(path)}"


RUN_LABELS = {
    "queued": "Queued",
    "running": "Running",
    "passed": "Passed",
    "failed": "Failed",
    "error": "Error",
    "timeout": "Timed out",
    "limit": "Limit reached",
    "cancelled": "Cancelled",
}
# A plain run has no tests to pass: it finished, or it ended with an exception or exit status.
PLAIN_RUN_LABELS = RUN_LABELS | {"passed": "Finished", "failed": "Ended with an error"}


def run_label(run: Any) -> str:
    return (PLAIN_RUN_LABELS if run.mode == "run" else RUN_LABELS)[run.status]


@pass_context
def path_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """A route's path, without scheme and host, so pages work behind any proxy."""
    request: Request = context["request"]
    return str(request.app.url_path_for(name, **params))


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(ROOT / "templates"))
    templates.env.globals.update(
        static_url=static_url,
        path_for=path_for,
        run_label=run_label,
        state_labels=STATE_LABELS,
        shortcuts=SHORTCUTS,
        shortcut_map={s.keys: s.selector for s in SHORTCUTS if s.selector},
    )
    templates.env.filters["highlight"] = highlight_code
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a page or partial with the learner and their CSRF token in its context."""
    hold = getattr(request.state, "hold", None)
    full: dict[str, Any] = {"learner": None, "csrf_token": ""}
    if hold is not None:
        full["learner"] = hold.learner
        full["csrf_token"] = signer_of(request).csrf_token(hold.token_hash)
    full.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, template, full, status_code=status)
    return response
