"""Settings, read once from the environment at the edge (`cli`, `app`) and passed
down as plain values: nothing below reads this module.

Every variable is documented in README.md ("Configuration").
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from urllib.parse import urlsplit

from graph_api.domain.retention import DEFAULT_DISMISSED_DAYS, Retention
from graph_api.env import SettingsError, env_bool, env_float, env_int
from graph_api.graph.strength import StrengthParams
from graph_api.search.embeddings import EmbeddingSettings
from graph_api.tracing import EXPORTERS as TRACING_EXPORTERS


@dataclass(frozen=True)
class Settings:
    # None: start the embedded PostgreSQL under data_dir
    database_url: str | None = None
    # the login request traffic uses (graph_api_app or a member of it); None: the
    # embedded server's graph_api_app, or DATABASE_URL's user switching to it
    app_database_url: str | None = None
    # relative to the working directory, as `make serve` runs it: an installed
    # package has no project root to keep its data in
    data_dir: Path = Path(".data")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    # None: the migrations the package ships (graph_api/sql/migrations)
    migrations_dir: Traversable | None = None
    pool_min_size: int = 1
    pool_max_size: int = 10
    statement_timeout_ms: int = 5000
    # a GraphQL request's whole execution; beyond it HTTP 504, TIMEOUT
    request_timeout_seconds: float = 30.0
    # how long a request waits for a pooled connection before HTTP 503
    pool_wait_seconds: float = 5.0
    max_body_bytes: int = 1_000_000
    introspection: bool = True
    # GraphQL requests per minute per caller (bearer token, else address); 0: no limit
    rate_limit_per_minute: int = 1200
    # log every SQL statement's name and duration at DEBUG on `graph_api.sql`
    log_statements: bool = False
    graphiql: bool = True
    explore: bool = True
    # OpenTelemetry traces: "" (off), "otlp" or "console" (graph_api.tracing)
    tracing: str = ""
    # browser origins allowed to call the API (CORS); empty: none but the API's own
    cors_origins: tuple[str, ...] = ()
    # CORS credentials (cookies, HTTP auth); bearer tokens do not need them
    cors_credentials: bool = False
    # Apollo's automatic persisted queries (hash-only requests, learned per process)
    persisted_queries: bool = True
    # a JSON file of registered operations: when set, only those run (graph_api.persisted)
    trusted_documents: Path | None = None
    # `/metrics` in Prometheus's text format
    metrics: bool = True
    # one JSON line per request on the `graph_api.access` logger
    access_log: bool = True
    # `serve`: seed a demo network into an empty database and print a demo token
    seed_demo: bool = True
    demo_email: str = "demo@example.com"
    demo_contacts: int = 300
    # how many users' graphs a process keeps built in memory
    graph_cache_users: int = 32
    # the graphs one process keeps, by their estimated size (graph/cache.py)
    graph_cache_mb: int = 1024
    # half-lives, weights and thresholds of the strength formulas (docs/graph.md)
    strength: StrengthParams = field(default_factory=StrengthParams)
    # the embedding provider (GRAPH_API_EMBEDDINGS*); "local" loads all-MiniLM-L6-v2
    embeddings: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    # how often the server retries embedding memories saved while the provider was down
    embed_retry_seconds: float = 30.0
    # what the purge deletes (graph-api purge, and serve's purge job every this often; 0: off)
    retention: Retention = field(default_factory=Retention)
    purge_interval_seconds: int = 3600

    @property
    def embedded_data_dir(self) -> Path:
        return self.data_dir / "pgdata"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = env.get("GRAPH_API_DATA_DIR")
        log_level = env.get("GRAPH_API_LOG_LEVEL", cls.log_level).upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(
                f"GRAPH_API_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}"
            )
        database_url = env.get("DATABASE_URL") or None
        app_database_url = env.get("GRAPH_API_APP_DATABASE_URL") or None
        if app_database_url and not database_url:
            raise SettingsError(
                "GRAPH_API_APP_DATABASE_URL needs DATABASE_URL (the tables' owner, for migrations); "
                "the embedded server needs neither"
            )
        cors_credentials = env_bool(env, "GRAPH_API_CORS_CREDENTIALS", False)
        trusted = env.get("GRAPH_API_TRUSTED_DOCUMENTS")
        tracing = _tracing(env.get("GRAPH_API_TRACING", "").strip().lower())
        return cls(
            database_url=database_url,
            app_database_url=app_database_url,
            data_dir=Path(data_dir or cls.data_dir).expanduser().resolve(),
            host=env.get("GRAPH_API_HOST", cls.host),
            port=env_int(env, "GRAPH_API_PORT", cls.port, 0, 65535),
            log_level=log_level,
            pool_min_size=env_int(env, "GRAPH_API_POOL_MIN_SIZE", cls.pool_min_size, 0, 100),
            pool_max_size=env_int(env, "GRAPH_API_POOL_MAX_SIZE", cls.pool_max_size, 1, 100),
            statement_timeout_ms=env_int(
                env, "GRAPH_API_STATEMENT_TIMEOUT_MS", cls.statement_timeout_ms, 0, 3_600_000
            ),
            request_timeout_seconds=env_float(
                env, "GRAPH_API_REQUEST_TIMEOUT_SECONDS", cls.request_timeout_seconds, 0.1, 3600
            ),
            pool_wait_seconds=env_float(
                env, "GRAPH_API_POOL_WAIT_SECONDS", cls.pool_wait_seconds, 0.01, 600
            ),
            max_body_bytes=env_int(
                env, "GRAPH_API_MAX_BODY_BYTES", cls.max_body_bytes, 1024, 100_000_000
            ),
            introspection=env_bool(env, "GRAPH_API_INTROSPECTION", cls.introspection),
            log_statements=env_bool(env, "GRAPH_API_LOG_SQL", cls.log_statements),
            rate_limit_per_minute=env_int(
                env, "GRAPH_API_RATE_LIMIT_PER_MINUTE", cls.rate_limit_per_minute, 0, 10_000_000
            ),
            graphiql=env_bool(env, "GRAPH_API_GRAPHIQL", cls.graphiql),
            explore=env_bool(env, "GRAPH_API_EXPLORE", cls.explore),
            tracing=tracing,
            cors_origins=_origins(
                env.get("GRAPH_API_CORS_ORIGINS", ""), credentials=cors_credentials
            ),
            cors_credentials=cors_credentials,
            persisted_queries=env_bool(env, "GRAPH_API_PERSISTED_QUERIES", cls.persisted_queries),
            trusted_documents=Path(trusted).expanduser().resolve() if trusted else None,
            metrics=env_bool(env, "GRAPH_API_METRICS", cls.metrics),
            access_log=env_bool(env, "GRAPH_API_ACCESS_LOG", cls.access_log),
            seed_demo=env_bool(env, "GRAPH_API_SEED_DEMO", cls.seed_demo),
            demo_email=env.get("GRAPH_API_DEMO_EMAIL", cls.demo_email).lower(),
            demo_contacts=env_int(env, "GRAPH_API_DEMO_CONTACTS", cls.demo_contacts, 0, 100_000),
            graph_cache_users=env_int(
                env, "GRAPH_API_GRAPH_CACHE_USERS", cls.graph_cache_users, 1, 10_000
            ),
            graph_cache_mb=env_int(
                env, "GRAPH_API_GRAPH_CACHE_MB", cls.graph_cache_mb, 1, 1_000_000
            ),
            strength=_strength(env),
            embeddings=EmbeddingSettings.from_env(env),
            embed_retry_seconds=env_float(
                env, "GRAPH_API_EMBED_RETRY_SECONDS", cls.embed_retry_seconds, 0.1, 86_400
            ),
            retention=_retention(env),
            purge_interval_seconds=env_int(
                env, "GRAPH_API_PURGE_INTERVAL_SECONDS", cls.purge_interval_seconds, 0, 604_800
            ),
        )


def _origins(raw: str, *, credentials: bool) -> tuple[str, ...]:
    """`https://app.example.com, http://localhost:5173` (or `*`) as exact origins."""
    origins = []
    for part in raw.split(","):
        origin = part.strip().rstrip("/")
        if not origin or origin == "*":
            origins += [origin] if origin else []
            continue
        parts = urlsplit(origin)
        try:
            parts.port  # noqa: B018  a malformed port raises here
        except ValueError:
            parts = parts._replace(scheme="")
        if (
            parts.scheme not in {"http", "https"}
            or not parts.hostname
            or parts.username is not None
            or parts.path
            or parts.query
            or parts.fragment
        ):
            raise SettingsError(
                f"GRAPH_API_CORS_ORIGINS: {origin!r} is not an origin "
                "(scheme://host[:port], e.g. https://app.example.com)"
            )
        origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
    if "*" in origins and len(origins) > 1:
        raise SettingsError("GRAPH_API_CORS_ORIGINS: '*' stands alone or not at all")
    if credentials and "*" in origins:
        raise SettingsError(
            "GRAPH_API_CORS_CREDENTIALS needs named origins: with '*' every site could send them"
        )
    return tuple(dict.fromkeys(origins))


def _retention(env: Mapping[str, str]) -> Retention:
    # unset: the audit trail is kept (it is the user's record of what happened)
    audit_days = (
        env_int(env, "GRAPH_API_AUDIT_RETENTION_DAYS", 0, 1, 36_500)
        if env.get("GRAPH_API_AUDIT_RETENTION_DAYS")
        else None
    )
    return Retention(
        audit_days=audit_days,
        dismissed_days=env_int(
            env, "GRAPH_API_DISMISSED_RETENTION_DAYS", DEFAULT_DISMISSED_DAYS, 0, 36_500
        ),
    )


def _strength(env: Mapping[str, str]) -> StrengthParams:
    defaults = StrengthParams()
    return StrengthParams(
        recency_half_life_days=env_float(
            env, "GRAPH_API_RECENCY_HALF_LIFE_DAYS", defaults.recency_half_life_days, 0.1, 3650
        ),
        frequency_half_life_days=env_float(
            env, "GRAPH_API_FREQUENCY_HALF_LIFE_DAYS", defaults.frequency_half_life_days, 0.1, 3650
        ),
        shared_half_life_days=env_float(
            env, "GRAPH_API_SHARED_HALF_LIFE_DAYS", defaults.shared_half_life_days, 0.1, 3650
        ),
        cold_cadence_multiple=env_float(
            env, "GRAPH_API_COLD_CADENCE_MULTIPLE", defaults.cold_cadence_multiple, 1, 100
        ),
        cold_min_strength=env_float(
            env, "GRAPH_API_COLD_MIN_STRENGTH", defaults.cold_min_strength, 0, 1
        ),
        interest_half_life_days=env_float(
            env, "GRAPH_API_INTEREST_HALF_LIFE_DAYS", defaults.interest_half_life_days, 1, 36500
        ),
    )


def _tracing(exporter: str) -> str:
    if exporter in {"", "off", "none"}:
        return ""
    if exporter not in TRACING_EXPORTERS:
        raise SettingsError(f"GRAPH_API_TRACING must be otlp, console or off, got {exporter!r}")
    needed = "opentelemetry.exporter.otlp.proto.http" if exporter == "otlp" else "opentelemetry.sdk"
    try:
        found = importlib.util.find_spec(needed) is not None
    except ModuleNotFoundError:  # a parent package is missing
        found = False
    if not found:
        raise SettingsError(
            f"GRAPH_API_TRACING={exporter} needs OpenTelemetry: pip install 'graph-api[otel]'"
        )
    return exporter
