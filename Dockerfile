# syntax=docker/dockerfile:1
#
# One image for every Python process of the platform: the four HTTP services
# (python -m services.intake|review|decisions|notifications), the Temporal
# worker (python -m workflows.worker), the one-shot topic bootstrap
# (python -m servicekit.bootstrap) and the operators' payload tool
# (python -m tools.payloads: the compose file's `secrets` step, decoding). docker-compose.yml picks the process with
# `command:`; the default CMD below is only a fallback.
#
#   docker build -t tdkt-platform .

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: resolve the locked dependencies into /app/.venv ---------------
FROM ${PYTHON_IMAGE} AS builder

# uv comes from PyPI like any other package (pinned for reproducible builds).
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

# Dependencies first (only the lock files), so source edits reuse this layer.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# Then the project itself (installed editable: /app stays the repository root,
# which servicekit.settings.REPOSITORY_ROOT relies on).
COPY README.md ./
COPY contracts/ ./contracts/
COPY servicekit/ ./servicekit/
COPY services/ ./services/
COPY workflows/ ./workflows/
COPY tools/ ./tools/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev

# --- runtime: no uv, no build caches, non-root --------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="tdkt-platform" \
      org.opencontainers.image.description="Nền tảng thi đua – khen thưởng: services, Temporal worker, bootstrap"

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TDKT_HTTP_HOST=0.0.0.0 \
    TDKT_DATA_DIR=/var/lib/tdkt

RUN groupadd --system --gid 10001 tdkt \
    && useradd --system --uid 10001 --gid tdkt --home-dir /app --no-create-home --shell /usr/sbin/nologin tdkt \
    && install -d -o tdkt -g tdkt -m 0750 /var/lib/tdkt \
    && install -d -o tdkt -g tdkt -m 0700 /var/lib/tdkt-secrets

WORKDIR /app
COPY --from=builder --chown=root:root /app /app

USER 10001:10001

EXPOSE 8001 8002 8003 8004

CMD ["python", "-m", "services.intake"]
