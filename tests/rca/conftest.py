"""Fixtures for the rca tests."""

import pytest
from django.db import connection


class DatabaseRefusal:
    """Makes the database itself refuse samples with one external_id: a CHECK constraint on PostgreSQL, a trigger on
    SQLite (which cannot add constraints to a table). A real database error, as a full disk or a bad deploy gives."""

    NAME = "test_refuse_external_id"

    def __init__(self) -> None:
        self.active = False

    def refuse(self, external_id: str) -> None:
        literal = "'" + external_id.replace("'", "''") + "'"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"ALTER TABLE rca_moderationsample ADD CONSTRAINT {self.NAME} CHECK (external_id <> {literal})"
                )
            else:
                cursor.execute(
                    f"CREATE TRIGGER {self.NAME} BEFORE INSERT ON rca_moderationsample "
                    f"WHEN NEW.external_id = {literal} BEGIN SELECT RAISE(ABORT, 'refused by {self.NAME}'); END"
                )
        self.active = True

    def allow(self) -> None:
        if not self.active:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE rca_moderationsample DROP CONSTRAINT {self.NAME}")
            else:
                cursor.execute(f"DROP TRIGGER {self.NAME}")
        self.active = False


@pytest.fixture
def database_refusal():
    """A `DatabaseRefusal`, lifted at teardown. Use with a transactional test, so that batches really commit."""
    refusal = DatabaseRefusal()
    yield refusal
    refusal.allow()
