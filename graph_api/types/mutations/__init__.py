"""Mutations, one module per family, merged into one Mutation type in `graph_api.schema`."""
