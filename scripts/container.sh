#!/usr/bin/env bash
# The Threadline image with podman (or docker):
#   scripts/container.sh build [TAG]        builds the image from the Dockerfile (default tag
#                                           threadline), printing the build time and the size
#   scripts/container.sh run [TAG] [ARGS]   runs it as the README says, on port 8000 and the
#                                           volume threadline-data; ARGS go to `run`
#   scripts/container.sh engine             prints the engine command, one word a line
#   scripts/container.sh limits             prints the flags `build` and `run` need here, too
#
# Where debian:trixie-slim cannot be pulled (a machine that reaches Debian's mirror but not
# Docker Hub), the base is made with debootstrap from Debian's mirror and imported under that
# name, once, so that the Dockerfile stays the one everybody builds.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
BASE=docker.io/library/debian:trixie-slim

engine="${CONTAINER_ENGINE:-}"
if [ -z "$engine" ]; then
  if command -v podman >/dev/null 2>&1; then engine=podman
  elif command -v docker >/dev/null 2>&1; then engine=docker
  else echo "error: neither podman nor docker is installed" >&2; exit 1
  fi
fi

# Flags for podman on this machine, used by both build and run:
# - on a host with cgroup v1 (or hybrid) crun refuses to start containers; runc works;
# - podman raises the open-files and process limits above the caller's, which fails without
#   CAP_SYS_RESOURCE, so the container gets the caller's own limits.
engine_flags=()
if [ "$engine" = podman ]; then
  if [ ! -e /sys/fs/cgroup/cgroup.controllers ] && [ -x /usr/sbin/runc ]; then
    engine_flags+=(--runtime /usr/sbin/runc)
  fi
fi
limit_flags=()
if [ "$engine" = podman ] && [ "$(id -u)" -eq 0 ]; then
  # (nproc as measured to work here; the runs' own limits are far lower anyway)
  limit_flags+=(--ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit "nproc=1000:1000")
fi

make_base() {
  if "$engine" "${engine_flags[@]}" image exists "$BASE" 2>/dev/null \
    || "$engine" "${engine_flags[@]}" image inspect "$BASE" >/dev/null 2>&1; then
    return
  fi
  say "pulling $BASE"
  if "$engine" "${engine_flags[@]}" pull -q "$BASE" >/dev/null 2>&1; then return; fi
  say "$BASE cannot be pulled here; making it with debootstrap from Debian's mirror"
  command -v debootstrap >/dev/null 2>&1 || { echo "error: install debootstrap" >&2; exit 1; }
  root="$(mktemp -d /var/tmp/trixie-base.XXXXXX)"
  trap 'rm -rf "$root"' RETURN
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >/dev/null
  tar -C "$root" -c . | "$engine" "${engine_flags[@]}" import - "$BASE" >/dev/null
}

image_size() { "$engine" "${engine_flags[@]}" image inspect --format '{{.Size}}' "$1"; }

build() {
  local tag="${1:-threadline}" started
  make_base
  local build_flags=()
  # pip inside the build trusts what this machine trusts (a proxy that re-signs TLS).
  if [ -n "${SSL_CERT_FILE:-}" ] && [ -f "$SSL_CERT_FILE" ]; then
    build_flags+=(--volume "$SSL_CERT_FILE:/host-ca.crt:ro" --build-arg PIP_CERT=/host-ca.crt)
  fi
  say "building $tag with $engine"
  started=$(date +%s)
  # podman writes OCI images by default, which have no HEALTHCHECK; the docker format keeps it.
  [ "$engine" = podman ] && build_flags+=(--format docker)
  "$engine" "${engine_flags[@]}" build "${limit_flags[@]}" "${build_flags[@]}" -t "$tag" . >&2
  local seconds=$(($(date +%s) - started)) size base
  size=$(image_size "$tag")
  base=$(image_size "$BASE")
  printf '{"tag": "%s", "build_seconds": %d, "image_bytes": %d, "base_bytes": %d}\n' \
    "$tag" "$seconds" "$size" "$base"
  say "built $tag in ${seconds} s: $((size / 1000000)) MB, $(((size - base) / 1000000)) MB above the base"
}

case "${1:-}" in
  build) shift; build "$@" ;;
  run)
    shift
    tag="${1:-threadline}"; shift || true
    exec "$engine" "${engine_flags[@]}" run "${limit_flags[@]}" \
      --security-opt systempaths=unconfined --security-opt seccomp=deploy/seccomp.json \
      --memory 2g --pids-limit 512 \
      -p 127.0.0.1:8000:8000 -v threadline-data:/data "$@" "$tag" ;;
  engine) printf '%s\n' "$engine" "${engine_flags[@]}" ;;
  limits) [ "${#limit_flags[@]}" -eq 0 ] || printf '%s\n' "${limit_flags[@]}" ;;
  *) echo "usage: $0 build [TAG] | run [TAG] [ARGS...] | engine | limits" >&2; exit 2 ;;
esac
