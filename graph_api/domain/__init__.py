"""The write side: every mutation of a user's network, one module per family.

Each function takes a connection and the acting user, runs in its own transaction
(a savepoint inside the caller's), scopes every statement by the actor's user_id,
validates its input, writes exactly one audit_log row, and returns the resulting row.
"""
