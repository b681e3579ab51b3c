# The API in a container, against any PostgreSQL with pgvector (compose.yaml runs it
# with the pgvector/pgvector image). Not built or run by the test suite: see README,
# "Containers". The embedded database is not used here: DATABASE_URL is required.
FROM python:3.12-slim

# torch is pinned (pyproject.toml); point pip at an index with its CPU build
# (`docker build --build-arg PIP_EXTRA_INDEX_URL=...`), or the default one brings the
# much larger CUDA build
ARG PIP_EXTRA_INDEX_URL=""
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph_api graph_api
COPY loaders loaders
# the otel extra too: GRAPH_API_TRACING=otlp works in the container
RUN pip install '.[otel]' \
 && useradd --system --create-home --uid 10001 graph-api

USER graph-api
# inside a container the port is published by the runtime, so bind every interface
ENV GRAPH_API_HOST=0.0.0.0 \
    GRAPH_API_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"]
CMD ["graph-api", "serve"]
