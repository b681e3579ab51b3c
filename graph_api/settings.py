"""Settings, read once from the environment.

Every variable is documented in README.md ("Configuration").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from graph_api.graph.strength import StrengthParams
from graph_api.search.embeddings import EmbeddingSettings

T = TypeVar("T", int, float)


class SettingsError(ValueError):
    """An environment variable holds a value we cannot use."""


def _number(
    env: Mapping[str, str], name: str, default: T, low: T, high: T, kind: type[T], noun: str
) -> T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be {noun}, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    return _number(env, name, default, low, high, int, "an integer")


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    return _number(env, name, default, low, high, float, "a number")


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


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
    # `serve`: seed a demo network into an empty database and print a demo token
    seed_demo: bool = False
    demo_email: str = "demo@example.com"
    demo_contacts: int = 300
    # how many users' graphs a process keeps built in memory
    graph_cache_users: int = 32
    # half-lives, weights and thresholds of the strength formulas (docs/graph.md)
    strength: StrengthParams = field(default_factory=StrengthParams)
    # the embedding provider (GRAPH_API_EMBEDDINGS*); "local" loads all-MiniLM-L6-v2
    embeddings: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    # how often the server retries embedding memories saved while the provider was down
    embed_retry_seconds: float = 30.0

    @property
    def embedded_data_dir(self) -> Path:
        return self.data_dir / "pgdata"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = env.get("GRAPH_API_DATA_DIR")
        log_level = env.get("GRAPH_API_LOG_LEVEL", "INFO").upper()
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
        return cls(
            database_url=database_url,
            app_database_url=app_database_url,
            data_dir=Path(data_dir or cls.data_dir).expanduser().resolve(),
            host=env.get("GRAPH_API_HOST", "127.0.0.1"),
            port=_int(env, "GRAPH_API_PORT", 8000, 0, 65535),
            log_level=log_level,
            pool_min_size=_int(env, "GRAPH_API_POOL_MIN_SIZE", 1, 0, 100),
            pool_max_size=_int(env, "GRAPH_API_POOL_MAX_SIZE", 10, 1, 100),
            statement_timeout_ms=_int(env, "GRAPH_API_STATEMENT_TIMEOUT_MS", 5000, 0, 3_600_000),
            request_timeout_seconds=_float(
                env, "GRAPH_API_REQUEST_TIMEOUT_SECONDS", 30.0, 0.1, 3600
            ),
            pool_wait_seconds=_float(env, "GRAPH_API_POOL_WAIT_SECONDS", 5.0, 0.01, 600),
            max_body_bytes=_int(env, "GRAPH_API_MAX_BODY_BYTES", 1_000_000, 1024, 100_000_000),
            introspection=_bool(env, "GRAPH_API_INTROSPECTION", True),
            log_statements=_bool(env, "GRAPH_API_LOG_SQL", False),
            rate_limit_per_minute=_int(env, "GRAPH_API_RATE_LIMIT_PER_MINUTE", 1200, 0, 10_000_000),
            graphiql=_bool(env, "GRAPH_API_GRAPHIQL", True),
            seed_demo=_bool(env, "GRAPH_API_SEED_DEMO", True),
            demo_email=env.get("GRAPH_API_DEMO_EMAIL", "demo@example.com").lower(),
            demo_contacts=_int(env, "GRAPH_API_DEMO_CONTACTS", 300, 0, 100_000),
            graph_cache_users=_int(env, "GRAPH_API_GRAPH_CACHE_USERS", 32, 1, 10_000),
            strength=_strength(env),
            embeddings=EmbeddingSettings.from_env(env),
            embed_retry_seconds=_float(env, "GRAPH_API_EMBED_RETRY_SECONDS", 30.0, 0.1, 86_400),
        )


def _strength(env: Mapping[str, str]) -> StrengthParams:
    defaults = StrengthParams()
    return StrengthParams(
        recency_half_life_days=_float(
            env, "GRAPH_API_RECENCY_HALF_LIFE_DAYS", defaults.recency_half_life_days, 0.1, 3650
        ),
        frequency_half_life_days=_float(
            env, "GRAPH_API_FREQUENCY_HALF_LIFE_DAYS", defaults.frequency_half_life_days, 0.1, 3650
        ),
        shared_half_life_days=_float(
            env, "GRAPH_API_SHARED_HALF_LIFE_DAYS", defaults.shared_half_life_days, 0.1, 3650
        ),
        cold_cadence_multiple=_float(
            env, "GRAPH_API_COLD_CADENCE_MULTIPLE", defaults.cold_cadence_multiple, 1, 100
        ),
        cold_min_strength=_float(
            env, "GRAPH_API_COLD_MIN_STRENGTH", defaults.cold_min_strength, 0, 1
        ),
    )
