"""The cluster's broker: Redis 7, reached through redis-py's asyncio client. One place for its
key names and for the few commands that both the web replicas and the runner nodes send.

- `threadline:runs`, a stream of queued run ids, read by the consumer group `runners`: a runner
  node takes entries with XREADGROUP, acknowledges and deletes each when the run is finished
  (XACK, XDEL), and takes back with XAUTOCLAIM the entries of a node that stopped announcing
  itself. So XLEN counts the runs queued or in flight, XPENDING those in flight.
- `threadline:run:<id>`, one stream per run of its live messages (`app.runner.live`), each
  entry `m` (the message as JSON) and `c` (the trace counts before the next one); capped with
  MAXLEN and kept a while after the run is final.
- `threadline:worker:<id>`, each runner node's heartbeat (JSON), expiring when it stops.
- `threadline:cancel:<worker id>`, the pub/sub channel on which a node hears of cancels.
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

QUEUE = "threadline:runs"
GROUP = "runners"
UNREACHABLE = "The run queue (Redis) cannot be reached just now; please try again shortly."


class BrokerDown(Exception):
    """Redis cannot be reached or answered with an error; the message is for the learner."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(UNREACHABLE)
        self.detail = detail


def events_key(run_id: str) -> str:
    return f"threadline:run:{run_id}"


def worker_key(worker_id: str) -> str:
    return f"threadline:worker:{worker_id}"


def swept_key(run_id: str) -> str:
    """Set by the node that queues a lost run again, so that the others leave it."""
    return f"threadline:swept:{run_id}"


def cancel_channel(worker_id: str) -> str:
    return f"threadline:cancel:{worker_id}"


# redis-py's annotations cover its synchronous and asyncio clients, bytes and str replies, in one
# set of unions; the client is used as Any here, and each reply's shape is the documented one.
Client = Any


def connect(url: str) -> Client:
    return aioredis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=10,
        health_check_interval=5,
        retry_on_timeout=False,
    )


async def ensure_group(client: Client) -> None:
    """The queue stream and its consumer group, made once (again after Redis lost them)."""
    try:
        await client.xgroup_create(QUEUE, GROUP, id="0", mkstream=True)
    except RedisError as e:
        if "BUSYGROUP" not in str(e):
            raise


# The runs waiting: in the queue stream, not yet delivered to a node.
WAITING = """
local waiting = redis.call('XLEN', KEYS[1])
local ok, pending = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[2])
if ok then waiting = waiting - pending[1] end
"""
# Queue a whole batch or none of it, atomically for all replicas: the runs waiting plus the
# batch must fit in the bound.
ENQUEUE = (
    WAITING
    + """
if waiting + #ARGV - 2 > tonumber(ARGV[1]) then return -1 - waiting end
for i = 3, #ARGV do redis.call('XADD', KEYS[1], '*', 'run', ARGV[i]) end
return waiting
"""
)


async def waiting(client: Client) -> int:
    """The runs in the queue not yet taken by a node."""
    found: int = await client.eval(WAITING + "return waiting", 1, QUEUE, 0, GROUP)
    return found


async def enqueue(client: Client, run_ids: list[str], bound: int) -> int:
    """Queue the runs; the number waiting before them, or -1 - that number if they did not
    fit (nothing was queued then)."""
    waiting: int = await client.eval(ENQUEUE, 1, QUEUE, bound, GROUP, *run_ids)
    return waiting


async def publish(
    client: Client, run_id: str, message: dict[str, Any], counts: str, cap: int
) -> str:
    """Append one live message to the run's stream; its entry id."""
    entry: str = await client.xadd(
        events_key(run_id),
        {"m": json.dumps(message, separators=(",", ":")), "c": counts},
        maxlen=cap,
        approximate=True,
    )
    return entry


async def finish_stream(
    client: Client, run_id: str, status: dict[str, Any], keep_seconds: int, cap: int
) -> None:
    """The run's last live message, its final status; the stream expires a while later."""
    await publish(client, run_id, {"type": "status", "run": status}, "", cap)
    await client.expire(events_key(run_id), keep_seconds)


async def workers(client: Client) -> list[dict[str, Any]]:
    """The heartbeats of the runner nodes alive now."""
    keys = [key async for key in client.scan_iter(match=worker_key("*"), count=100)]
    if not keys:
        return []
    found = [json.loads(value) for value in await client.mget(keys) if value]
    return sorted(found, key=lambda w: str(w.get("id")))
