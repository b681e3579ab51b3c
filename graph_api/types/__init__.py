"""GraphQL types, one module per type family, merged in `graph_api.schema`."""
