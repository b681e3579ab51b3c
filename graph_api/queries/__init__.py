"""Top-level list queries: filtered, ordered, keyset-paginated, one statement a page."""
