"""The learner interpreters: read from the registry that set-up writes, and probed at start
for what they really are (version, free-threaded or not, whether the GIL is on, packages).

Learner code only ever runs with these, never with the server's own interpreter.
"""

from __future__ import annotations

import json
import logging
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("threadline")

PACKAGES = ("numpy", "joblib", "dask")

# Runs inside each interpreter: standard library only.
PROBE = """
import importlib.metadata, json, sys, sysconfig
packages = {}
for name in sys.argv[1:]:
    try:
        packages[name] = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        pass
print(json.dumps({
    "version": sys.version.split()[0],
    "free_threaded": sysconfig.get_config_var("Py_GIL_DISABLED") == 1,
    "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
    "prefix": sys.prefix,
    "base_prefix": sys.base_prefix,
    "packages": packages,
}))
"""


@dataclass(frozen=True)
class Interpreter:
    id: str
    python: Path
    version: str
    free_threaded: bool
    gil_enabled: bool
    prefix: Path
    base_prefix: Path
    packages: dict[str, str] = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        """What a sandbox must show for this interpreter to run: its environment and base."""
        return [self.prefix, self.base_prefix]

    def public(self) -> dict[str, object]:
        return {
            "id": self.id,
            "version": self.version,
            "free_threaded": self.free_threaded,
            "gil_enabled": self.gil_enabled,
            "packages": self.packages,
        }


def probe(interpreter_id: str, python: Path) -> Interpreter:
    result = subprocess.run(
        [str(python), "-I", "-c", PROBE, *PACKAGES], capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr else "failed")
    facts = json.loads(result.stdout)
    return Interpreter(
        id=interpreter_id,
        python=python,
        version=facts["version"],
        free_threaded=facts["free_threaded"],
        gil_enabled=facts["gil_enabled"],
        prefix=Path(facts["prefix"]),
        base_prefix=Path(facts["base_prefix"]),
        packages=facts["packages"],
    )


def load(registry: Path) -> tuple[dict[str, Interpreter], list[str]]:
    """The usable interpreters by id, and a message for each one that is not usable."""
    problems: list[str] = []
    try:
        entries = json.loads(registry.read_text())["interpreters"]
    except FileNotFoundError:
        return {}, [f"no interpreter registry at {registry}: run scripts/setup.sh"]
    except (ValueError, KeyError, TypeError) as e:
        return {}, [f"the interpreter registry {registry} is unreadable: {e}"]
    found: dict[str, Interpreter] = {}
    for entry in entries:
        try:
            interpreter = probe(str(entry["id"]), Path(entry["python"]))
        except (OSError, RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
            problems.append(f"interpreter {entry.get('id')!r} at {entry.get('python')}: {e}")
            continue
        found[interpreter.id] = interpreter
    return found, problems
