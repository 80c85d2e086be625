#!/usr/bin/env python3
"""Provisions the interpreters learner code runs under — CPython 3.13 and free-threaded 3.13t —
each with a venv holding NumPy (plus joblib and dask where they install), and writes
<cache>/interpreters.json for the app. Standard library only; a second run changes nothing.

For a container image (the Dockerfile's build stage) two options finish the job:
  --slim                       drops what learner code never needs from the interpreters built
                               here (CPython's own test suite, static libraries, debug symbols)
                               and pip and NumPy's tests from the environments
  --runtime-packages FILE      writes the Debian packages whose shared libraries the
                               interpreters and environments load, for the image's last stage
"""

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

SERIES = "3.13"
DEFAULT_VERSION = "3.13.5"
# SHA-256 of python.org's Python-<version>.tar.xz. 3.13.5's is that of Debian trixie's
# python3.13_3.13.5.orig.tar.xz (apt checked it against the signed Release file); that tarball's
# upstream signature (.orig.tar.xz.asc) verifies with gpg against the release manager's key
# 7169605F62C751356D054A26A821E680E5FA6305 (Thomas Wouters) from debian/upstream/signing-key.asc,
# and the same hash is the PYTHON_SHA256 of the official python:3.13.5 Docker images.
KNOWN_SHA256 = {"3.13.5": "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"}
REQUIRED_PACKAGES = {"numpy": "numpy>=2.1"}  # 2.1 is the first NumPy with cp313t wheels
# Wheels only for NumPy: its newest releases have none for 3.13t, and pip would spend minutes
# compiling one; with this it takes the newest release that has a wheel for the interpreter.
PIP_INSTALL = ["install", "-q", "--no-input", "--prefer-binary", "--only-binary=numpy"]
OPTIONAL_PACKAGES = {"joblib": "joblib", "dask": "dask"}
# fmt: off
BUILD_PACKAGES = ["build-essential", "pkg-config", "libssl-dev", "zlib1g-dev", "libffi-dev",
                  "libbz2-dev", "liblzma-dev", "libsqlite3-dev", "libncurses-dev",
                  "libreadline-dev", "uuid-dev", "libgdbm-dev"]
DEBIAN_SUITES = {"bullseye", "bookworm", "trixie", "forky", "sid", "stable", "testing", "unstable"}
# fmt: on
FALLBACK_MIRROR = "http://deb.debian.org/debian"
COMPLETE_MARKER = ".threadline-complete"  # written into a built prefix once `make install` ends
PROBE = """import json, platform, sys, sysconfig
try:
    import ssl, venv, ensurepip; ensurepip.version(); problem = None
except Exception as e:
    problem = f"lacks what venv and pip need: {type(e).__name__}: {e}"
print(json.dumps({"version": platform.python_version(), "executable": sys.executable,
    "gil_disabled": sysconfig.get_config_var("Py_GIL_DISABLED") or 0, "problem": problem}))
"""
READ_PACKAGES = """import importlib, json
def version(name):
    try: return str(importlib.import_module(name).__version__)
    except Exception: return None
print(json.dumps({name: v for name in %r if (v := version(name))}))
"""


class ProvisionError(Exception):
    """Ends the run with a message the user can act on."""


@dataclass(frozen=True)
class Target:
    id: str  # the id in interpreters.json and the env's folder name
    free_threaded: bool
    env_var: str  # names an interpreter to use
    binary: str

    @property
    def kind(self) -> str:
        return f"{'free-threaded' if self.free_threaded else 'standard'} CPython {SERIES}"


@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str


TARGETS = [
    Target("3.13", False, "THREADLINE_PYTHON_3_13", "python3.13"),
    Target("3.13t", True, "THREADLINE_PYTHON_3_13T", "python3.13t"),
]


BOLD, PLAIN = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")  # as setup.sh's say


def say(message: str) -> None:
    print(f"{BOLD}==> {message}{PLAIN}", flush=True)


@contextmanager
def timed(message: str) -> Iterator[None]:
    """One line for a step: what it does, then how long it took (or that it failed)."""
    print(f"{BOLD}==> {message}{PLAIN} ... ", end="", flush=True)
    start = time.monotonic()
    try:
        yield
    except BaseException:
        print(f"failed after {time.monotonic() - start:.1f} s", flush=True)
        raise
    print(f"{time.monotonic() - start:.1f} s", flush=True)


def capture(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, **options)


def last_lines(text: str, count: int = 25) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-count:])


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])


def cache_root() -> Path:
    if explicit := os.environ.get("THREADLINE_CACHE_DIR"):
        return Path(explicit).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser().absolute() / "threadline"


def hold_lock(cache: Path) -> IO[str]:
    lock = (cache / ".provision.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"waiting for another provisioning run to finish (lock: {lock.name})")
        fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def probe(python: Path, target: Target) -> Interpreter | str:
    """The interpreter at `python` if it suits `target`, else why it does not."""
    try:
        run = capture([str(python), "-I", "-c", PROBE], timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"does not run ({e})"
    if run.returncode != 0:
        lines = (run.stderr.strip() or run.stdout.strip() or "no output").splitlines()
        return (
            f"exits with {run.returncode}: {lines[-1 if lines[0].startswith('Traceback') else 0]}"
        )
    found = json.loads(run.stdout.strip().splitlines()[-1])
    if not found["version"].startswith(SERIES + "."):
        return f"is Python {found['version']}, not {SERIES}.x"
    if bool(int(found["gil_disabled"])) != target.free_threaded:
        return f"is {'free-threaded' if found['gil_disabled'] else 'a standard build'}"
    if found["problem"]:
        return str(found["problem"])
    return Interpreter(str(Path(found["executable"]).absolute()), found["version"])


def candidates(target: Target, cache: Path, wanted: str) -> Iterator[tuple[str, Path]]:
    """Where an existing interpreter may be, best first, as (where, path)."""
    if explicit := os.environ.get(target.env_var):
        yield target.env_var, Path(explicit).expanduser()
        return
    suffix = "t" if target.free_threaded else ""
    built = [p for p in (cache / "pythons").glob(f"{SERIES}.*") if (p / COMPLETE_MARKER).exists()]
    built.sort(key=lambda p: (p.name == wanted + suffix, version_key(p.name)), reverse=True)
    for prefix in built:
        if prefix.name.endswith("t") == target.free_threaded:
            yield "built in the cache", prefix / "bin" / target.binary
    if on_path := shutil.which(target.binary):
        yield f"{target.binary} on PATH", Path(on_path)
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    for prefix in sorted(pyenv.glob(f"{SERIES}*"), key=lambda p: version_key(p.name), reverse=True):
        if prefix.name.endswith("t") == target.free_threaded:
            yield "pyenv", prefix / "bin" / target.binary
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    uv = Path(os.environ.get("UV_PYTHON_INSTALL_DIR") or data_home / "uv" / "python")
    for prefix in sorted(uv.glob(f"cpython-{SERIES}*"), key=lambda p: p.name, reverse=True):
        if ("+freethreaded" in prefix.name) == target.free_threaded:
            yield "uv", prefix / "bin" / target.binary


def find_interpreter(target: Target, cache: Path, wanted: str) -> Interpreter | None:
    for where, path in candidates(target, cache, wanted):
        found = probe(path, target)
        if isinstance(found, str) and where == target.env_var:
            raise ProvisionError(f"{target.env_var}={path} {found}; it must name a {target.kind}")
        if isinstance(found, str):
            say(f"{target.id}: skipping {path} ({where}): {found}")
            continue
        say(f"{target.id}: using {found.path} ({found.version}, {where})")
        return found
    say(f"{target.id}: no usable {target.kind} found; it will be built from source")
    return None


def download_from_python_org(version: str, directory: Path) -> Path:
    url = f"https://www.python.org/ftp/python/{version}/Python-{version}.tar.xz"
    expected = os.environ.get("THREADLINE_PYTHON_SHA256") or KNOWN_SHA256.get(version)
    tarball, digest = directory / f"Python-{version}.tar.xz", hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=10) as response, tarball.open("wb") as out:
            if expected is None:
                raise ProvisionError(
                    f"{url} is there, but its SHA-256 is not known here: set "
                    "THREADLINE_PYTHON_SHA256 to the one python.org lists"
                )
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except OSError as e:  # no network, DNS, refused, timed out, HTTP 404...
        raise ProvisionError(f"{url}: {getattr(e, 'reason', e)}") from None
    if digest.hexdigest() != expected:
        raise ProvisionError(f"{url}: SHA-256 {digest.hexdigest()}, expected {expected}")
    return tarball


def debian_mirror() -> tuple[str, str | None]:
    """The Debian archive this machine's apt uses, as (URI, keyring path or None)."""
    entries: list[tuple[str, list[str], str | None]] = []
    etc = Path("/etc/apt")
    for path in [etc / "sources.list", *sorted((etc / "sources.list.d").glob("*.list"))]:
        for line in path.read_text().splitlines() if path.is_file() else []:
            m = re.match(r"deb(?:-src)?\s+(\[[^]]*\]\s+)?(\S+)\s+(\S+)", line.split("#")[0].strip())
            if m:
                signed_by = re.search(r"signed-by=([^\s\]]+)", m[1] or "")
                entries.append((m[2], [m[3]], signed_by[1] if signed_by else None))
    for path in sorted((etc / "sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", path.read_text()):
            fields = {
                key.strip().lower(): value.strip()
                for key, _, value in (line.partition(":") for line in stanza.splitlines())
                if key and not key[0].isspace() and not key.startswith("#")
            }
            if fields.get("enabled", "yes").lower() != "no":
                for uri in fields.get("uris", "").split():
                    entries.append((uri, fields.get("suites", "").split(), fields.get("signed-by")))
    for uri, suites, keyring in entries:
        # the main archive: not security, not a third party's repository with its own suites
        main = any(s.split("-")[0] in DEBIAN_SUITES and "security" not in s for s in suites)
        if main and uri.startswith(("http://", "https://")) and "security" not in uri:
            return uri.rstrip("/"), keyring if keyring and keyring.startswith("/") else None
    return FALLBACK_MIRROR, None


def run_apt(command: list[str], cwd: Path) -> str:
    run = capture(command, cwd=cwd)
    if run.returncode != 0:
        shown = " ".join(c for c in command if not c.startswith("-oDir"))
        raise ProvisionError(f"`{shown}` failed:\n{last_lines(run.stderr or run.stdout, 8)}")
    return run.stdout


def download_from_debian(wanted: str, exact: bool, directory: Path) -> tuple[Path, str]:
    """Python's upstream tarball from Debian trixie's python3.13 source package, through a
    throwaway apt configuration so that the machine's own apt state stays as it was."""
    if not shutil.which("apt-get"):
        raise ProvisionError("apt-get not found (not a Debian system)")
    mirror, keyring = debian_mirror()
    for name in ("debian-archive-keyring.pgp", "debian-archive-keyring.gpg"):
        if keyring is None and Path("/usr/share/keyrings", name).exists():
            keyring = f"/usr/share/keyrings/{name}"
    apt_dir = Path(tempfile.mkdtemp(prefix="threadline-apt-"))
    try:
        for sub in ("lists/partial", "cache/archives/partial", "sources.list.d", "download"):
            (apt_dir / sub).mkdir(parents=True)
        signed = f"[signed-by={keyring}] " if keyring else ""
        (apt_dir / "sources.list").write_text(f"deb-src {signed}{mirror} trixie main\n")
        options = [
            f"-oDir::Etc::sourcelist={apt_dir}/sources.list",
            f"-oDir::Etc::sourceparts={apt_dir}/sources.list.d",
            f"-oDir::State::Lists={apt_dir}/lists",
            f"-oDir::Cache={apt_dir}/cache",
        ]
        with timed(f"reading trixie's source index from {mirror}"):
            run_apt(["apt-get", *options, "-q", "update"], apt_dir)
            index = run_apt(["apt-cache", *options, "showsrc", "python3.13"], apt_dir)
        versions = sorted(re.findall(r"^Version: (\S+)", index, re.M), key=version_key)
        if not versions:
            raise ProvisionError(f"{mirror} trixie has no python3.13 source package")
        debian_version = versions[-1]
        upstream = re.sub(r"^\d+:", "", debian_version).split("-")[0].split("+")[0]
        if upstream != wanted and exact:
            raise ProvisionError(
                f"trixie has Python {upstream} ({debian_version}), not the requested {wanted}"
            )
        if upstream != wanted:
            say(f"trixie has Python {upstream}, not {wanted}: building {upstream} instead")
        download, package = apt_dir / "download", f"python3.13={debian_version}"
        with timed(f"downloading the python3.13 {debian_version} source package"):
            run_apt(["apt-get", *options, "-q", "source", "--download-only", package], download)
        orig = download / f"python3.13_{upstream}.orig.tar.xz"
        if not orig.exists():
            raise ProvisionError(f"the source package has no {orig.name}")
        expected = KNOWN_SHA256.get(upstream)
        if expected and hashlib.sha256(orig.read_bytes()).hexdigest() != expected:
            raise ProvisionError(f"{orig.name} does not have Python {upstream}'s SHA-256")
        return Path(shutil.move(orig, directory / f"Python-{upstream}.tar.xz")), upstream
    finally:
        shutil.rmtree(apt_dir, ignore_errors=True)


def obtain_source(wanted: str, exact: bool, directory: Path) -> tuple[Path, str]:
    """Python-<version>.tar.xz from python.org, else from Debian trixie, as (path, version)."""
    tried = []
    try:
        with timed(f"downloading Python-{wanted}.tar.xz from python.org"):
            return download_from_python_org(wanted, directory), wanted
    except ProvisionError as e:
        say(f"python.org: {e}")
        tried.append(f"python.org: {e}")
    try:
        return download_from_debian(wanted, exact, directory)
    except ProvisionError as e:
        say(f"Debian trixie: {e}")
        tried.append(f"Debian trixie's python3.13 source package: {e}")
    raise ProvisionError(
        f"could not get the source of Python {wanted}. Tried:\n  - " + "\n  - ".join(tried)
    )


def ensure_build_dependencies() -> None:
    if not shutil.which("dpkg-query"):
        say("not a Debian system: assuming Python's build dependencies are installed")
        return
    query = capture(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *BUILD_PACKAGES])
    present = {line.split()[0] for line in query.stdout.splitlines() if line.endswith(" installed")}
    if not (missing := [p for p in BUILD_PACKAGES if p not in present]):
        return
    if os.geteuid() != 0 and not shutil.which("sudo"):
        raise ProvisionError(f"building Python needs {' '.join(missing)}: install them as root")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["install", "-y", "--no-install-recommends", *missing]
    for label, step in [("update", ["update"]), (f"install {' '.join(missing)}", install)]:
        with timed(f"apt-get {label}"):
            run = capture([*sudo, "apt-get", "-qq", *step], env=env)
        if run.returncode != 0:
            raise ProvisionError(f"apt-get {label} failed:\n{last_lines(run.stderr or run.stdout)}")


def build_python(tarball: Path, version: str, target: Target, cache: Path) -> Path:
    """Builds CPython into <cache>/pythons/<version>[t]; returns its interpreter's path."""
    name = version + ("t" if target.free_threaded else "")
    prefix, log = cache / "pythons" / name, cache / "logs" / f"build-{name}.log"
    shutil.rmtree(prefix, ignore_errors=True)
    log.parent.mkdir(exist_ok=True)
    log.write_text("")
    jobs = str(len(os.sched_getaffinity(0)))
    configure = ["./configure", f"--prefix={prefix}", "--with-ensurepip=install"]
    steps = [
        ("configure", configure + ["--disable-gil"] * target.free_threaded),
        (f"make -j{jobs}", ["make", f"-j{jobs}"]),
        ("make install", ["make", "install"]),
    ]
    say(f"building Python {name} into {prefix} (log: {log})")
    with tempfile.TemporaryDirectory(prefix=f"build-{name}-", dir=cache) as build_dir:
        with timed(f"{name}: unpacking {tarball.name}"), tarfile.open(tarball) as tar:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(build_dir, **safe)  # type: ignore[arg-type]
        for label, command in steps:
            with timed(f"{name}: {label}"), log.open("a") as out:
                out.write(f"\n$ {' '.join(command)}\n")
                out.flush()
                source = Path(build_dir) / f"Python-{version}"
                if subprocess.run(command, cwd=source, stdout=out, stderr=out).returncode:
                    raise ProvisionError(
                        f"building Python {name} failed at `{label}`; the end "
                        f"of {log}:\n{last_lines(log.read_text(), 30)}"
                    )
    (prefix / COMPLETE_MARKER).write_text(f"{tarball.name}\n")
    return prefix / "bin" / target.binary


def build_missing(
    missing: list[Target], cache: Path, wanted: str, exact: bool
) -> dict[str, Interpreter]:
    with tempfile.TemporaryDirectory(prefix="source-", dir=cache) as directory:
        try:
            tarball, version = obtain_source(wanted, exact, Path(directory))
        except ProvisionError as e:
            ids = " and ".join(t.id for t in missing)
            advice = "".join(f"  - set {t.env_var}=/path/to/{t.binary}\n" for t in missing)
            raise ProvisionError(
                f"{e}\nNo usable {ids} was found, and building one needs that source. "
                f"What you can do:\n{advice}"
                f"  - or install it with `uv python install {ids}` or `pyenv install "
                f"{DEFAULT_VERSION}t` (`{DEFAULT_VERSION}` for 3.13), then run this again\n"
                "  - or unset THREADLINE_PYTHON_VERSION to build the version Debian trixie has"
            ) from None
        ensure_build_dependencies()
        built = {}
        for target in missing:
            found = probe(build_python(tarball, version, target, cache), target)
            if isinstance(found, str):
                raise ProvisionError(f"the {target.id} just built is unusable: it {found}")
            built[target.id] = found
    return built


def installed_packages(python: Path) -> dict[str, str]:
    """What imports in the env, with the versions the env itself reports."""
    run = capture([str(python), "-c", READ_PACKAGES % [*REQUIRED_PACKAGES, *OPTIONAL_PACKAGES]])
    return dict(json.loads(run.stdout)) if run.returncode == 0 else {}


def provision_env(target: Target, base: Interpreter, cache: Path) -> dict[str, Any]:
    """The venv learner code runs in, made by `base`; returns its entry for interpreters.json."""
    env = cache / "envs" / target.id
    python, record = env / "bin" / "python", env / "threadline-env.json"
    state = json.loads(record.read_text()) if record.exists() else {}
    if state.get("base") != base.path or not python.exists():
        shutil.rmtree(env, ignore_errors=True)
        with timed(f"{target.id}: creating {env}"):
            run = capture([base.path, "-m", "venv", str(env)])
        if run.returncode != 0:
            raise ProvisionError(f"`{base.path} -m venv` failed:\n{last_lines(run.stderr)}")
        state = {"base": base.path, "attempted": []}
    packages = installed_packages(python)
    for name, spec in {**REQUIRED_PACKAGES, **OPTIONAL_PACKAGES}.items():
        if name in packages or (name in OPTIONAL_PACKAGES and name in state["attempted"]):
            continue  # an optional package that failed once is retried only in a new env
        with timed(f"{target.id}: pip install {spec}"):
            quiet = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
            run = capture([str(python), "-m", "pip", *PIP_INSTALL, spec], env=quiet)
        state["attempted"] = sorted({*state["attempted"], name})
        record.write_text(json.dumps(state))
        if run.returncode != 0:
            why = last_lines(run.stderr or run.stdout, 8)
            if name in REQUIRED_PACKAGES:
                raise ProvisionError(f"{target.id}: could not install {spec} into {env}:\n{why}")
            say(f"{target.id}: {name} does not install here; going on without it:\n{why}")
        packages = installed_packages(python)
    record.write_text(json.dumps(state))
    if "numpy" not in packages:
        raise ProvisionError(f"{target.id}: numpy is installed in {env} but does not import")
    listed = ", ".join(f"{name} {version}" for name, version in packages.items())
    say(f"{target.id}: {python} ready (Python {base.version}; {listed})")
    return {
        "id": target.id,
        "python": str(python),
        "base": base.path,
        "version": base.version,
        "free_threaded": target.free_threaded,
        "packages": packages,
    }


# What a learner's program cannot need from a Python built here: together about 70% of its size.
SLIM_REMOVE = [
    "lib/python3.*/test",
    "lib/python3.*/idlelib",
    "lib/python3.*/turtledemo",
    "lib/python3.*/config-*/*.a",
    "lib/python3.*/**/__pycache__/*.opt-[12].pyc",
    "lib/python3.*/site-packages/pip*",
    "include",
    "share",
]
# ... and from the environments, which nothing installs into once the image is built.
SLIM_ENV_REMOVE = [
    "lib/python3.*/site-packages/pip*",
    "lib/python3.*/site-packages/numpy/**/tests",
    "bin/pip*",
]


def built_prefixes(cache: Path) -> list[Path]:
    return [p for p in (cache / "pythons").glob(f"{SERIES}.*") if (p / COMPLETE_MARKER).exists()]


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def elf_files(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        named = path.suffix == ".so" or ".so." in path.name or path.parent.name == "bin"
        if named and path.is_file() and not path.is_symlink() and is_elf(path):
            yield path


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def slim(cache: Path) -> None:
    """Shrinks the interpreters built in the cache (those found on the system are left alone)
    and the environments, for an image: nothing can be pip-installed into them afterwards."""
    strip = shutil.which("strip")
    for env in (cache / "envs").iterdir():
        for pattern in SLIM_ENV_REMOVE:
            for path in env.glob(pattern):
                remove(path)
    for prefix in built_prefixes(cache):
        before = sum(p.stat().st_size for p in prefix.rglob("*") if p.is_file())
        for pattern in SLIM_REMOVE:
            for path in prefix.glob(pattern):
                remove(path)
        if strip:
            for path in elf_files(prefix):
                capture([strip, "--strip-unneeded", str(path)])
        after = sum(p.stat().st_size for p in prefix.rglob("*") if p.is_file())
        stripped = "" if strip else " (no `strip` here: debug symbols kept)"
        say(f"slimmed {prefix}: {before / 2**20:.0f} MiB -> {after / 2**20:.0f} MiB{stripped}")


def runtime_packages(cache: Path, entries: list[dict[str, Any]]) -> list[str]:
    """The Debian packages owning the shared libraries that the interpreters built here and
    the environments load, found with ldd and dpkg; libraries bundled in wheels need none. An
    interpreter of Debian's own is left out: its package brings what it needs."""
    prefixes = {Path(e["base"]).resolve().parent.parent for e in entries} - {Path("/usr")}
    roots = prefixes | {cache / "envs" / e["id"] for e in entries}
    libraries: set[str] = set()
    for root in roots:
        for path in elf_files(root):
            for line in capture(["ldd", str(path)]).stdout.splitlines():
                if "=> /" in line:
                    libraries.add(os.path.realpath(line.split("=> ")[1].split(" (")[0]))
    packages: set[str] = set()
    for library in sorted(libraries):
        if any(Path(library).is_relative_to(root.resolve()) for root in roots):
            continue  # one of their own: copied along with them
        forms = (
            [library, library.removeprefix("/usr")]
            if library.startswith("/usr/")
            else [library, "/usr" + library]
        )
        for form in forms:
            owner = capture(["dpkg-query", "-S", form])
            if owner.returncode == 0:
                packages.update(p.split(":")[0] for p in owner.stdout.split(": ")[0].split(", "))
                break
        else:
            say(f"no Debian package owns {library}; the image may lack it")
    return sorted(packages)


def write_registry(cache: Path, entries: list[dict[str, Any]]) -> Path:
    registry = cache / "interpreters.json"
    staged = registry.with_suffix(".json.tmp")
    staged.write_text(json.dumps({"version": 1, "interpreters": entries}, indent=2) + "\n")
    staged.replace(registry)  # the app never reads a half-written file
    return registry


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--slim", action="store_true", help="for an image: shrink the interpreters and envs"
    )
    parser.add_argument(
        "--runtime-packages",
        type=Path,
        metavar="FILE",
        help="write the Debian packages their shared libraries come from",
    )
    options = parser.parse_args()
    cache = cache_root()
    cache.mkdir(parents=True, exist_ok=True)
    wanted = os.environ.get("THREADLINE_PYTHON_VERSION") or DEFAULT_VERSION
    exact = bool(os.environ.get("THREADLINE_PYTHON_VERSION"))  # else trixie's 3.13.x will do
    with hold_lock(cache):
        say(f"provisioning Python {SERIES} and {SERIES}t in {cache}")
        try:
            found = {t.id: find_interpreter(t, cache, wanted) for t in TARGETS}
            if missing := [t for t in TARGETS if found[t.id] is None]:
                found.update(build_missing(missing, cache, wanted, exact))
            entries = []
            for target in TARGETS:
                base = found[target.id]
                assert base is not None
                entries.append(provision_env(target, base, cache))
        except ProvisionError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        say(f"wrote {write_registry(cache, entries)}")
        if options.slim:
            slim(cache)
        if options.runtime_packages:
            needed = runtime_packages(cache, entries)
            options.runtime_packages.write_text("".join(f"{p}\n" for p in needed))
            say(f"wrote {options.runtime_packages}: {' '.join(needed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
