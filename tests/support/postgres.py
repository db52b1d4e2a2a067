"""A throw-away PostgreSQL server for the test session (``ombuds_lab.servers``, which the benchmarks share).

Users run Ombuds on a real PostgreSQL, so the tests do too: one server per test process on a unix
socket in a temporary folder, a template database migrated once, a clone of it per test.
"""

from ombuds_lab.servers import TEMPLATE, PostgresServer, PostgresUnavailable, remove_server, start_server

__all__ = ["TEMPLATE", "PostgresServer", "PostgresUnavailable", "remove_server", "start_server"]
