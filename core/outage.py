"""Which exceptions mean "the database is unavailable right now", not "this code is wrong".

A request that meets one of these is answered 503 with `Retry-After` and the code
SERVICE_UNAVAILABLE (core/http.py, schema/extensions.py), logged as one WARNING line: a
pool timeout under overload or a database restart is the operator's news, not a bug's
traceback, and the client may simply retry.
"""

from __future__ import annotations

import errno
import socket

import asyncpg
from sqlalchemy import exc as sa_exc

UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "服务暂时不可用，请稍后重试"
RETRY_AFTER_SECONDS = 2

# Server-side states of PostgreSQL in which it refuses or drops connections: class 08
# (connection exceptions), shutdown and start-up (57P01–57P03), too many connections
# (53300), and a database that is gone (3D000, e.g. dropped under a running server).
_ASYNCPG_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InvalidCatalogNameError,
)
# Socket failures on the way to the database. Other OSErrors (a missing material file,
# a full disk) are faults of this server and stay 500.
_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE,
                   errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.ETIMEDOUT}


def _is_unavailable(error: BaseException) -> bool:
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection within pool_timeout
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, _ASYNCPG_UNAVAILABLE):
        return True
    if isinstance(error, (ConnectionError, socket.gaierror, TimeoutError)):  # TimeoutError: connect timeout
        return True
    if isinstance(error, OSError):
        # asyncio reports a connect that failed on every address as a bare OSError.
        return error.errno in _NETWORK_ERRNOS or (error.errno is None and str(error).startswith("Multiple exceptions"))
    return False


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or an exception it was raised from, says the database is unreachable."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if _is_unavailable(error):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
