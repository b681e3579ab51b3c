"""Executing validated operations: compiled plans for queries (`compiled`)."""
