"""Pages for the site's administrators (learners granted it with `threadline admin NAME`):
the runner nodes, what each holds, and the runs waiting for them."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from app.learners import SessionHold
from app.runner.broker import BrokerDown
from app.runner.pool import Runner
from app.web.deps import get_hold
from app.web.templating import render

router = APIRouter()


def require_admin(hold: SessionHold = Depends(get_hold)) -> SessionHold:
    if not hold.learner.is_admin:
        raise HTTPException(
            status_code=403,
            detail="Only the site's administrators see this page (`threadline admin NAME`).",
        )
    return hold


@router.get("/admin/workers", name="admin_workers")
def workers_page(request: Request, hold: SessionHold = Depends(require_admin)) -> Response:
    runner: Runner = request.app.state.runner
    workers = runner.workers()
    now = time.time()
    for worker in workers:
        seen = worker.get("seen_at")
        worker["seen_ago"] = None if seen is None else max(0.0, now - float(seen))
    try:
        waiting: int | None = runner.waiting()
    except BrokerDown:
        waiting = None
    context = {
        "workers": workers,
        "waiting": waiting,
        "queue_max": runner.settings.queue_max,
        "cluster": bool(request.app.state.settings.broker_url),
        "capacity": sum(int(w.get("capacity") or 0) for w in workers),
        "in_flight": sum(int(w.get("in_flight") or 0) for w in workers),
    }
    return render(request, "admin_workers.html", context)
