# Threadline: the web app on embedded defaults (SQLite in the /data volume) with the learner
# interpreters 3.13 and 3.13t, built by the same set-up script as `make run`.
#
#   docker build -t threadline .
#   docker run (flags in the README, "Self-hosting with Docker")

# --- build: the learner interpreters (3.13t is compiled here), then the app's venv ----------------
FROM debian:trixie-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates
ENV THREADLINE_CACHE_DIR=/opt/threadline
WORKDIR /app
# A CA bundle for pip where a proxy re-signs TLS (`--build-arg PIP_CERT=...` with the file
# mounted); unset, pip uses its own.
ARG PIP_CERT
# The interpreters first, by the script the README's set-up runs: this slow layer is rebuilt
# only when that script changes. As root it installs what building 3.13t needs; --slim drops
# what learner code never uses, and the packages their libraries come from are listed for the
# last stage.
COPY scripts/provision-interpreters.py ./scripts/
RUN if [ -z "${PIP_CERT:-}" ]; then unset PIP_CERT; fi \
 && python3 scripts/provision-interpreters.py \
      --slim --runtime-packages /opt/threadline/runtime-packages.txt \
 && rm -rf /opt/threadline/logs
COPY pyproject.toml README.md ./
COPY app ./app
COPY scripts ./scripts
RUN --mount=type=cache,target=/root/.cache/pip \
    if [ -z "${PIP_CERT:-}" ]; then unset PIP_CERT; fi \
 && scripts/setup.sh run \
 && .venv/bin/python -m pip uninstall -q -y pip

# --- the image: no compilers, no build trees -----------------------------------------------------
FROM debian:trixie-slim
COPY --from=build /opt/threadline/runtime-packages.txt /tmp/
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates bubblewrap tini \
      $(cat /tmp/runtime-packages.txt) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
 && useradd --create-home --uid 10001 threadline \
 && mkdir -p /data && chown threadline:threadline /data
COPY --from=build /opt/threadline /opt/threadline
COPY --from=build /app /app
WORKDIR /app
COPY lessons ./lessons
COPY exercises ./exercises
COPY templates ./templates
COPY static/css ./static/css
COPY static/js ./static/js
COPY static/vendor ./static/vendor
COPY static/favicon.svg ./static/

USER threadline
ENV THREADLINE_CACHE_DIR=/opt/threadline \
    THREADLINE_DATA_DIR=/data \
    THREADLINE_HOST=0.0.0.0 \
    THREADLINE_PORT=8000 \
    THREADLINE_REQUIRE_SANDBOX=true
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# tini as PID 1 passes SIGTERM on and reaps whatever a run leaves behind.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["/app/.venv/bin/threadline", "serve"]
