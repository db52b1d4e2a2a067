"""A throw-away Redis server for the test session (``ombuds_lab.servers``, which the benchmarks share).

The distributed runner's tests talk to a real Redis, as users' workers do: one server per test
process (each xdist worker starts its own), on a free loopback port, keeping nothing on disk.
"""

from ombuds_lab.servers import RedisServer, RedisUnavailable
from ombuds_lab.servers import start_redis as start_server

__all__ = ["RedisServer", "RedisUnavailable", "start_server"]
