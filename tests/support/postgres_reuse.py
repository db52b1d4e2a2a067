"""Fresh PostgreSQL databases for tests, emptied and reused instead of cloned for each test.

Cloning the migrated template (``CREATE DATABASE ... TEMPLATE``) costs a checkpoint and a copy of
every catalog file, 0.3-1 s a test on a busy machine; emptying a database the previous test of the
same process used costs a few milliseconds. A database goes back to the pool only when it is as
good as a fresh clone: nobody is connected to it, its schema (tables, columns, indexes,
constraints, functions, schemas, extensions, the migration stamp) is the template's, and then every
table is emptied and every sequence restarts. Anything else (a leaked connection, a test that
migrated or altered the schema, an error while emptying) drops it, as before.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

from ombuds_lab.servers import PostgresServer

#: One string for the whole schema of the database it runs in, to compare with a fresh clone's.
SCHEMA_FINGERPRINT = """
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
    SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS item
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
    UNION ALL SELECT 'function ' || p.oid::regprocedure || ' ' || md5(p.prosrc)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
    UNION ALL SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
    UNION ALL SELECT 'setting ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
     WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL SELECT 'migration ' || version_num FROM alembic_version
) AS schema_items
"""

#: The sessions of other clients in this database (autovacuum's workers are no one's).
OTHER_CLIENTS = "datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"

#: In one round trip: refuse (raise) unless this session is the database's only one and its schema
#: is still a fresh clone's; then empty every table but the migration stamp without firing
#: triggers or checking foreign keys (all rows go), and start every sequence again.
EMPTY_IF_UNTOUCHED = """
DO $$
DECLARE emptied record;
BEGIN
    IF EXISTS (SELECT FROM pg_stat_activity WHERE {others})
       OR EXISTS (SELECT FROM pg_prepared_xacts WHERE database = current_database()) THEN
        RAISE EXCEPTION 'another session is still connected';
    END IF;
    IF ({fingerprint}) IS DISTINCT FROM '{expected}' THEN
        RAISE EXCEPTION 'the schema is no longer the template''s';
    END IF;
    SET LOCAL session_replication_role = replica;
    SET LOCAL lock_timeout = '2s';
    FOR emptied IN SELECT schemaname, tablename FROM pg_tables
                 WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'alembic_version'
    LOOP
        EXECUTE format('DELETE FROM %I.%I', emptied.schemaname, emptied.tablename);
    END LOOP;
    PERFORM setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
       FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema');
END $$
"""


class DatabasePool:
    """Databases cloned from the server's template, handed out one per test and taken back clean."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self._clean: list[str] = []
        self._fresh_fingerprint: str | None = None
        self.reused = 0
        self.dropped_because: str | None = None  # why the last database given back was dropped

    def take(self) -> str:
        """The name of a database as a fresh clone of the template would be."""
        if self._clean:
            self.reused += 1
            return self._clean.pop()
        name = self.server.create_database()
        if self._fresh_fingerprint is None:
            self._fresh_fingerprint = self._fingerprint(name)
        return name

    def give_back(self, name: str) -> None:
        """Empty the database for the next test, or drop it when it can no longer pass for fresh."""
        try:
            self._empty_if_untouched(name)
        except Exception as error:  # whatever went wrong, a dropped database cannot mislead the next test
            self.dropped_because = f"{type(error).__name__}: {error}"
            self.server.drop_database(name)
        else:
            self._clean.append(name)

    def close(self) -> None:
        for name in self._clean:
            self.server.drop_database(name)
        self._clean.clear()

    def _empty_if_untouched(self, name: str) -> None:
        assert self._fresh_fingerprint is not None, "a database given back that was never taken"
        statement = EMPTY_IF_UNTOUCHED.format(
            others=OTHER_CLIENTS, fingerprint=SCHEMA_FINGERPRINT, expected=self._fresh_fingerprint
        )
        engine = self._engine(name)
        try:
            with engine.begin() as connection:
                _wait_for_others_to_leave(connection)
                connection.execute(text(statement))
        finally:
            engine.dispose()

    def _fingerprint(self, name: str) -> str:
        engine = self._engine(name)
        try:
            with engine.connect() as connection:
                return str(connection.execute(text(SCHEMA_FINGERPRINT)).scalar_one())
        finally:
            engine.dispose()

    def _engine(self, name: str) -> Engine:
        return create_engine(self.server.url(name), poolclass=NullPool)


#: How long a session the test closed may take to leave the server (its backend ends after the
#: client has hung up, so a test that disposes its engine and gives the database back at once can
#: still find it there on a busy machine).
LEAVING_SECONDS = 2.0
_OTHERS = text(f"SELECT count(*) FROM pg_stat_activity WHERE {OTHER_CLIENTS}")


def _wait_for_others_to_leave(connection: Connection) -> None:
    """Until no other client session is connected, or ``LEAVING_SECONDS`` have passed (then the
    emptying refuses and the database is dropped, as for a leaked connection)."""
    deadline = time.monotonic() + LEAVING_SECONDS
    while connection.execute(_OTHERS).scalar_one() and time.monotonic() < deadline:
        time.sleep(0.02)
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))  # a transaction reads one snapshot
