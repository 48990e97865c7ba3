"""Notifications through an outbox: rows written in the caller's transaction, delivered after
commit by a task, retried with backoff. See services.outbox_queue and services.outbox_deliver."""
