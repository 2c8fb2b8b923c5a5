"""Fault tests: the API as a real process, on SQLite and PostgreSQL, killed and starved on purpose."""
