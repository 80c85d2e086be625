"""The limits of one run: defaults from the settings, narrowed or widened per exercise."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

# What each limit is called when a run hits it, for the learner.
LABELS = {
    "wall_seconds": "wall time limit of {value:g} s",
    "cpu_seconds": "CPU time limit of {value:g} s per process",
    "memory_mib": "memory limit of {value:g} MiB",
    "tasks": "limit of {value:g} processes and threads",
    "output_kib": "output limit of {value:g} KiB",
    "file_size_mib": "file size limit of {value:g} MiB",
}


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10
    cpu_seconds: float = 20
    memory_mib: float = 512
    tasks: int = 128
    output_kib: float = 1024
    file_size_mib: float = 16
    open_files: int = 256

    def with_overrides(self, overrides: dict[str, Any]) -> Limits:
        known = {f.name for f in fields(self)}
        values = {k: v for k, v in overrides.items() if k in known}
        if "tasks" in values:
            values["tasks"] = int(values["tasks"])
        return replace(self, **values)

    def describe(self, name: str) -> str:
        return LABELS[name].format(value=getattr(self, name))

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_mib * 1024 * 1024)

    @property
    def output_bytes(self) -> int:
        return int(self.output_kib * 1024)

    @property
    def file_size_bytes(self) -> int:
        return int(self.file_size_mib * 1024 * 1024)
