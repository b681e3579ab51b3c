"""graph-api: a GraphQL API for relationship graphs."""

__version__ = "0.1.0"
