"""Users, roles, login, API keys, idempotency keys and the audit log."""
