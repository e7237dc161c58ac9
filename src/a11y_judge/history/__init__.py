"""Run history in SQLite: the store, batch jobs and the named migrations."""
