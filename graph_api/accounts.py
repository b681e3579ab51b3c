"""Users and their bearer tokens.

A token is 32 random bytes (URL-safe base64, prefixed `gapi_` so secret scanners
can spot it). Only its SHA-256 is stored: a fast hash is enough for a secret with
256 bits of entropy, and it lets the lookup use a unique index.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from graph_api.domain.validation import EMAIL, MAX_EMAIL_LENGTH
from graph_api.errors import Conflict, InvalidInput, NotFound

TOKEN_PREFIX = "gapi_"
# last_used_at is a hint, not an audit trail: refresh it at most this often
LAST_USED_GRANULARITY_SECONDS = 60

INSERT_USER = """
    insert into users (email, full_name)
    values ($1, $2)
    on conflict (email) do nothing
    returning id, email, full_name
"""

SELECT_USER_BY_EMAIL = """
    select id, email, full_name
      from users
     where email = $1
"""

INSERT_TOKEN = """
    insert into api_tokens (user_id, name, token_hash)
    values ($1, $2, $3)
    returning id
"""

SELECT_VIEWER_BY_TOKEN_HASH = """-- viewer_by_token
    select u.id, u.email, u.full_name, t.id as token_id, t.token_hash,
           t.last_used_at < now() - make_interval(secs => $2) or t.last_used_at is null as stale
      from api_tokens t
      join users u on u.id = t.user_id
     where t.token_hash = $1
       and t.revoked_at is null
"""

TOUCH_TOKEN = """-- touch_token
    update api_tokens
       set last_used_at = now()
     where user_id = $1 and id = $2
"""

REVOKE_TOKEN_BY_HASH = """
    update api_tokens
       set revoked_at = now()
     where token_hash = $1 and revoked_at is null
    returning id
"""

REVOKE_TOKEN_BY_ID = """
    update api_tokens
       set revoked_at = now()
     where id = $1 and revoked_at is null
    returning id
"""

SELECT_TOKENS = """
    select t.id, t.name, t.created_at, t.last_used_at, t.revoked_at
      from api_tokens t
      join users u on u.id = t.user_id
     where u.email = $1
     order by t.created_at, t.id
"""


@dataclass(frozen=True)
class Viewer:
    """The authenticated user of one request."""

    id: UUID
    email: str
    full_name: str | None
    # the token this request presented: the rate limit's key for the caller
    token_id: UUID | None = None


@dataclass(frozen=True)
class TokenInfo:
    id: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > MAX_EMAIL_LENGTH:
        raise InvalidInput(f"{email!r} is not an email address", field="email")
    return email


async def create_user(conn: asyncpg.Connection, email: str, full_name: str | None) -> Viewer:
    row = await conn.fetchrow(INSERT_USER, normalise_email(email), full_name)
    if row is None:
        raise Conflict(f"a user with email {email.strip().lower()} already exists", field="email")
    return Viewer(row["id"], row["email"], row["full_name"])


async def find_user(conn: asyncpg.Connection, email: str) -> Viewer:
    row = await conn.fetchrow(SELECT_USER_BY_EMAIL, normalise_email(email))
    if row is None:
        raise NotFound(f"no user with email {email.strip().lower()}", field="email")
    return Viewer(row["id"], row["email"], row["full_name"])


async def create_token(conn: asyncpg.Connection, user_id: UUID, name: str = "default") -> str:
    token = new_token()
    await conn.execute(INSERT_TOKEN, user_id, name, hash_token(token))
    return token


async def authenticate(pool: asyncpg.Pool, token: str) -> Viewer | None:
    """The user a bearer token belongs to, or None for an unknown or revoked token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200 or not token.isascii():
        return None
    return await authenticate_hash(pool, hash_token(token))


async def authenticate_hash(pool: asyncpg.Pool, token_hash: bytes) -> Viewer | None:
    row = await pool.fetchrow(
        SELECT_VIEWER_BY_TOKEN_HASH, token_hash, float(LAST_USED_GRANULARITY_SECONDS)
    )
    # the index lookup already matched; compare again in constant time so the
    # decision never depends on a short-circuiting byte comparison
    if row is None or not hmac.compare_digest(row["token_hash"], token_hash):
        return None
    if row["stale"]:
        await pool.execute(TOUCH_TOKEN, row["id"], row["token_id"])
    return Viewer(row["id"], row["email"], row["full_name"], row["token_id"])


async def revoke_token(conn: asyncpg.Connection, token_or_id: str) -> bool:
    """Revoke a token given itself or its id; False when no live token matched."""
    try:
        token_id = UUID(token_or_id)
    except ValueError:
        row = await conn.fetchrow(REVOKE_TOKEN_BY_HASH, hash_token(token_or_id))
    else:
        row = await conn.fetchrow(REVOKE_TOKEN_BY_ID, token_id)
    return row is not None


async def list_tokens(conn: asyncpg.Connection, email: str) -> list[TokenInfo]:
    rows = await conn.fetch(SELECT_TOKENS, normalise_email(email))
    return [TokenInfo(**dict(row)) for row in rows]
